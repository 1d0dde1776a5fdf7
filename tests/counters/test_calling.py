"""Serving at a counter: "call next" never gives one ticket to two clerks (on PostgreSQL the calls overlap; on
SQLite they take turns), appointments are called ahead of walk-ins from their booked time on, and every state
change is a timestamped period giving the wait, walk-up, service and hold times."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agent
from tests.support.counters import make_office, seat, ticket
from townsquare.app import Runtime
from townsquare.counters import calling, ending, periods, staffing
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket
from townsquare.errors import Problem
from townsquare.offices.models import Counter

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_two_clerks_pressing_call_next_at_once_never_call_the_same_ticket(runtime: Runtime) -> None:
    async with runtime.db.session() as setup:
        place = await make_office(setup, clerks=0)
        counters = [Counter(office_id=place.office.id, label=str(n)) for n in range(3, 7)]
        setup.add_all(counters)
        clerks = [await create_agent(setup, email=f"c{n}@city.example", agencies=[place.agency]) for n in range(4)]
        for clerk, counter in zip(clerks, counters, strict=True):
            await staffing.open_counter(setup, counter=counter, staff_id=clerk.id, now=at(0))
        for n in range(6):
            await ticket(setup, place, at=at(n))
        await setup.commit()

    async def press(clerk_id: uuid.UUID, counter: Counter) -> str | None:
        async with runtime.db.session() as session:
            called = await calling.call_next(session, counter=counter, staff_id=clerk_id, now=at(10))
            await asyncio.sleep(0.05)  # hold what this call locked while the others press too
            await session.commit()
            return called.label if called else None

    first = await asyncio.gather(*(press(c.id, k) for c, k in zip(clerks, counters, strict=True)))
    labels = [label for label in first if label is not None]
    assert len(set(labels)) == 4
    async with runtime.db.session(deferred=True) as check:
        rows = (await check.execute(select(Ticket.label, Ticket.counter_id, Ticket.state))).all()
    called = {label: counter for label, counter, state in rows if state is TicketState.called}
    assert sorted(called) == sorted(labels)
    assert len(set(called.values())) == 4  # each at its own counter
    assert sorted(labels) == ["P-001", "P-002", "P-003", "P-004"]  # the first four in line, nobody skipped


async def test_an_appointment_is_called_ahead_of_walk_ins_from_its_booked_time_on(session: AsyncSession) -> None:
    place = await make_office(session, clerks=1)
    await seat(session, place, at=at(0))
    walk_in = await ticket(session, place, at=at(0))
    booked = await ticket(session, place, service=place.licence, at=at(1), booked_for=at(20))
    later = await ticket(session, place, at=at(2))
    counter, clerk = place.counters[0], place.clerks[0].id

    first = await calling.call_next(session, counter=counter, staff_id=clerk, now=at(5))
    assert first is not None
    assert first.id == walk_in.id
    await calling.start(session, ticket_id=first.id, counter=counter, staff_id=clerk, now=at(6))
    await ending.finish(session, ticket_id=first.id, counter=counter, staff_id=clerk, now=at(20))
    second = await calling.call_next(session, counter=counter, staff_id=clerk, now=at(21))
    assert second is not None
    assert second.id == booked.id
    assert booked.estimated_wait_seconds is None  # an appointment is called at its time, not estimated
    await calling.transfer(session, ticket_id=second.id, counter=counter, staff_id=clerk, now=at(22))
    again = await calling.call_next(session, counter=counter, staff_id=clerk, now=at(23))
    assert again is not None
    assert again.id == booked.id
    assert later.state is TicketState.waiting


async def test_every_state_change_is_timed_giving_wait_walk_up_service_and_hold(session: AsyncSession) -> None:
    place = await make_office(session, clerks=2)
    await seat(session, place, at=at(0))
    one, two = place.counters
    first, second = (c.id for c in place.clerks)
    made = await ticket(session, place, at=at(0))
    assert (await calling.call_next(session, counter=one, staff_id=first, now=at(12))) is not None
    await calling.recall(session, ticket_id=made.id, counter=one, staff_id=first, now=at(13))
    await calling.start(session, ticket_id=made.id, counter=one, staff_id=first, now=at(14))
    await calling.hold(session, ticket_id=made.id, counter=one, staff_id=first, now=at(20))
    await calling.resume(session, ticket_id=made.id, counter=two, staff_id=second, now=at(25))
    await ending.finish(session, ticket_id=made.id, counter=two, staff_id=second, now=at(31))

    assert (made.state, made.recalls, made.counter_id, made.staff_id) == (TicketState.finished, 1, two.id, second)
    assert (made.called_at, made.last_called_at, made.started_at, made.finished_at) == (at(12), at(13), at(14), at(31))
    assert made.actual_wait_seconds == 12 * 60
    assert (made.wait_seconds, made.walk_up_seconds, made.service_seconds, made.hold_seconds) == (720, 120, 720, 300)
    history = [(p.state, p.started_at, p.ended_at) for p in await periods.of(session, ticket_id=made.id)]
    assert history == [
        (TicketState.waiting, at(0), at(12)),
        (TicketState.called, at(12), at(14)),
        (TicketState.serving, at(14), at(20)),
        (TicketState.held, at(20), at(25)),
        (TicketState.serving, at(25), at(31)),
    ]


async def test_a_no_show_needs_the_recalls_and_a_counter_serves_one_ticket_at_a_time(session: AsyncSession) -> None:
    place = await make_office(session, clerks=1)
    await seat(session, place, at=at(0))
    counter, clerk = place.counters[0], place.clerks[0].id
    made = await ticket(session, place, at=at(0))
    await ticket(session, place, at=at(1))
    await calling.call_next(session, counter=counter, staff_id=clerk, now=at(2))
    with pytest.raises(Problem) as busy:
        await calling.call_next(session, counter=counter, staff_id=clerk, now=at(3))
    assert busy.value.status == 409
    assert "P-001" in busy.value.detail
    with pytest.raises(Problem) as early:
        await ending.no_show(session, ticket_id=made.id, counter=counter, staff_id=clerk, recalls_needed=2, now=at(3))
    assert early.value.status == 409
    assert "0 of 2" in early.value.detail
    for minute in (4, 5):
        await calling.recall(session, ticket_id=made.id, counter=counter, staff_id=clerk, now=at(minute))
    await ending.no_show(session, ticket_id=made.id, counter=counter, staff_id=clerk, recalls_needed=2, now=at(7))
    assert (made.state, made.walk_up_seconds, made.service_seconds) == (TicketState.no_show, 300, 0)
    nxt = await calling.call_next(session, counter=counter, staff_id=clerk, now=at(8))
    assert nxt is not None
    assert nxt.label == "P-002"


async def test_only_the_clerk_at_the_counter_acts_there_and_a_transfer_to_a_counter_waits_for_it(
    session: AsyncSession,
) -> None:
    place = await make_office(session, clerks=2)
    await seat(session, place, at=at(0))
    one, two = place.counters
    first, second = (c.id for c in place.clerks)
    made = await ticket(session, place, at=at(0))
    with pytest.raises(Problem) as elsewhere:
        await calling.call_next(session, counter=two, staff_id=first, now=at(1))
    assert elsewhere.value.status == 409
    await calling.call_next(session, counter=one, staff_id=first, now=at(1))
    await calling.transfer(
        session, ticket_id=made.id, counter=one, staff_id=first, to_service_id=place.licence.id, to_counter_id=two.id
    )
    assert (made.state, made.service_id, made.target_counter_id) == (TicketState.waiting, place.licence.id, two.id)
    assert made.label == "P-001"  # the number stays with the person
    assert await calling.call_next(session, counter=one, staff_id=first, now=at(3)) is None
    called = await calling.call_next(session, counter=two, staff_id=second, now=at(3))
    assert called is not None
    assert called.id == made.id
