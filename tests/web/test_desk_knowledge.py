"""The knowledge base on the agent desk: suggested answers beside the conversation (the one search every channel
uses, over the citizen's latest messages), "Use in reply" with and without JavaScript, and what the assistant
established before it handed the person over, so the agent does not ask again."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    PASSWORD,
    create_agency,
    create_agent,
    create_article,
    desk_citizen_with_history,
    desk_work_item,
)
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, InteractionKind
from townsquare.routing.models import WorkItem

HANDOFF = {
    "intent": "talk_to_person",
    "reason": "not_helpful",
    "question": "When will my bin be collected?",
    "transcript": [
        {"from": "citizen", "text": "my bin was not collected", "at": "2026-03-02T14:00:00+00:00"},
        {
            "from": "assistant",
            "text": "Missed collections are picked up within 2 days.",
            "at": "2026-03-02T14:00:05+00:00",
        },
        {"from": "citizen", "text": "talk to a person", "at": "2026-03-02T14:01:00+00:00"},
    ],
    "verified": {"case_reference": "TS-2026-000123", "method": "phone on file"},
    "articles": [{"slug": "missed-garbage-collection", "title": "Missed garbage collection", "version": 2}],
}


@dataclass
class Seeded:
    item: WorkItem
    article: Any
    other: Any


async def _seed(session: AsyncSession, *, context: dict[str, Any] | None = None, message: str) -> Seeded:
    agency = await create_agency(session)
    agent = await create_agent(session, email="wren@city.example", agencies=[agency])
    article = await create_article(
        session,
        agency=agency,
        slug="missed-garbage-collection",
        title="Missed garbage collection",
        summary="What to do when your bin was not emptied.",
        short_answer="Put the bin out again; we pick up missed collections within 2 working days.",
        keywords="bin trash garbage pickup not collected",
    )
    other = await create_article(
        session,
        agency=agency,
        slug="parking-permits",
        title="Residential parking permits",
        short_answer="Apply online; a permit costs $50 a year.",
        keywords="parking permit car",
    )
    citizen, conversation = await desk_citizen_with_history(
        session, touchpoints=2, name="Maria Lopez", email="maria@example.org", staff_id=agent.id
    )
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.sms,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body=message,
        occurred_at=utcnow() - timedelta(minutes=1),
    )
    item = await desk_work_item(
        session,
        agency=agency,
        citizen=citizen,
        conversation_id=conversation.id,
        holder=agent,
        context={"identified_by": {"how": "phone", "verified": True}, **(context or {})},
    )
    await session.commit()
    return Seeded(item, article, other)


def _suggestions(page: str) -> list[str]:
    section = page.split('id="knowledge-suggestions"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-slug="([a-z0-9-]+)"', section)


async def test_suggested_answers_come_from_the_citizens_latest_messages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seeded = await _seed(session, message="hi, my garbage bin wasnt colected this week")
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{seeded.item.id}")).text
    assert _suggestions(page)[0] == "missed-garbage-collection"  # despite the typo
    section = page.split('id="knowledge-suggestions"', 1)[1].split("</section>", 1)[0]
    assert f'data-article-version="{seeded.article.version_id}"' in section
    assert "Missed garbage collection" in section
    assert "we pick up missed collections within 2 working days." in section
    assert 'href="http://testserver/help/missed-garbage-collection"' in section
    assert "Use in reply" in section


async def test_use_in_reply_prefills_the_reply_box_without_javascript(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seeded = await _seed(session, message="my garbage was not collected")
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{seeded.item.id}", params={"suggest": "missed-garbage-collection"})).text
    expected = (
        "Put the bin out again; we pick up missed collections within 2 working days.\n"
        "http://testserver/help/missed-garbage-collection"
    )
    assert f">{html.escape(expected, quote=True)}</textarea>" in page
    # an article that is not among the suggestions can still be used, by its address
    other = (await client.get(f"/desk/work/{seeded.item.id}", params={"suggest": "parking-permits"})).text
    assert "Apply online; a permit costs $50 a year.\nhttp://testserver/help/parking-permits</textarea>" in other
    unknown = (await client.get(f"/desk/work/{seeded.item.id}", params={"suggest": "no-such-article"})).text
    assert '<textarea id="reply-body" name="body" rows="6" maxlength="20000" required></textarea>' in unknown


async def test_no_suggestion_when_nothing_matches(client: httpx.AsyncClient, session: AsyncSession) -> None:
    seeded = await _seed(session, message="zzzz qqqq")
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{seeded.item.id}")).text
    assert _suggestions(page) == []
    assert "No article matches the citizen's latest messages." in page


async def test_the_assistants_hand_off_is_shown_so_the_agent_does_not_ask_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seeded = await _seed(session, context={"assistant": HANDOFF}, message="talk to a person")
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{seeded.item.id}")).text
    section = page.split('id="assistant-handoff"', 1)[1].split("</section>", 1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "What the assistant established" in page
    assert "Intent talk to person" in text
    assert "They said the answer did not help" in text
    assert "“When will my bin be collected?”" in text
    assert "Case TS-2026-000123 , by phone on file" in text
    assert 'href="http://testserver/help/missed-garbage-collection"' in section
    assert "(version 2)" in text
    turns = re.findall(r'<li class="from-(citizen|assistant)"><strong>(\w+)</strong>', section)
    assert turns == [("citizen", "Citizen"), ("assistant", "Assistant"), ("citizen", "Citizen")]
    assert "Missed collections are picked up within 2 days." in text
    assert '<time datetime="2026-03-02T14:00:00+00:00">Mar 2, 2026, 9:00\u202fAM</time>' in section  # Toronto time


async def test_a_work_item_without_the_assistant_shows_no_hand_off(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seeded = await _seed(session, context={"assistant": "garbled"}, message="hello")
    await sign_in_staff(client)
    page = (await client.get(f"/desk/work/{seeded.item.id}")).text
    assert "What the assistant established" not in page


async def test_suggestions_and_hand_off_in_chromium_with_no_axe_violations(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> Seeded:
        async with live_app.runtime.db.session() as s:
            return await _seed(s, context={"assistant": HANDOFF}, message="my garbage was not collected")

    seeded = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "wren@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/work/{seeded.item.id}")
    assert await axe_violations(page) == []
    await page.fill("#reply-body", "Hello Maria. ")
    await page.locator("#reply-body").press("End")
    await page.click("form.use-suggestion >> nth=0 >> button")
    value = await page.input_value("#reply-body")
    assert value.startswith("Hello Maria. Put the bin out again;")
    assert value.endswith(f"{live_app.url}/help/missed-garbage-collection")
    assert page.url.endswith(f"/desk/work/{seeded.item.id}")  # filled in place, no page load
