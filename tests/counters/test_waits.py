"""The estimated wait: the work ahead in the ticket's line (each ticket's service at its recent mean service time,
else the configured duration) divided by the counters of the service's agency serving now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.support.counters import make_office, seat, ticket
from townsquare.counters import calling, ending, waits
from townsquare.offices.models import OfficeService

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_work_ahead_is_shared_by_the_counters_serving() -> None:
    assert waits.estimate([600, 1200], counters=2) == 900
    assert waits.estimate([600, 1200], counters=0) == 1800  # nobody at a counter yet: as if one
    assert waits.estimate([], counters=3) == 0


async def test_a_new_ticket_waits_for_the_configured_durations_ahead_until_times_are_measured(
    session: AsyncSession,
) -> None:
    place = await make_office(session, clerks=2)
    first = await ticket(session, place, at=at(0))
    assert first.estimated_wait_seconds == 0
    await ticket(session, place, service=place.licence, at=at(1))
    third = await ticket(session, place, at=at(2))
    assert third.estimated_wait_seconds == 10 * 60 + 20 * 60  # nobody at a counter: one is assumed
    await seat(session, place, at=at(2))
    line = await waits.read_office(session, office_id=place.office.id, now=at(3))
    assert line.for_new(place.permit.id) == (10 * 60 + 20 * 60 + 10 * 60) // 2
    assert line.ahead_of(third.id, place.permit.id) == (2, (10 * 60 + 20 * 60) // 2)
    assert line.waiting() == 3


async def test_measured_service_times_replace_the_configured_duration(session: AsyncSession) -> None:
    place = await make_office(session, clerks=1)
    await seat(session, place, at=at(0))
    counter, clerk = place.counters[0], place.clerks[0].id
    for n in range(3):  # three permits served in 4 minutes each
        made = await ticket(session, place, at=at(10 * n))
        await calling.call_next(session, counter=counter, staff_id=clerk, now=at(10 * n + 1))
        await calling.start(session, ticket_id=made.id, counter=counter, staff_id=clerk, now=at(10 * n + 2))
        await ending.finish(session, ticket_id=made.id, counter=counter, staff_id=clerk, now=at(10 * n + 6))
    await ticket(session, place, at=at(40))
    await ticket(session, place, service=place.licence, at=at(41))
    line = await waits.read_office(session, office_id=place.office.id, now=at(42))
    assert line.mean_seconds[place.permit.id] == 240  # measured
    assert line.mean_seconds[place.licence.id] == 20 * 60  # none measured yet: configured
    assert line.for_new(place.permit.id) == 240 + 20 * 60


async def test_another_agencys_service_at_the_office_has_a_line_of_its_own(session: AsyncSession) -> None:
    place = await make_office(session, clerks=1)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    taxes = await create_service(session, agency=revenue, code="TAXES", name="Property taxes")
    session.add(OfficeService(office_id=place.office.id, service_id=taxes.id, ticket_prefix="T", duration_minutes=30))
    await session.flush()
    await seat(session, place, at=at(0))
    await ticket(session, place, service=taxes, at=at(1))
    await ticket(session, place, service=taxes, at=at(2))
    permit = await ticket(session, place, at=at(3))
    assert permit.estimated_wait_seconds == 0  # the tax line is Revenue's, served by Revenue's counters
    line = await waits.read_office(session, office_id=place.office.id, now=at(4))
    assert line.for_new(taxes.id) == 2 * 30 * 60  # nobody of Revenue at a counter: as if one
    assert line.waiting(taxes.id) == 2
    assert line.waiting(place.permit.id) == 1
