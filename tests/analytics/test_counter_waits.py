"""The estimated wait's accuracy: mean absolute error and the share within five minutes, for the tickets that ended
in a period, per office and together, for the offices of the viewer's agencies only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.support.counters import make_office, seat, ticket
from townsquare.analytics.counter_waits import accuracy, wait_accuracy
from townsquare.counters import calling, ending

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_error_is_absolute_and_five_minutes_either_way_counts_as_within() -> None:
    figures = accuracy([(600, 600), (600, 900), (900, 600), (600, 1260)])
    assert figures.tickets == 4
    assert figures.mean_absolute_error_seconds == (0 + 300 + 300 + 660) / 4
    assert figures.within_five_minutes_percent == 75.0
    assert accuracy([]).mean_absolute_error_seconds is None


async def test_finished_tickets_keep_their_estimate_and_actual_wait_for_the_measure(session: AsyncSession) -> None:
    place = await make_office(session, clerks=1)
    other = await make_office(session, clerks=1, slug="north", agency=await create_agency(session, slug="north"))
    await seat(session, place, at=at(0))
    counter, clerk = place.counters[0], place.clerks[0].id
    waiting = []
    for n in range(3):
        waiting.append(await ticket(session, place, at=at(n)))
    assert [t.estimated_wait_seconds for t in waiting] == [0, 600, 1200]
    for n, made in enumerate(waiting):  # called at 5, 25 and 45 minutes: waits of 5, 24 and 43 minutes
        await calling.call_next(session, counter=counter, staff_id=clerk, now=at(5 + 20 * n))
        await calling.start(session, ticket_id=made.id, counter=counter, staff_id=clerk, now=at(6 + 20 * n))
        await ending.finish(session, ticket_id=made.id, counter=counter, staff_id=clerk, now=at(20 + 20 * n))
    await ticket(session, other, at=at(1))  # another agency's office, still waiting: not counted anywhere
    assert [(t.estimated_wait_seconds, t.actual_wait_seconds) for t in waiting] == [(0, 300), (600, 1440), (1200, 2580)]

    every, office = await wait_accuracy(session, agency_ids={place.agency.id}, since=at(0), until=at(120))
    assert (every.tickets, office.label, office.tickets) == (3, "Service Centre", 3)
    assert office.mean_absolute_error_seconds == (300 + 840 + 1380) / 3
    assert office.within_five_minutes_percent == 33.3
    assert await wait_accuracy(session, agency_ids={place.agency.id}, since=at(61), until=at(120)) == [accuracy([])]
