"""A ticket's periods, as the Q keeps them: moving a ticket to a state ends the period it was in and starts one in
the new state, so every state change is timestamped and the time spent in each state is a sum of periods.

Also the one place a ticket's change is announced (`CounterTicketChanged`, after commit). Never commits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket, TicketPeriod
from townsquare.events import CounterTicketChanged, publish_after_commit


def announce(session: AsyncSession, ticket: Ticket) -> None:
    """Tell the office's display screens (and desks) once the change commits."""
    publish_after_commit(
        session, CounterTicketChanged(ticket_id=ticket.id, office_id=ticket.office_id, state=ticket.state.value)
    )


async def move(
    session: AsyncSession,
    ticket: Ticket,
    state: TicketState,
    now: datetime,
    *,
    counter_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> None:
    """End the ticket's current period and start one in `state` (none once it has ended), and announce it."""
    current = await session.scalar(
        select(TicketPeriod).where(TicketPeriod.ticket_id == ticket.id, TicketPeriod.ended_at.is_(None))
    )
    if current is not None:
        current.ended_at = now
    ticket.state = state
    if state in (TicketState.waiting, TicketState.called, TicketState.serving, TicketState.held):
        session.add(
            TicketPeriod(
                ticket_id=ticket.id,
                state=state,
                service_id=ticket.service_id,
                counter_id=counter_id,
                staff_id=staff_id,
                started_at=now,
            )
        )
    await session.flush()
    announce(session, ticket)


async def of(session: AsyncSession, *, ticket_id: uuid.UUID) -> list[TicketPeriod]:
    """The ticket's periods, oldest first."""
    stmt = select(TicketPeriod).where(TicketPeriod.ticket_id == ticket_id).order_by(TicketPeriod.started_at)
    return list(await session.scalars(stmt))


def seconds_in(periods: list[TicketPeriod], now: datetime) -> dict[TicketState, int]:
    """Whole seconds spent in each state (a period still open counts up to `now`)."""
    spent: dict[TicketState, float] = defaultdict(float)
    for period in periods:
        spent[period.state] += ((period.ended_at or now) - period.started_at).total_seconds()
    return {state: round(total) for state, total in spent.items()}


async def close_totals(session: AsyncSession, ticket: Ticket, now: datetime) -> None:
    """Write the ticket's time in each state (wait, walk-up, service, hold) as it ends."""
    spent = seconds_in(await of(session, ticket_id=ticket.id), now)
    ticket.wait_seconds = spent.get(TicketState.waiting, 0)
    ticket.walk_up_seconds = spent.get(TicketState.called, 0)
    ticket.service_seconds = spent.get(TicketState.serving, 0)
    ticket.hold_seconds = spent.get(TicketState.held, 0)
