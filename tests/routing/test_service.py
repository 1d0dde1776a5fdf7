"""Which queue and SLA a new work item gets, and what it asks of agents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.support.db import record_statements
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel
from townsquare.routing import service as items
from townsquare.routing.models import BusinessCalendar, CapacityClass, Holiday, Queue, SlaTarget

MONDAY_9_TORONTO = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
async def setup(runtime: Runtime) -> AsyncIterator[tuple[AsyncSession, Agency]]:
    async with runtime.db.session() as session:
        agency = await create_agency(session)
        yield session, agency


async def test_most_specific_queue_wins_and_gives_its_skills_and_boost(setup: tuple[AsyncSession, Agency]) -> None:
    session, agency = setup
    session.add_all(
        [
            Queue(agency_id=agency.id, slug="all", name="Everything"),
            Queue(agency_id=agency.id, slug="phone", name="Phone", channels=["voice"], priority_boost=10),
            Queue(
                agency_id=agency.id,
                slug="roads-phone",
                name="Roads by phone",
                channels=["voice"],
                service_codes=["POTHOLE"],
                required_skills={"roads": 2},
            ),
            Queue(agency_id=agency.id, slug="closed", name="Closed", channels=["voice"], active=False),
        ]
    )
    await session.flush()
    call = await items.create(
        session, channel="voice", kind="call", agency_id=agency.id, received_at=MONDAY_9_TORONTO, priority=50
    )
    roads = await items.create(
        session, channel="voice", kind="call", agency_id=agency.id, received_at=MONDAY_9_TORONTO, service_code="POTHOLE"
    )
    mail = await items.create(
        session, channel="email", kind="message", agency_id=agency.id, received_at=MONDAY_9_TORONTO
    )
    queues = {q.id: q.slug for q in [await session.get(Queue, i.queue_id) for i in (call, roads, mail)] if q}
    assert [queues[i.queue_id] for i in (call, roads, mail) if i.queue_id] == ["phone", "roads-phone", "all"]
    assert call.priority == 60
    assert roads.required_skills == {"roads": 2}
    assert (call.capacity_class, mail.capacity_class) == (CapacityClass.voice, CapacityClass.async_)


async def _office_queue(session: AsyncSession, agency: Agency, *, holiday: date) -> BusinessCalendar:
    """The agency's one queue, open 08:30-16:30 on weekdays in Toronto, closed on `holiday`."""
    calendar = BusinessCalendar(
        agency_id=agency.id,
        name="Office",
        timezone="America/Toronto",
        hours={str(d): [["08:30", "16:30"]] for d in range(5)},
    )
    session.add(calendar)
    await session.flush()
    session.add(Holiday(calendar_id=calendar.id, day=holiday, name="A holiday"))
    session.add(Queue(agency_id=agency.id, slug="all", name="All", calendar_id=calendar.id))
    return calendar


async def test_sla_target_most_specific_and_in_business_hours(setup: tuple[AsyncSession, Agency]) -> None:
    session, agency = setup
    service = await create_service(session, agency=agency)
    await _office_queue(session, agency, holiday=date(2026, 11, 24))
    session.add_all(
        [
            SlaTarget(agency_id=agency.id, channel="email", first_response_seconds=8 * 3600, business_hours=True),
            SlaTarget(
                agency_id=agency.id,
                service_id=service.id,
                channel="email",
                first_response_seconds=3600,
                goal_percent=95,
            ),
            SlaTarget(agency_id=agency.id, first_response_seconds=600),
        ]
    )
    await session.flush()
    plain = await items.create(
        session, channel="email", kind="message", agency_id=agency.id, received_at=MONDAY_9_TORONTO
    )
    # 8 open hours from Monday 09:00: 7.5 h Monday, Tuesday is a holiday, 30 min on Wednesday.
    assert plain.sla_due_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    specific = await items.create(
        session,
        channel="email",
        kind="message",
        agency_id=agency.id,
        received_at=MONDAY_9_TORONTO,
        service_id=service.id,
    )
    assert specific.sla_due_at == MONDAY_9_TORONTO + timedelta(hours=1)
    assert specific.sla_goal_percent == 95
    chat = await items.create(
        session, channel="chat", kind="message", agency_id=agency.id, received_at=MONDAY_9_TORONTO
    )
    assert chat.sla_due_at == MONDAY_9_TORONTO + timedelta(minutes=10)  # the agency-wide target


async def test_without_targets_the_service_hours_then_channel_default_apply(setup: tuple[AsyncSession, Agency]) -> None:
    session, agency = setup
    service = await create_service(session, agency=agency, sla_target_hours=72)
    by_service = await items.create(
        session,
        channel="web",
        kind="form",
        agency_id=agency.id,
        received_at=MONDAY_9_TORONTO,
        service_id=service.id,
        sla_target_hours=72,
    )
    assert by_service.sla_due_at == MONDAY_9_TORONTO + timedelta(hours=72)  # no calendar: wall clock
    call = await items.create(session, channel="voice", kind="call", agency_id=agency.id, received_at=MONDAY_9_TORONTO)
    assert call.sla_due_at == MONDAY_9_TORONTO + timedelta(seconds=items.DEFAULT_SLA_SECONDS["voice"])


async def test_business_time_counts_only_holidays_still_ahead(setup: tuple[AsyncSession, Agency]) -> None:
    session, agency = setup
    calendar = await _office_queue(session, agency, holiday=date(2026, 11, 20))  # last Friday, already past
    session.add(SlaTarget(agency_id=agency.id, first_response_seconds=8 * 3600, business_hours=True))
    await session.flush()
    item = await items.create(session, channel="sms", kind="message", agency_id=agency.id, received_at=MONDAY_9_TORONTO)
    # 7.5 open hours on Monday, the last 30 minutes on Tuesday from 08:30 Toronto (13:30 UTC).
    assert item.sla_due_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)

    session.add(Holiday(calendar_id=calendar.id, day=date(2026, 11, 24), name="Tuesday"))
    await session.flush()
    later = await items.create(
        session, channel="sms", kind="message", agency_id=agency.id, received_at=MONDAY_9_TORONTO
    )
    assert later.sla_due_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # Tuesday closed: Wednesday instead


async def test_a_conversation_started_in_this_transaction_has_only_the_work_made_in_it(
    runtime: Runtime, setup: tuple[AsyncSession, Agency]
) -> None:
    session, agency = setup
    citizen = await create_citizen(session)
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.sms)
    with record_statements(runtime.db.engine) as seen:
        none_yet = await items.open_item_for_conversation(session, conversation_id=conversation.id, started_here=True)
    assert none_yet is None
    item = await items.create(
        session,
        channel="sms",
        kind="message",
        agency_id=agency.id,
        received_at=MONDAY_9_TORONTO,
        conversation_id=conversation.id,
    )
    with record_statements(runtime.db.engine) as later:
        made = await items.open_item_for_conversation(session, conversation_id=conversation.id, started_here=True)
        on_voice = await items.open_item_for_conversation(
            session, conversation_id=conversation.id, channel="voice", started_here=True
        )
    assert made is item
    assert on_voice is None
    assert not seen.queries
    assert not later.queries
    assert await items.open_item_for_conversation(session, conversation_id=conversation.id) is item  # as read
