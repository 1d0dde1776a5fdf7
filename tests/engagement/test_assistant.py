"""The assistant over SMS (the real signed webhook): knowledge answers and feedback, case status with a
verification question, applications, call-backs, misses, redeliveries, French, and the assistant turned off."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN
from tests.engagement.assistant_helpers import CITY, RESIDENT, Phone, assistant_replies, work_items
from tests.factories import count, create_agency, create_article, create_citizen, create_service
from tests.support.db import fresh
from townsquare.agencies.models import Agency
from townsquare.app import build_runtime, create_app
from townsquare.assistant.models import AssistantSession
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.clock import replaying, utcnow
from townsquare.drafts import service as drafts
from townsquare.interactions.models import Direction, Interaction
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.models import AnswerRecord, VersionStatus
from townsquare.knowledge.service import LiveArticle
from townsquare.settings import Settings

MARIA_PHONE = "+16135550142"
ANSWER = "Garbage is collected every Tuesday morning."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


@pytest.fixture
async def works(session: AsyncSession) -> Agency:
    agency = await create_agency(session, slug="city-works", contact=("sms", CITY))
    await session.commit()
    return agency


async def _garbage(session: AsyncSession, works: Agency) -> LiveArticle:
    live = await create_article(
        session,
        slug="garbage-collection-day",
        title="Garbage collection day",
        agency=works,
        short_answer=ANSWER,
        keywords="garbage trash collection pickup day bin",
    )
    assert isinstance(live, LiveArticle)
    await session.commit()
    return live


async def _garbage_fr(session: AsyncSession, works: Agency, english: LiveArticle) -> None:
    """The garbage article's French version."""
    await create_article(
        session,
        slug="collecte-des-ordures",
        title="Jour de collecte des ordures",
        language="fr",
        agency=works,
        short_answer="Les ordures sont ramassées chaque mardi matin.",
        keywords="ordures déchets poubelle collecte ramassage",
        variant_of=english.article_id,
    )


async def _maria_case(session: AsyncSession, works: Agency, *, phone_verified: bool = False) -> Case:
    service = await create_service(session, agency=works)
    maria = await create_citizen(session, phone=MARIA_PHONE, email="maria@example.org", phone_verified=phone_verified)
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=works.id,
        title="Pothole on Elm St",
        channel="web",
        service_id=service.id,
        citizen_id=maria.id,
    )
    case.status = CaseStatus.in_progress
    await session.commit()
    return case


# Knowledge answers and feedback


async def test_no_hands_off_as_not_helpful_and_records_the_feedback(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await _garbage(session, works)
    phone = Phone(client)
    assert (await phone.text("when is the trash picked up"))[0].startswith(ANSWER)
    assert await phone.text("no") == ["Sorry about that. A member of staff will answer here."]
    [item] = await work_items(session)
    assert item.context["assistant"]["reason"] == "not_helpful"
    assert item.context["assistant"]["intent"] == "feedback"
    assert item.context["assistant"]["question"] == "when is the trash picked up"
    answer = (await session.execute(select(AnswerRecord))).scalar_one()
    assert answer.helpful is False
    assert answer.feedback_at is not None


async def test_a_question_it_cannot_answer_is_handed_off_with_the_usual_acknowledgement(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await _garbage(session, works)
    phone = Phone(client)
    [ack] = await phone.text("My neighbour's dog barks all night")
    assert ack.startswith("Thanks, we have your message. A member of staff will answer here.")
    [item] = await work_items(session)
    assert item.context["assistant"]["reason"] == "low_confidence"
    assert item.context["assistant"]["intent"] == "question"
    item_id = str(item.id)
    [reply] = await assistant_replies(session)
    assert reply.payload["handed_off"] is True
    assert reply.payload["work_item_id"] == item_id


async def test_a_redelivered_webhook_gets_the_same_replies_and_no_second_turn(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await _garbage(session, works)
    phone = Phone(client)
    sid = "SM" + "b" * 32
    first = await phone.text("When is garbage day?", sid=sid)
    again = await phone.text("When is garbage day?", sid=sid)
    assert again == first
    assert len(first) == 2
    await fresh(session)
    assert await count(session, AnswerRecord) == 1
    assert await count(session, Interaction, Interaction.direction == Direction.outbound) == 2
    state = (await session.execute(select(AssistantSession))).scalar_one()
    assert state.turns == 1
    assert state.pending == "feedback"


async def test_a_french_question_is_answered_from_the_french_variant_in_french(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    english = await _garbage(session, works)
    await _garbage_fr(session, works, english)
    await session.commit()
    answer, question = await Phone(client).text("Quand est-ce que les ordures sont ramassées?")
    assert answer == "Les ordures sont ramassées chaque mardi matin. http://testserver/help/collecte-des-ordures"
    assert question == "Cela a-t-il répondu à votre question? Répondez OUI ou NON."


async def test_an_answer_from_a_version_older_than_the_other_language_says_so(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    with replaying(utcnow() - timedelta(days=30)):
        english = await _garbage(session, works)
        await _garbage_fr(session, works, english)
    fields = knowledge.ArticleFields(title=english.title, short_answer="Garbage is now collected on Wednesdays.")
    newer = await knowledge.save_draft(
        session, article_id=english.article_id, fields=fields, author_id=None, change_note="new day"
    )
    newer.status = VersionStatus.review
    await session.flush()
    await knowledge.publish(session, version_id=newer.id, staff_id=None)
    await session.commit()
    answer, note, question = await Phone(client).text("Quand est-ce que les ordures sont ramassées?")
    assert answer.startswith("Les ordures sont ramassées chaque mardi matin.")
    assert note == (
        "Attention : cette page a été mise à jour plus récemment en anglais; cette version n'est peut-être pas à jour."
    )
    assert question == "Cela a-t-il répondu à votre question? Répondez OUI ou NON."


async def test_two_misses_in_a_row_hand_off(client: httpx.AsyncClient, session: AsyncSession, works: Agency) -> None:
    await _garbage(session, works)
    phone = Phone(client)
    assert (await phone.text("hello"))[0].startswith("Hello!")
    [first] = await phone.text("???")
    assert first.startswith("Sorry, I did not understand.")
    assert await work_items(session) == []
    assert await phone.text("?!") == ["A member of staff will answer here."]
    [item] = await work_items(session)
    assert item.context["assistant"]["reason"] == "repeated_misses"


# Case status


async def test_a_reference_from_another_number_is_verified_before_any_status_is_given(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    reference = (await _maria_case(session, works)).reference
    stranger = Phone(client, number="+16135559999")
    [asked] = await stranger.text(f"What is the status of {reference.lower()}?")
    assert asked == "What email address or phone number did you give us for this request?"
    [wrong] = await stranger.text("someone@example.org")
    assert wrong == "That does not match what we have for this request. Please try again (2 left)."
    for said in (asked, wrong):
        assert "progress" not in said
        assert "pothole" not in said.lower()
    [status] = await stranger.text("It is Maria@Example.org")
    assert status.startswith(f"Your request {reference} (Report a pothole) is in progress.")
    state = (await (await fresh(session)).execute(select(AssistantSession))).scalar_one()
    assert state.verified == {"case_reference": reference, "method": "email on file"}

    assert await stranger.text("talk to an agent") == ["A member of staff will answer here."]
    [item] = await work_items(session)
    assert item.context["assistant"]["verified"] == {"case_reference": reference, "method": "email on file"}
    assert item.context["case_reference"] == reference


async def test_three_wrong_answers_end_the_check_and_hand_off(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    reference = (await _maria_case(session, works)).reference
    stranger = Phone(client, number="+16135559999")
    await stranger.text(f"status {reference}")
    await stranger.text("613 555 0000")
    await stranger.text("nobody@example.org")
    [last] = await stranger.text("guess@example.org")
    assert last == "I could not confirm that the request is yours. A member of staff will answer here."
    [item] = await work_items(session)
    assert item.context["assistant"]["reason"] == "needs_person"
    assert item.context["assistant"]["verified"] == {}
    assert all("progress" not in m for sent in stranger.received for m in sent)


async def test_the_case_owner_on_a_verified_phone_gets_the_status_at_once(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    reference = (await _maria_case(session, works, phone_verified=True)).reference
    maria = Phone(client, number=MARIA_PHONE)
    [status] = await maria.text("Where is my request?")
    assert status.startswith(f"Your request {reference} (Report a pothole) is in progress.")
    [again] = await maria.text(f"and {reference}?")
    assert again.startswith(f"Your request {reference}")
    assert await work_items(session) == []


# Applications and call-backs


async def test_applying_and_continuing_get_links_to_the_portal(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    service = await create_service(session, agency=works, translations={"fr": {"name": "Signaler un nid-de-poule"}})
    maria = await create_citizen(session, phone=MARIA_PHONE, phone_verified=True)
    await session.commit()
    phone = Phone(client, number=MARIA_PHONE)
    [start] = await phone.text("I want to report a pothole on Elm St")
    assert start == "Report a pothole: you can start online here: http://testserver/services/POTHOLE"
    [none] = await phone.text("continue my application")
    assert none.startswith("I could not find an application in progress.")
    await drafts.start_or_resume(session, citizen_id=maria.id, service_id=service.id)
    await session.commit()
    [resume] = await phone.text("I'd like to continue my application")
    assert resume.endswith("(Report a pothole) where you left off: http://testserver/services/POTHOLE/apply")
    [french] = await phone.text("Je voudrais signaler un nid-de-poule")
    assert french.startswith("Signaler un nid-de-poule : vous pouvez commencer en ligne ici")
    assert await work_items(session) == []


async def test_an_appointment_is_offered_by_its_booking_page_in_the_persons_language(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await session.commit()
    phone = Phone(client)

    [english] = await phone.text("I need to book an appointment")
    [french] = await phone.text("Je voudrais prendre un rendez-vous")

    assert english.startswith("You can book an appointment at one of our offices here: http://testserver/appointments")
    assert french.startswith(
        "Vous pouvez prendre rendez-vous dans un de nos bureaux ici : http://testserver/appointments"
    )
    assert await work_items(session) == []


async def test_a_call_back_is_booked_on_the_number_that_texted(
    client: httpx.AsyncClient, session: AsyncSession, works: Agency
) -> None:
    await _garbage(session, works)
    phone = Phone(client)
    assert (await phone.text("When is garbage day?"))[0].startswith(ANSWER)
    [booked] = await phone.text("Can someone call me back please")
    assert booked == f"Thanks. A member of staff will call you back at {RESIDENT}."
    [item] = await work_items(session)
    assert item.kind == "callback"
    assert item.context["callback_number"] == RESIDENT
    assert item.context["assistant"]["intent"] == "callback"


# Turned off


async def test_with_the_assistant_off_every_text_goes_to_a_person(
    session: AsyncSession, works: Agency, settings: Settings
) -> None:
    await _garbage(session, works)
    off = settings.model_copy(update={"assistant_enabled": False})
    runtime = build_runtime(off)
    try:
        transport = httpx.ASGITransport(app=create_app(off, runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            [ack] = await Phone(client).text("When is garbage day?")
    finally:
        await runtime.bus.wait_idle()
        await runtime.db.dispose()
    assert ack.startswith("Thanks, we have your message.")
    assert len(await work_items(session)) == 1
    assert await count(session, AssistantSession) == 0
    assert await count(session, AnswerRecord) == 0
