"""Messages: the resident reads the conversations staff see and answers them through the pipeline, once per form,
never in someone else's conversation."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_staff, desk_citizen_with_history, desk_work_item
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.app import Runtime
from townsquare.casework import desk
from townsquare.citizens import sessions
from townsquare.engagement import links, replies
from townsquare.interactions.models import Channel, Direction, Interaction
from townsquare.notify.rendering import Content
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings


@dataclass(frozen=True)
class Seeded:
    resident: Resident
    conversation_id: uuid.UUID
    staff_id: uuid.UUID
    reply_id: uuid.UUID


async def _seed(runtime: Runtime) -> Seeded:
    """Maria's conversation across channels; Wren Hale of City Works answered it by text."""
    async with runtime.db.session() as s:
        works = await create_agency(s)
        wren = await create_staff(s, email="wren@city.example", agencies=[works])
        wren.display_name = "Wren Hale"
        citizen, conversation = await desk_citizen_with_history(s, touchpoints=4)
        await desk_work_item(s, agency=works, citizen=citizen, conversation_id=conversation.id, holder=wren)
        reply = await replies.reply(
            s,
            conversation_id=conversation.id,
            content=Content(text="A crew comes on Tuesday."),
            channel=Channel.sms,
            staff_id=wren.id,
        )
        token = await sessions.start(s, citizen_id=citizen.id, method="email_link", hours=24)
        await s.commit()
        return Seeded(
            Resident(citizen.id, "maria@example.org", token), conversation.id, wren.id, uuid.UUID(reply.interaction_id)
        )


def _client_id(page: str) -> str:
    found = re.search(r'name="client_id" value="([0-9a-f-]{36})"', page)
    assert found is not None
    return found.group(1)


async def test_the_list_shows_each_conversation_with_its_channels_and_latest_message(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seeded = await _seed(runtime)
    assert (await client.get("/account/messages")).status_code == 303  # signed out
    sign_in(client, seeded.resident)
    page = await client.get("/account/messages")
    assert page.status_code == 200
    assert f'href="/account/messages/{seeded.conversation_id}"' in page.text
    assert "A crew comes on Tuesday." in page.text  # the latest message
    for channel in ("Text message", "Phone", "Email", "Chat"):
        assert channel in page.text

    client.cookies.set("ts_lang", "fr")
    french = await client.get("/account/messages")
    assert "Vos messages" in french.text
    assert "Texto" in french.text


async def test_a_conversation_reads_in_order_and_says_who_said_what(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seeded = await _seed(runtime)
    sign_in(client, seeded.resident)
    page = await client.get(f"/account/messages/{seeded.conversation_id}")
    assert page.status_code == 200
    text = page.text
    order = [text.index(f"touchpoint {n}<") for n in range(4)] + [text.index("A crew comes on Tuesday.")]
    assert order == sorted(order), "oldest first"
    assert ">You</h3>" in text
    assert ">Wren at City Works</h3>" in text  # the first name only
    assert "Hale" not in text
    assert '<textarea class="govuk-textarea" id="text" name="text"' in text
    assert '<label class="govuk-label govuk-label--m" for="text"' in text


async def test_an_answer_is_recorded_once_in_the_conversation_staff_see_and_opens_work(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    seeded = await _seed(runtime)
    sign_in(client, seeded.resident)
    url = f"/account/messages/{seeded.conversation_id}"
    form = {"text": "Thank you, Tuesday suits me.", "client_id": _client_id((await client.get(url)).text)}
    first = await client.post(url, data=form)
    again = await client.post(url, data=form)  # a double click, or the back button and send again
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == f"{url}?sent=1"
    shown = await client.get(first.headers["location"])
    assert "Message sent" in shown.text
    assert 'govuk-notification-banner--success" role="alert"' in shown.text
    assert shown.text.count("Thank you, Tuesday suits me.") == 1

    await session.rollback()
    answers = (
        (await session.execute(select(Interaction).where(Interaction.body == "Thank you, Tuesday suits me.")))
        .scalars()
        .all()
    )
    assert len(answers) == 1
    assert answers[0].conversation_id == seeded.conversation_id
    assert answers[0].channel is Channel.web
    assert answers[0].direction is Direction.inbound
    item = (
        await session.execute(select(WorkItem).where(WorkItem.conversation_id == seeded.conversation_id))
    ).scalar_one()
    assert item.citizen_id == seeded.resident.citizen_id
    # The desk's view of the person has it on the same timeline.
    view = await desk.citizen_360(session, citizen_id=seeded.resident.citizen_id, agency_ids=None)
    assert view.timeline[0].body == "Thank you, Tuesday suits me."
    assert view.timeline[0].conversation_id == seeded.conversation_id


async def test_an_empty_or_too_long_answer_is_explained_and_nothing_is_sent(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    seeded = await _seed(runtime)
    sign_in(client, seeded.resident)
    url = f"/account/messages/{seeded.conversation_id}"
    before = await count(session, Interaction)
    empty = await client.post(url, data={"text": "   ", "client_id": str(uuid.uuid4())})
    assert empty.status_code == 422
    assert "<title>Error:" in empty.text
    assert 'class="govuk-error-summary"' in empty.text
    assert '<a href="#text">Enter your message</a>' in empty.text
    assert 'aria-describedby="text-error"' in empty.text
    long_text = "x" * (settings.max_body_chars + 1)
    too_long = await client.post(url, data={"text": long_text, "client_id": str(uuid.uuid4())})
    assert too_long.status_code == 422
    assert f"Your message must be {settings.max_body_chars} characters or fewer" in too_long.text
    assert long_text in too_long.text  # what they wrote is kept, not lost

    client.cookies.set("ts_lang", "fr")
    french = await client.post(url, data={"text": "", "client_id": str(uuid.uuid4())})
    assert "Écrivez votre message" in french.text
    await session.rollback()
    assert await count(session, Interaction) == before


async def test_someone_elses_conversation_cannot_be_read_or_answered(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    seeded = await _seed(runtime)
    sam = await make_resident(session, name="Sam Stranger", email="sam@example.org")
    sign_in(client, sam)
    url = f"/account/messages/{seeded.conversation_id}"
    before = await count(session, Interaction)
    read = await client.get(url)
    assert read.status_code == 404
    assert "touchpoint" not in read.text
    answered = await client.post(url, data={"text": "let me in", "client_id": str(uuid.uuid4())})
    assert answered.status_code == 404
    assert (await client.get("/account/messages/not-a-uuid")).status_code == 404
    assert (await client.get(f"/account/messages/{uuid.uuid4()}")).status_code == 404
    listed = await client.get("/account/messages")
    assert str(seeded.conversation_id) not in listed.text
    await session.rollback()
    assert await count(session, Interaction) == before


async def test_the_read_more_page_of_a_text_links_to_all_messages(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    seeded = await _seed(runtime)
    page = await client.get(links.message_url(settings, seeded.reply_id).removeprefix(settings.public_url))
    assert page.status_code == 200
    assert 'href="/account/messages">See all your messages</a>' in page.text
