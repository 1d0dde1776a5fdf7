"""Reporting a problem at a place by SMS, guided by the assistant, over the real signed Twilio webhook: the whole
report with an address and an MMS photo ending in a case, choosing between two problems by number, an address the
register cannot place, SKIP, cancelling, NO at the summary, asking for a person part-way, a redelivered YES, and a
report forgotten after the conversation's idle time."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN
from tests.engagement.assistant_helpers import RESIDENT, Phone, work_items
from tests.engagement.report_helpers import SPOT, report_city
from tests.factories import count, create_agent, create_article
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.assistant.models import AssistantSession
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens.models import Identity
from townsquare.clock import replaying, utcnow
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions.models import Attachment, Direction, Interaction
from townsquare.notify.models import Notification, OutboxMessage
from townsquare.settings import Settings

PHOTO = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
WHERE = "Where is it? Send the street number and name. Reply CANCEL REPORT to stop."
SIZE = "How big is it? 1 Smaller than a dinner plate, 2 Up to a tyre, 3 Bigger than a tyre. Reply with the number."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


@pytest.fixture
async def works(session: AsyncSession) -> Agency:
    return await report_city(session)


async def _cases(session: AsyncSession) -> list[Case]:
    await fresh(session)
    return list((await session.execute(select(Case).order_by(Case.created_at))).scalars())


def _reference(reply: str) -> str:
    found = re.search(r"TS-\d{4}-\d{6}", reply)
    assert found, reply
    return found.group(0)


async def test_a_pothole_reported_by_text_with_an_address_and_a_photo_becomes_a_case(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    earlier_case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=works.id,
        title="Pothole",
        channel="api",
        service_id=(await _service_id(session, "POTHOLE")),
        location={"lat": SPOT[0], "long": SPOT[1], "address_string": "120 King Street West"},
    )
    earlier = earlier_case.id
    await create_agent(session, email="roads@city.example", agencies=[works])
    await import_notification_templates(session, NOTIFICATIONS_DIR)  # the city acknowledges cases by SMS
    await session.commit()
    phone = Phone(client)
    started = await phone.text("There's a pothole on my street")
    assert started == [f"I can take your report here: Report a pothole. {WHERE}"]
    assert await phone.text("120 King St W") == ["Found: 120 King Street West. Send a photo of it, or reply SKIP."]
    assert await phone.text("", media=(PHOTO,)) == [f"Thanks for the photo. {SIZE}"]
    assert await phone.text("2") == [  # the form's one required question: the bike lane one is optional
        "Your report: Report a pothole, at 120 King Street West, with a photo. How big is it? Up to a tyre. "
        "Send it? Reply YES or NO."
    ]
    [sent] = await phone.text("YES")  # not the START keyword: this number never opted out
    reference = _reference(sent)
    assert sent == f"Sent. Your report is {reference}. Follow it here: http://testserver/reports/{reference}"

    case = (await _cases(session))[-1]
    assert case.reference == reference
    assert (case.opened_channel, case.agency_id, case.title) == ("sms", works.id, "Report a pothole")
    assert case.description == "There's a pothole on my street"
    assert (case.lat, case.long, case.address_id, case.address_string) == (*SPOT, "A-120", "120 King Street West")
    assert case.attributes == {"size": "medium"}
    sender = (await session.execute(select(Identity).where(Identity.value == RESIDENT))).scalar_one()
    assert case.citizen_id == sender.citizen_id
    # The photo came on the conversation; with every message of the report it is now the case's.
    photo = (await session.execute(select(Attachment))).scalar_one()
    carrying = await session.get_one(Interaction, photo.interaction_id)
    assert (carrying.case_id, photo.source_url) == (case.id, PHOTO)
    inbound = (await session.execute(select(Interaction).where(Interaction.direction == Direction.inbound))).scalars()
    assert {i.case_id for i in inbound} == {case.id}
    assert await count(session, OutboxMessage, OutboxMessage.channel == "media") == 1  # the photo is copied in
    # The reference was just texted back in the answer: no second text acknowledges the same case.
    assert await count(session, Notification) == 0
    assert await count(session, OutboxMessage, OutboxMessage.channel == "sms") == 0
    case_id, service_id, works_id = case.id, case.service_id, works.id
    [item] = await work_items(session)
    assert (item.case_id, item.agency_id, item.service_id) == (case_id, works_id, service_id)
    [(link, other)] = await cases.likely_duplicates_of(session, case_id=earlier)
    assert (other.reference, link.detail["distance_m"]) == (reference, 0.0)
    page = await client.get(f"/reports/{reference}")
    assert page.status_code == 200
    assert "120 King Street West" in page.text
    await sign_in_staff(client, "roads@city.example")  # the desk's case page shows the photo with the texts
    desk = (await client.get(f"/desk/cases/{reference}")).text
    assert 'media-0.jpg <span lang="zxx">(image/jpeg)</span>' in desk
    assert "There&#39;s a pothole on my street" in desk
    state = await session.get_one(AssistantSession, item.conversation_id)
    assert state.pending is None


async def _service_id(session: AsyncSession, code: str) -> uuid.UUID:
    return (await agencies.get_service(session, code=code)).id


async def test_two_candidate_problems_are_offered_by_number(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    choose = (
        "Which problem is it? 1 Report a pothole, 2 Street light out. Reply with the number, or CANCEL REPORT to stop."
    )
    assert await phone.text("The light is broken next to the pothole") == [choose]
    assert await phone.text("7") == ["Please reply with a number from 1 to 2, or CANCEL REPORT to stop."]
    assert await phone.text("2") == [f"I can take your report here: Street light out. {WHERE}"]
    assert await _cases(session) == []


async def test_a_bare_topic_an_article_answers_gets_the_article_and_news_of_the_problem_a_report(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await create_article(
        session,
        agency=works,
        short_answer="Text us where the pothole is and we fill it within 7 days.",
        keywords="pothole hole road",
        service_codes=("POTHOLE",),
    )
    await session.commit()
    phone = Phone(client)
    [answer, feedback] = await phone.text("pothole")
    assert answer.startswith("Text us where the pothole is and we fill it within 7 days.")
    assert feedback == "Did that answer your question? Reply YES or NO."
    assert await phone.text("Pothole in front of 120 King St W") == [
        "I can take your report here: Report a pothole. Send a photo of it, or reply SKIP."
    ]


async def test_a_place_the_register_cannot_find_is_kept_as_described_and_the_photo_skipped(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    assert await phone.text("streetlight out") == [f"I can take your report here: Street light out. {WHERE}"]
    place = "corner of Elm and Oak, by the school"
    assert await phone.text(place) == [
        "I could not find that address in the city's address register, so staff will read your description as "
        f'you wrote it: "{place}". Send a photo of it, or reply SKIP.'
    ]
    assert await phone.text("What?") == ["Please send a photo, or reply SKIP to go on without one."]
    assert await phone.text("SKIP") == [  # the form has no required question
        f"Your report: Street light out, at {place}. Send it? Reply YES or NO."
    ]
    await phone.text("yes")
    [case] = await _cases(session)
    assert (case.address_string, case.lat, case.long, case.address_id) == (place, None, None, None)
    assert case.attributes == {}
    assert await count(session, Attachment) == 0


async def test_cancel_report_leaves_it_and_nothing_is_sent(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    await phone.text("I want to report a pothole")
    await phone.text("120 King St W")
    assert await phone.text("cancel report") == ["OK, I have stopped this report. Nothing was sent."]
    assert await phone.text("hello") == [
        "Hello! Ask me a question, or send a request reference to check its status."
    ]  # no longer in the report
    assert await _cases(session) == []
    assert await work_items(session) == []
    assert (await session.execute(select(AssistantSession.pending))).scalar_one() is None


async def test_a_bare_cancel_is_the_opt_out_keyword_and_ends_the_report_too(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    await phone.text("pothole")
    [stopped] = await phone.text("CANCEL")  # the carrier's keyword: every text stops, so the report cannot go on
    assert stopped.startswith("You will get no more text messages from us at this number.")
    await phone.text("START")
    [answer] = await phone.text("120 King St W")
    assert not answer.startswith("Found")
    assert await _cases(session) == []


async def test_no_at_the_summary_drops_the_report(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    await phone.text("pothole outside 120 King St W")  # the address came with the problem: not asked again
    assert phone.received[-1] == ["I can take your report here: Report a pothole. Send a photo of it, or reply SKIP."]
    await phone.text("skip")
    assert (await phone.text("3"))[0].endswith("How big is it? Bigger than a tyre. Send it? Reply YES or NO.")
    assert await phone.text("No") == ["OK, I have not sent it. Write again whenever you want to report something."]
    assert await _cases(session) == []
    assert await work_items(session) == []


async def test_asking_for_a_person_part_way_hands_off_with_what_was_gathered(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await create_agent(session, email="roads@city.example", agencies=[works])
    await session.commit()
    phone = Phone(client)
    await phone.text("There is a pothole on my street")
    await phone.text("120 King St W")
    await phone.text("", media=(PHOTO,))
    assert await phone.text("Can I talk to a person please") == [
        "A member of staff will answer here, with what you have told me so far."
    ]
    [item] = await work_items(session)
    item_id = item.id
    assert item.context["report"] == {
        "service_code": "POTHOLE",
        "choices": [],
        "description": "There is a pothole on my street",
        "location": {"address_string": "120 King Street West", "address_id": "A-120"},
        "photo": True,
        "answers": {},
        "step": "question",
    }
    assert item.context["assistant"]["reason"] == "asked"
    assert [t["from"] for t in item.context["assistant"]["transcript"]][-2:] == ["citizen", "assistant"]
    assert await _cases(session) == []
    assert await phone.text("Still waiting") == []  # a person has the conversation now
    await sign_in_staff(client, "roads@city.example")
    page = (await client.get(f"/desk/work/{item_id}")).text
    shown = " ".join(re.sub(r"<[^>]+>", " ", page.split('id="assistant-report">', 1)[1].split("</dd>")[0]).split())
    assert shown == "POTHOLE at “120 King Street West”; with a photo; stopped at: question"


async def test_a_redelivered_yes_is_answered_the_same_and_opens_one_case(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    phone = Phone(client)
    for said in ("streetlight out", "120 King St W", "skip"):
        await phone.text(said)
    first = await phone.text("yes", sid="SM" + "5" * 32)
    again = await phone.text("yes", sid="SM" + "5" * 32)
    assert again == first
    assert first[0].startswith("Sent. Your report is TS-")
    assert len(await _cases(session)) == 1
    assert len(await work_items(session)) == 1


async def test_a_report_left_longer_than_the_idle_time_is_forgotten(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency, settings: Settings
) -> None:
    phone = Phone(client)
    with replaying(utcnow() - timedelta(hours=settings.conversation_idle_hours + 1)):
        assert (await phone.text("pothole"))[0].endswith(WHERE)
    [answer] = await phone.text("120 King St W")
    assert not answer.startswith("Found")  # a new conversation: the old report's question is not answered
    assert await _cases(session) == []
