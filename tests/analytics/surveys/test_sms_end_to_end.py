"""CSAT end to end on SMS: a case closes, the survey text is queued, the resident texts "4 thanks" to the Twilio
webhook, and the answer is kept, thanked for and never queued as new work; then the throttle and expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.surveys.world import (
    CITY,
    MARIA,
    build_world,
    close_case,
    contacts_for_people,
    survey_messages,
    surveys_of,
)
from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.factories import count
from tests.support.db import fresh
from townsquare.analytics.models import Touch
from townsquare.analytics.surveys.models import Survey
from townsquare.cases.models import CaseStatus
from townsquare.clock import utcnow
from townsquare.interactions.models import Direction, Interaction
from townsquare.settings import Settings

PATH = "/channels/sms/twilio"


def text(body: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": MARIA,
        "To": CITY,
        "Body": body,
        "NumMedia": "0",
    }


async def test_a_closed_case_asks_by_text_and_a_texted_4_thanks_is_the_answer(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world(session)
    case_id = (await close_case(session, settings, world)).id

    [survey] = await surveys_of(session, world.citizen_id)
    assert (survey.about, survey.channel, survey.contact_channel) == ("case", "sms", "sms")
    assert (survey.case_id, survey.agency_id, survey.service_id) == (case_id, world.agency_id, world.service_id)
    [queued] = await survey_messages(session, channel="sms")
    assert queued.recipient == MARIA
    assert "1 (very dissatisfied) to 5 (very satisfied)" in queued.payload["body"]
    items_before = await contacts_for_people(session)

    answered = await post_twilio(client, PATH, text("4 thanks, quick work"))

    assert answered.status_code == 200
    assert "Thank you for your answer" in answered.text
    [survey] = await surveys_of(session, world.citizen_id)
    assert (survey.score, survey.comment, survey.answered_on) == (4, "thanks, quick work", "sms")
    answer_id = survey.answer_interaction_id
    assert answer_id is not None
    assert await contacts_for_people(session) == items_before  # an answer is not a new contact for anyone to take
    assert await count(session, Touch, Touch.interaction_id == answer_id) == 0  # nor a contact about a need

    second = await close_case(session, settings, world)  # within the throttle window: nothing more is asked
    assert second.status is CaseStatus.resolved
    assert len(await surveys_of(session, world.citizen_id)) == 1
    assert len(await survey_messages(session, channel="sms")) == 1


async def test_a_text_that_is_not_an_answer_goes_on_as_a_contact_and_the_survey_waits(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world(session)
    await close_case(session, settings, world)
    items_before = await contacts_for_people(session)

    reply = await post_twilio(client, PATH, text("My bin was not collected on Friday"))

    assert reply.status_code == 200
    assert "Thank you for your answer" not in reply.text
    assert await contacts_for_people(session) == items_before + 1
    assert await count(session, Touch, Touch.channel == "sms") == 1  # a contact about a need, for analytics too
    [survey] = await surveys_of(session, world.citizen_id)
    assert survey.score is None
    assert survey.answered_at is None


async def test_an_answer_in_french_and_a_second_answer_keeps_the_first_score(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world(session, language="fr")
    await close_case(session, settings, world)
    [queued] = await survey_messages(session, channel="sms")
    assert "de 1 (très insatisfait) à 5 (très satisfait)" in queued.payload["body"]

    first = await post_twilio(client, PATH, text("5/5 service impeccable"))
    assert "Merci de votre réponse" in first.text
    items_before = await contacts_for_people(session)
    again = await post_twilio(client, PATH, text("2"))  # the survey is answered: this is an ordinary text now

    assert "Merci de votre réponse" not in again.text
    assert await contacts_for_people(session) == items_before + 1
    assert await count(session, Touch, Touch.channel == "sms") == 1  # a contact about a need, for analytics too
    [survey] = await surveys_of(session, world.citizen_id)
    assert (survey.score, survey.comment) == (5, "service impeccable")


async def test_an_expired_survey_takes_no_answer(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world(session)
    await close_case(session, settings, world)
    await session.execute(update(Survey).values(expires_at=utcnow() - timedelta(minutes=1)))
    await session.commit()

    reply = await post_twilio(client, PATH, text("5"))

    assert "Thank you for your answer" not in reply.text
    [survey] = await surveys_of(session, world.citizen_id)
    assert survey.score is None
    await fresh(session)
    inbound = await count(session, Interaction, Interaction.direction == Direction.inbound)
    assert inbound == 1  # kept as the ordinary contact it now is


async def test_nobody_is_asked_who_turned_surveys_off_or_texted_stop(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    world = await build_world(session)
    await post_twilio(client, PATH, text("STOP"))

    await close_case(session, settings, world)

    assert await surveys_of(session, world.citizen_id) == []
    assert await survey_messages(session, channel="sms") == []
