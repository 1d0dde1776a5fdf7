"""The simulator's mail client: it writes over real SMTP to the platform's own server and reads what came back."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, counts, create_agency, create_citizen
from tests.support.browser import AXE
from townsquare.app import Runtime, create_app
from townsquare.engagement import replies
from townsquare.interactions.models import Attachment, Conversation, ConversationStatus, Interaction
from townsquare.notify.rendering import Content
from townsquare.settings import Settings

ROADS = "roads@city.example"
JANE = "jane@example.org"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"simulator": True, "smtp_port": 0, "smtp_host": "127.0.0.1"})


@pytest.fixture
async def city(session: AsyncSession) -> None:
    await create_agency(session, slug="roads", name="Roads", contact=("email", ROADS))
    await create_citizen(session, name="Jane Doe", email=JANE)
    await session.commit()


@pytest.fixture
async def smtp(runtime: Runtime, city: None) -> AsyncIterator[None]:
    assert runtime.smtp is not None
    await runtime.smtp.start()
    yield
    await runtime.smtp.stop()


async def the_email(runtime: Runtime, message_id: str) -> Interaction:
    async with runtime.db.session(deferred=True) as s:
        return (await s.execute(select(Interaction).where(Interaction.external_id == message_id))).scalar_one()


async def test_the_mail_client_offers_the_city_mailboxes_and_residents(client: httpx.AsyncClient, city: None) -> None:
    response = await client.get("/simulator/email/addresses")
    assert response.status_code == 200
    assert response.json() == {
        "city": [{"address": ROADS, "name": "Roads"}],
        "residents": [{"address": JANE, "name": "Jane Doe"}],
    }
    page = await client.get("/simulator")
    assert page.status_code == 200
    assert 'id="email-form"' in page.text
    assert "/static/simulator/email.js" in page.text
    assert (await client.get("/static/simulator/email.js")).status_code == 200


async def test_send_delivers_a_real_mime_message_over_smtp(
    client: httpx.AsyncClient, runtime: Runtime, smtp: None
) -> None:
    response = await client.post(
        "/simulator/email/send",
        data={"from_address": "Jane@Example.org", "to_address": ROADS, "subject": "Pothole", "body": "Deep one."},
        files={"file": ("hole.png", b"\x89PNG-bytes", "image/png")},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] is True
    assert answer["code"] == 250
    assert answer["reply"].startswith("2.0.0 Received")
    interaction = await the_email(runtime, answer["message_id"])
    assert interaction.body == "Deep one."
    assert interaction.payload["subject"] == "Pothole"
    assert interaction.payload["to"] == ROADS
    async with runtime.db.session(deferred=True) as s:
        files = list((await s.execute(select(Attachment))).scalars())
    assert [(f.filename, f.content_type, f.size_bytes) for f in files] == [
        ("hole.png", "image/png", len(b"\x89PNG-bytes"))
    ]


async def test_the_smtp_refusal_is_shown_and_nothing_is_stored(
    client: httpx.AsyncClient, runtime: Runtime, smtp: None, session: AsyncSession
) -> None:
    before = await counts(session)
    await session.rollback()
    response = await client.post(
        "/simulator/email/send",
        data={"from_address": JANE, "to_address": "nobody@city.example", "subject": "Hi", "body": "Hello"},
    )
    assert response.status_code == 200
    assert response.json()["accepted"] is False
    assert response.json()["code"] == 550
    assert response.json()["reply"] == "5.1.1 No such mailbox here"
    assert await counts(session) == before


async def test_bad_addresses_are_refused_before_anything_is_sent(
    client: httpx.AsyncClient, runtime: Runtime, smtp: None
) -> None:
    response = await client.post(
        "/simulator/email/send", data={"from_address": "not an address", "to_address": ROADS, "body": "x"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "from_address", "message": "not an email address"}]


async def test_the_inbox_shows_the_citys_reply_and_answering_it_threads_back(
    client: httpx.AsyncClient, runtime: Runtime, smtp: None
) -> None:
    sent = await client.post(
        "/simulator/email/send",
        data={"from_address": JANE, "to_address": ROADS, "subject": "Pothole", "body": "Deep one."},
    )
    first = await the_email(runtime, sent.json()["message_id"])
    async with runtime.db.session() as s:
        await replies.reply(s, conversation_id=first.conversation_id, content=Content(text="A crew is on the way."))
        await s.commit()
    assert await runtime.worker.drain() == 1

    inbox = (await client.get("/simulator/email/inbox", params={"address": "JANE@example.org"})).json()
    assert inbox["address"] == JANE
    [message] = inbox["messages"]
    assert (message["from"], message["subject"], message["status"]) == (ROADS, "Re: Pothole", "sent")
    assert message["text"] == "A crew is on the way."
    async with runtime.db.session(deferred=True) as s:
        out = (
            await s.execute(select(Interaction).where(Interaction.external_id == message["message_id"]))
        ).scalar_one()
        conversation = await s.get_one(Conversation, first.conversation_id)
    assert out.conversation_id == first.conversation_id
    assert message["references"] == f"<{first.external_id}> <{message['message_id']}>"

    async with runtime.db.session() as s:  # closed: only the threading headers can lead the answer back
        (await s.get_one(Conversation, conversation.id)).status = ConversationStatus.closed
        await s.commit()
    answer = await client.post(
        "/simulator/email/send",
        data={
            "from_address": JANE,
            "to_address": ROADS,
            "subject": "Re: Pothole",
            "body": "Thank you!",
            "in_reply_to": message["message_id"],
            "references": message["references"],
        },
    )
    assert answer.json()["accepted"] is True
    threaded = await the_email(runtime, answer.json()["message_id"])
    assert threaded.conversation_id == first.conversation_id


async def test_without_an_smtp_server_the_panel_says_what_to_set(
    settings: Settings, runtime: Runtime, city: None, session: AsyncSession
) -> None:
    app = create_app(settings.model_copy(update={"smtp_port": None}), dataclasses.replace(runtime, smtp=None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.post(
            "/simulator/email/send", data={"from_address": JANE, "to_address": ROADS, "body": "Hello"}
        )
    assert response.status_code == 409
    assert "TOWNSQUARE_SMTP_PORT" in response.json()["detail"]
    assert await count(session, Interaction) == 0


async def test_in_chromium_a_resident_writes_reads_the_answer_and_replies(
    browser: Browser, live_server: str, runtime: Runtime, city: None
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_server}/simulator")
    await page.wait_for_selector(f"#email-to option[value='{ROADS}']", state="attached")
    assert await page.input_value("#email-from") == JANE
    await page.fill("#email-subject", "Pothole on Elm St")
    await page.fill("#email-body", "It is deep.")
    await page.click("#email-form button[type=submit]")
    await page.wait_for_selector("#email-result:has-text('Delivered')")
    assert "The server answered: 250 2.0.0 Received" in (await page.text_content("#email-result") or "")

    async with runtime.db.session() as s:
        first = (await s.execute(select(Interaction).where(Interaction.body == "It is deep."))).scalar_one()
        await replies.reply(s, conversation_id=first.conversation_id, content=Content(text="A crew is on the way."))
        await s.commit()
    for _ in range(400):  # the live server's worker delivers it (to the recording provider)
        async with runtime.db.session(deferred=True) as s:
            if await count(s, Interaction, Interaction.external_id.is_not(None)) == 2:
                break
        await page.wait_for_timeout(50)
    await page.click("#email-refresh")
    await page.wait_for_selector("#email-inbox li.sim-message:has-text('A crew is on the way.')")
    await page.click("#email-inbox button:has-text('Reply')")
    assert await page.input_value("#email-subject") == "Re: Pothole on Elm St"
    assert await page.is_visible("#email-replying")
    await page.fill("#email-body", "Thank you!")
    await page.click("#email-form button[type=submit]")
    await page.wait_for_selector("#email-result:has-text('Delivered')")
    async with runtime.db.session(deferred=True) as s:
        answer = (await s.execute(select(Interaction).where(Interaction.body == "Thank you!"))).scalar_one()
    assert answer.payload["references"][-1] == (await the_email_reply_id(runtime, first.conversation_id))
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        "async () => (await axe.run('#sim-email-panel', {resultTypes: ['violations']})).violations.map(v => v.id)"
    )
    assert violations == []


async def the_email_reply_id(runtime: Runtime, conversation_id: uuid.UUID) -> str | None:
    async with runtime.db.session(deferred=True) as s:
        found = await s.execute(
            select(Interaction.external_id).where(
                Interaction.conversation_id == conversation_id, Interaction.body == "A crew is on the way."
            )
        )
        return found.scalar_one()
