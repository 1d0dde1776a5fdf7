"""When a survey is asked, and when it is not: closed cases only, once per case, throttled per person (a setting),
never while a case waits on the person, never to a record merged away, and not at all when surveys are off."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.surveys.world import build_world, close_case, survey_messages, surveys_of
from tests.factories import create_agent, create_citizen, desk_work_item
from townsquare.analytics.surveys import inviting
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.citizens.models import Citizen
from townsquare.interactions.models import Channel
from townsquare.routing.models import WorkItemStatus
from townsquare.settings import Settings


async def test_only_a_resolved_or_closed_case_is_asked_about_and_only_once(
    session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(session)
    unthrottled = settings.model_copy(update={"csat_throttle_days": 0})
    await close_case(session, unthrottled, world, status=CaseStatus.in_progress)
    await close_case(session, unthrottled, world, status=CaseStatus.cancelled)
    assert await surveys_of(session, world.citizen_id) == []

    case = await close_case(session, unthrottled, world, status=CaseStatus.resolved)
    await casework.change_status(session, settings=unthrottled, actor=world.clerk, case=case, status=CaseStatus.closed)
    await session.commit()

    [survey] = await surveys_of(session, world.citizen_id)
    assert survey.subject_key == f"case:{case.id}"
    another = await close_case(session, unthrottled, world)  # no throttle: another case is asked about
    assert len(await surveys_of(session, world.citizen_id)) == 2
    assert another.id != case.id


async def test_the_throttle_is_per_person_across_channels(session: AsyncSession, settings: Settings) -> None:
    world = await build_world(session)
    await close_case(session, settings, world, channel=Channel.web)  # asked by email
    await close_case(session, settings, world, channel=Channel.sms)  # within the window: not asked by text

    [survey] = await surveys_of(session, world.citizen_id)
    assert survey.channel == "email"
    assert await survey_messages(session, channel="sms") == []


async def test_nobody_is_asked_when_surveys_are_off_or_their_record_was_merged(
    session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(session)
    case_id = (await close_case(session, settings.model_copy(update={"csat_enabled": False}), world)).id
    assert await surveys_of(session, world.citizen_id) == []

    survivor = await create_citizen(session, name="Maria L.")
    await session.execute(update(Citizen).where(Citizen.id == world.citizen_id).values(merged_into_id=survivor.id))
    case = await session.get_one(Case, case_id)
    assert await inviting.after_case_closed(session, settings, case) is None


async def test_a_completed_contact_is_not_asked_about_while_its_case_waits_on_the_person(
    session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(session)
    agent = await create_agent(session, email="ana@city.example", agencies=[world.agency])
    case = await close_case(session, settings, world, status=CaseStatus.in_progress)
    await session.execute(update(Case).where(Case.id == case.id).values(status=CaseStatus.waiting_on_citizen))
    item = await desk_work_item(
        session, agency=world.agency, citizen=world.citizen, conversation_id=None, holder=agent, case_id=case.id
    )
    item.channel, item.status = "sms", WorkItemStatus.done
    await session.flush()

    assert await inviting.after_work_completed(session, settings, item) is None

    await session.execute(update(Case).where(Case.id == case.id).values(status=CaseStatus.in_progress))
    survey = await inviting.after_work_completed(session, settings, item)
    assert survey is not None
    assert (survey.about, survey.channel, survey.staff_id, survey.work_item_id) == ("contact", "sms", agent.id, item.id)
    assert await inviting.after_work_completed(session, settings, item) is None  # once per contact
