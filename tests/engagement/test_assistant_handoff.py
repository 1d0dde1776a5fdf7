"""Must show: an SMS conversation with the assistant that ends with "talk to a person" creates one work item whose
context holds the transcript, the intent and the articles given, and the agent desk shows it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN
from tests.engagement.assistant_helpers import CITY, Phone, assistant_replies, work_items
from tests.factories import PASSWORD, create_agency, create_agent, create_article
from townsquare.knowledge.models import AnswerRecord
from townsquare.settings import Settings

GARBAGE_ANSWER = "Garbage is collected every Tuesday morning. Put your bin out by 7 am."
RECYCLING_ANSWER = "Blue box recycling is picked up every second Thursday."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


async def test_an_sms_conversation_ending_with_talk_to_a_person_reaches_the_desk_with_its_whole_story(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session, slug="city-works", contact=("sms", CITY))
    await create_agent(session, email="works.agent@city.example", agencies=[works])
    garbage = await create_article(
        session,
        slug="garbage-collection-day",
        title="Garbage collection day",
        agency=works,
        summary="When your garbage is picked up.",
        short_answer=GARBAGE_ANSWER,
        keywords="garbage trash collection pickup day bin",
    )
    recycling = await create_article(
        session,
        slug="recycling-blue-box",
        title="Blue box recycling",
        agency=works,
        summary="What goes in the blue box and when it is picked up.",
        short_answer=RECYCLING_ANSWER,
        keywords="recycling blue box",
    )
    await session.commit()
    phone = Phone(client)

    first = await phone.text("When is my garbage collected?")
    assert first[0] == f"{GARBAGE_ANSWER} http://testserver/help/garbage-collection-day"
    assert first[1] == "Did that answer your question? Reply YES or NO."
    assert await work_items(session) == []  # the assistant has it; nobody is bothered yet

    assert await phone.text("YES") == ["Thanks, glad that helped."]  # an answer, not the START keyword

    second = await phone.text("And the blue box recycling?")
    assert second[0].startswith(RECYCLING_ANSWER)
    assert await work_items(session) == []

    handed = await phone.text("I want to talk to a person")
    assert handed == ["A member of staff will answer here."]

    [item] = await work_items(session)
    story = item.context["assistant"]
    assert story["intent"] == "talk_to_person"
    assert story["reason"] == "asked"
    assert story["question"] == "And the blue box recycling?"
    assert story["verified"] == {}
    assert story["articles"] == [
        {"slug": "garbage-collection-day", "title": "Garbage collection day", "version": garbage.number},
        {"slug": "recycling-blue-box", "title": "Blue box recycling", "version": recycling.number},
    ]
    said = [(turn["from"], turn["text"]) for turn in story["transcript"]]
    assert said == [
        ("citizen", "When is my garbage collected?"),
        ("assistant", first[0]),
        ("assistant", first[1]),
        ("citizen", "YES"),
        ("assistant", "Thanks, glad that helped."),
        ("citizen", "And the blue box recycling?"),
        ("assistant", second[0]),
        ("assistant", second[1]),
        ("citizen", "I want to talk to a person"),
        ("assistant", "A member of staff will answer here."),
    ]
    assert all(turn["at"] for turn in story["transcript"])
    assert item.kind == "message"
    assert item.channel == "sms"
    assert item.context["identified_by"]["how"] == "phone"

    # Every knowledge reply names the version it gave; the feedback was recorded on the first answer.
    replies = await assistant_replies(session)
    versions = [r.payload.get("article_version_id") for r in replies if r.payload.get("article_version_id")]
    assert versions == [str(garbage.version_id), str(recycling.version_id)]
    answers = (await session.execute(select(AnswerRecord).order_by(AnswerRecord.created_at))).scalars().all()
    assert [(a.version_id, a.channel, a.helpful) for a in answers] == [
        (garbage.version_id, "sms", True),
        (recycling.version_id, "sms", None),
    ]

    # From now on a person has the conversation: a further text goes to them, unanswered by the assistant.
    assert await phone.text("Are you there?") == []
    assert [i.id for i in await work_items(session)] == [item.id]

    # The agent desk shows what the assistant established, with the transcript.
    signed_in = await client.post("/desk/sign-in", data={"email": "works.agent@city.example", "password": PASSWORD})
    assert signed_in.status_code == 303
    page = await client.get(f"/desk/work/{item.id}")
    assert page.status_code == 200, page.text
    section = page.text[page.text.index('id="assistant-handoff"') :]
    section = section[: section.index("</section>")]
    assert "talk to person" in section
    assert "And the blue box recycling?" in section
    assert "When is my garbage collected?" in section
    assert "Garbage collection day" in section
