"""Serving at a counter: call the next ticket, recall it, start serving when the person walks up, hold and resume,
transfer (to another service, another counter, or back in line), finish with a wrap-up, or record a no-show after
enough recalls. Each change is a new period of the ticket (`periods.move`) and moves its work item alike.

"Call next" never gives one ticket to two clerks: candidates are read in the counter's order without locks, then
each in turn is locked with `FOR UPDATE SKIP LOCKED` (PostgreSQL) and taken only if it is still waiting; on SQLite
the write transaction holds the database's one write lock from its start, so calls take turns. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.counters import periods, staffing, work
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket
from townsquare.counters.order import InLine, for_counter
from townsquare.errors import FieldError, conflict, invalid
from townsquare.offices.models import Counter, OfficeService
from townsquare.routing.matching import eligible
from townsquare.routing.models import WorkItem

LINE_LIMIT = 500  # waiting tickets one call reads: far more than an office's line


async def lock(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket:
    """The ticket, locked and fresh from the database."""
    return await session.get_one(Ticket, ticket_id, with_for_update=True, populate_existing=True)


async def current(session: AsyncSession, *, counter_id: uuid.UUID) -> Ticket | None:
    """The ticket called to or being served at this counter, if any."""
    stmt = select(Ticket).where(
        Ticket.counter_id == counter_id, Ticket.state.in_((TicketState.called, TicketState.serving))
    )
    return await session.scalar(stmt.limit(1))


async def call_next(
    session: AsyncSession, *, counter: Counter, staff_id: uuid.UUID, now: datetime | None = None
) -> Ticket | None:
    """Call the next ticket this clerk may serve to this counter; None when nobody they may serve is waiting."""
    now = now or utcnow()
    await staffing.require_at(session, counter=counter, staff_id=staff_id)
    busy = await current(session, counter_id=counter.id)
    if busy is not None:
        raise conflict(f"Ticket {busy.label} is still at this counter: finish, hold or transfer it first.")
    me = await work.clerk(session, staff_id=staff_id)
    rows = (
        await session.execute(
            select(Ticket, WorkItem)
            .outerjoin(WorkItem, WorkItem.id == Ticket.work_item_id)
            .where(Ticket.office_id == counter.office_id, Ticket.state == TicketState.waiting)
            .order_by(Ticket.ticketed_at)
            .limit(LINE_LIMIT)
        )
    ).all()
    items = {t.id: i for t, i in rows}
    routed = await work.as_routed(session, [i for i in items.values() if i is not None])
    line = [_in_line(t, i) for t, i in rows]
    for candidate in for_counter(line, counter.id, now):
        item = items[candidate.ticket_id]
        if item is not None and item.id in routed and not eligible(me, routed[item.id]):
            continue
        ticket = await _still_waiting(session, candidate.ticket_id)
        if ticket is None:
            continue  # another clerk took it a moment ago
        await _called(session, ticket, counter, staff_id, now)
        return ticket
    return None


def _in_line(ticket: Ticket, item: WorkItem | None) -> InLine:
    return InLine(
        ticket.id,
        ticket.ticketed_at,
        ticket.booked_for,
        ticket.target_counter_id,
        item.priority if item is not None else 50,
        item.sla_due_at if item is not None else None,
    )


async def _still_waiting(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket | None:
    stmt = (
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.state == TicketState.waiting)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(stmt)


async def _called(session: AsyncSession, ticket: Ticket, counter: Counter, staff_id: uuid.UUID, now: datetime) -> None:
    ticket.counter_id, ticket.staff_id, ticket.target_counter_id = counter.id, staff_id, None
    ticket.last_called_at = now
    if ticket.called_at is None:
        ticket.called_at = now
        ticket.actual_wait_seconds = round((now - ticket.ticketed_at).total_seconds())
    await periods.move(session, ticket, TicketState.called, now, counter_id=counter.id, staff_id=staff_id)
    if ticket.work_item_id is not None:
        await work.take(session, item_id=ticket.work_item_id, staff_id=staff_id, now=now)


def _at_my_counter(ticket: Ticket, counter: Counter, *states: TicketState) -> None:
    if ticket.counter_id != counter.id or ticket.state not in states:
        raise conflict(f"Ticket {ticket.label} is not {_wording(states)} at this counter.")


STATE_WORDS = {TicketState.called: "called", TicketState.serving: "being served", TicketState.held: "on hold"}


def _wording(states: tuple[TicketState, ...]) -> str:
    return " or ".join(STATE_WORDS.get(s, s.value) for s in states)


async def at_my_counter(
    session: AsyncSession, ticket_id: uuid.UUID, counter: Counter, staff_id: uuid.UUID, *states: TicketState
) -> Ticket:
    """The ticket, locked, when this clerk is at this counter and the ticket is there in one of `states`."""
    await staffing.require_at(session, counter=counter, staff_id=staff_id)
    ticket = await lock(session, ticket_id)
    _at_my_counter(ticket, counter, *states)
    return ticket


async def recall(
    session: AsyncSession, *, ticket_id: uuid.UUID, counter: Counter, staff_id: uuid.UUID, now: datetime | None = None
) -> Ticket:
    """Call the same ticket again (the display shows it again); counted, for the no-show rule."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.called)
    ticket.recalls += 1
    ticket.last_called_at = now
    await session.flush()
    periods.announce(session, ticket)
    return ticket


async def start(
    session: AsyncSession, *, ticket_id: uuid.UUID, counter: Counter, staff_id: uuid.UUID, now: datetime | None = None
) -> Ticket:
    """The person walked up: serving starts (the walk-up time ends)."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.called)
    if ticket.started_at is None:
        ticket.started_at = now
    await periods.move(session, ticket, TicketState.serving, now, counter_id=counter.id, staff_id=staff_id)
    return ticket


async def hold(
    session: AsyncSession, *, ticket_id: uuid.UUID, counter: Counter, staff_id: uuid.UUID, now: datetime | None = None
) -> Ticket:
    """The person steps away (a form to fill in): the counter is free for the next; they come back to be served."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.serving)
    await periods.move(session, ticket, TicketState.held, now, counter_id=counter.id, staff_id=staff_id)
    return ticket


async def resume(
    session: AsyncSession, *, ticket_id: uuid.UUID, counter: Counter, staff_id: uuid.UUID, now: datetime | None = None
) -> Ticket:
    """A held ticket is served again, at this counter (any counter of its office), by this clerk."""
    now = now or utcnow()
    await staffing.require_at(session, counter=counter, staff_id=staff_id)
    ticket = await lock(session, ticket_id)
    if ticket.state is not TicketState.held or ticket.office_id != counter.office_id:
        raise conflict(f"Ticket {ticket.label} is not on hold at this office.")
    busy = await current(session, counter_id=counter.id)
    if busy is not None:
        raise conflict(f"Ticket {busy.label} is still at this counter: finish, hold or transfer it first.")
    ticket.counter_id, ticket.staff_id = counter.id, staff_id
    await periods.move(session, ticket, TicketState.serving, now, counter_id=counter.id, staff_id=staff_id)
    if ticket.work_item_id is not None:
        await work.hand_over(session, item_id=ticket.work_item_id, staff_id=staff_id, now=now)
    return ticket


async def transfer(
    session: AsyncSession,
    *,
    ticket_id: uuid.UUID,
    counter: Counter,
    staff_id: uuid.UUID,
    to_service_id: uuid.UUID | None = None,
    to_counter_id: uuid.UUID | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Back in line keeping its place: for another service of the office, for one counter, or for anyone."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.called, TicketState.serving)
    agency_moved = await _retarget(session, ticket, counter, to_service_id, to_counter_id)
    ticket.counter_id = None
    await periods.move(session, ticket, TicketState.waiting, now)
    if ticket.work_item_id is not None:
        if agency_moved is not None:
            await work.to_agency(
                session, item_id=ticket.work_item_id, staff_id=staff_id, agency_id=agency_moved, note=note, now=now
            )
        else:
            await work.release(session, item_id=ticket.work_item_id, staff_id=staff_id, now=now, how="transferred")
    return ticket


async def _retarget(
    session: AsyncSession,
    ticket: Ticket,
    counter: Counter,
    to_service_id: uuid.UUID | None,
    to_counter_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Point the ticket at its new service or counter; the new agency when the service is another agency's."""
    moved: uuid.UUID | None = None
    if to_counter_id is not None:
        target = await session.get(Counter, to_counter_id)
        if target is None or target.office_id != counter.office_id or not target.active:
            raise invalid("Choose an open counter of this office.", FieldError("to_counter", "not a counter here"))
        ticket.target_counter_id = target.id
    if to_service_id is not None and to_service_id != ticket.service_id:
        offered = await session.get(OfficeService, (counter.office_id, to_service_id))
        service = await session.get(Service, to_service_id)
        if offered is None or service is None or not service.active:
            raise invalid("Choose a service this office offers.", FieldError("to_service", "not offered here"))
        before = await session.get_one(Service, ticket.service_id)
        ticket.service_id = service.id
        moved = service.agency_id if service.agency_id != before.agency_id else None
        if ticket.work_item_id is not None:
            item = await session.get_one(WorkItem, ticket.work_item_id)
            item.service_id = service.id
            item.context = {**(item.context or {}), "service_code": service.code}
    return moved
