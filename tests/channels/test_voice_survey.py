"""CSAT end to end on voice: when the agent hangs up, the caller hears one question and presses 1 to 5 (Twilio's
<Gather numDigits="1" input="dtmf">); a wrong key is apologised for and asked once more; a transfer's <Dial
action> leads to the same question. Every request is signed as Twilio signs it."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import post_twilio
from tests.channels.test_voice import CITY, MARIA, call, form, new_sid, parse, path_of, press, said
from tests.factories import create_agency, create_agent, create_citizen, create_service
from tests.support.db import fresh
from townsquare.analytics.surveys.models import Survey
from townsquare.channels import voice_twiml
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings


@dataclass
class World:
    citizen_id: uuid.UUID
    agent_id: uuid.UUID


@pytest.fixture
async def world(session: AsyncSession) -> World:
    agency = await create_agency(session, slug="city-works", contact=("voice", CITY))
    await create_service(session, agency=agency, code="POTHOLE", name="Pothole repair")
    citizen = await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    agent = await create_agent(session, email="ana@city.example", agencies=[agency])
    await session.commit()
    return World(citizen.id, agent.id)


async def talk_to_an_agent(client: httpx.AsyncClient, session: AsyncSession, world: World, sid: str) -> str:
    """Call, press 0, be answered by the agent: the queue's action URL, for when the agent hangs up."""
    enqueue = (await press(client, await call(client, sid), sid, "0")).find("Enqueue")
    assert enqueue is not None
    await session.execute(update(WorkItem).values(status=WorkItemStatus.assigned, assigned_to_id=world.agent_id))
    await session.commit()
    return path_of(enqueue.attrib["action"])


async def agent_hangs_up(client: httpx.AsyncClient, action: str, sid: str) -> ET.Element:
    return parse(await post_twilio(client, action, form(sid, QueueResult="bridged", QueueTime="40")))


def survey_gather(root: ET.Element) -> ET.Element:
    gather = root.find("Gather")
    assert gather is not None, ET.tostring(root)
    assert (gather.attrib["numDigits"], gather.attrib["input"]) == ("1", "dtmf")
    assert "/channels/voice/twilio/survey?survey=" in gather.attrib["action"]
    return gather


async def surveys(session: AsyncSession) -> list[Survey]:
    await fresh(session)
    return list((await session.execute(select(Survey))).scalars())


async def test_after_the_agent_hangs_up_the_caller_presses_4_and_it_is_kept(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    action = await talk_to_an_agent(client, session, world, sid)

    asked = await agent_hangs_up(client, action, sid)

    gather = survey_gather(asked)
    assert "how satisfied are you" in said(asked).lower()
    done = parse(await post_twilio(client, path_of(gather.attrib["action"]), form(sid, Digits="4")))
    assert "Thank you for your answer" in said(done)
    assert done.find("Hangup") is not None
    [survey] = await surveys(session)
    the_call = (await session.execute(select(Interaction).where(Interaction.kind == InteractionKind.call))).scalar_one()
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert (survey.score, survey.channel, survey.answered_on) == (4, "voice", "voice")
    assert (survey.citizen_id, survey.staff_id) == (world.citizen_id, world.agent_id)
    assert (survey.interaction_id, survey.work_item_id) == (the_call.id, item.id)
    assert survey.subject_key == f"call:{the_call.id}"


async def test_a_wrong_key_is_apologised_for_and_asked_once_more_then_the_call_ends(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    sid = new_sid()
    gather = survey_gather(await agent_hangs_up(client, await talk_to_an_agent(client, session, world, sid), sid))

    wrong = parse(await post_twilio(client, path_of(gather.attrib["action"]), form(sid, Digits="9")))
    assert "Sorry, that is not a choice" in said(wrong)
    retry = survey_gather(wrong)
    assert "tries=1" in retry.attrib["action"]
    silent = parse(await post_twilio(client, path_of(retry.attrib["action"]), form(sid)))  # no key at all

    assert "Thank you for calling" in said(silent)
    assert silent.find("Gather") is None
    assert silent.find("Hangup") is not None
    [survey] = await surveys(session)
    assert survey.score is None


async def test_a_second_call_soon_after_is_not_surveyed_and_a_forged_key_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    first = new_sid()
    gather = survey_gather(await agent_hangs_up(client, await talk_to_an_agent(client, session, world, first), first))
    forged = await post_twilio(client, path_of(gather.attrib["action"]), form(first, Digits="5"), signature="")
    assert forged.status_code in (401, 403)
    await post_twilio(client, path_of(gather.attrib["action"]), form(first, Digits="5"))

    second = new_sid()
    await session.execute(update(WorkItem).values(status=WorkItemStatus.done))
    await session.commit()
    again = await agent_hangs_up(client, await talk_to_an_agent(client, session, world, second), second)

    assert again.find("Gather") is None
    assert again.find("Hangup") is not None
    [survey] = await surveys(session)
    assert survey.score == 5


async def test_a_transfer_dials_with_an_action_that_leads_to_the_survey(
    client: httpx.AsyncClient, session: AsyncSession, world: World, settings: Settings
) -> None:
    transfer = settings.model_copy(update={"voice_transfer_number": "+16135550999"})
    twiml = ET.fromstring(str(voice_twiml.to_person(transfer, "en", [], agency_slug="city-works")))
    dial = twiml.find("Dial")
    assert dial is not None
    assert dial.text == "+16135550999"
    assert path_of(dial.attrib["action"]) == "/channels/voice/twilio/dial-result?lang=en"
    sid = new_sid()
    await call(client, sid)

    ended = parse(
        await post_twilio(client, "/channels/voice/twilio/dial-result?lang=en", form(sid, DialCallStatus="completed"))
    )
    busy = parse(
        await post_twilio(client, "/channels/voice/twilio/dial-result?lang=en", form(new_sid(), DialCallStatus="busy"))
    )

    survey_gather(ended)
    assert busy.find("Gather") is None
    [survey] = await surveys(session)
    assert survey.channel == "voice"
