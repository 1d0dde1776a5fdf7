"""How a visit ends: finished at the counter with a wrap-up, or a no-show once the person was recalled enough times.
The ticket's time in each state is written, its work item completed, and the ending put on the person's timeline
as a line of the visit (which services, which counter, how it ended). Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.counters import periods, work
from townsquare.counters.calling import at_my_counter
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket, TicketPeriod
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, InteractionKind
from townsquare.offices.models import Counter

NO_SHOW_REFUSED = "no-show-too-soon"


async def finish(
    session: AsyncSession,
    *,
    ticket_id: uuid.UUID,
    counter: Counter,
    staff_id: uuid.UUID,
    wrap_up_code: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """The person was served: the visit ends with the agency's wrap-up code (422 when one is required and missing)."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.serving)
    if ticket.work_item_id is not None:
        await work.complete(
            session, item_id=ticket.work_item_id, staff_id=staff_id, wrap_up_code=wrap_up_code, outcome=outcome, now=now
        )
    ticket.outcome = (wrap_up_code or "")[:64] or None
    await _end(session, ticket, TicketState.finished, counter, now)
    return ticket


async def no_show(
    session: AsyncSession,
    *,
    ticket_id: uuid.UUID,
    counter: Counter,
    staff_id: uuid.UUID,
    recalls_needed: int,
    now: datetime | None = None,
) -> Ticket:
    """The person never came to the counter: allowed once they were recalled `recalls_needed` times."""
    now = now or utcnow()
    ticket = await at_my_counter(session, ticket_id, counter, staff_id, TicketState.called)
    if ticket.recalls < recalls_needed:
        raise Problem(
            409,
            "Recall first",
            f"Call ticket {ticket.label} again before recording a no-show "
            f"({ticket.recalls} of {recalls_needed} recalls so far).",
            NO_SHOW_REFUSED,
        )
    if ticket.work_item_id is not None:
        await work.no_show(session, item_id=ticket.work_item_id, staff_id=staff_id, now=now)
    ticket.outcome = "no_show"
    await _end(session, ticket, TicketState.no_show, counter, now)
    return ticket


async def _end(session: AsyncSession, ticket: Ticket, state: TicketState, counter: Counter, now: datetime) -> None:
    ticket.finished_at = now
    await periods.move(session, ticket, state, now)
    await periods.close_totals(session, ticket, now)
    await _on_timeline(session, ticket, counter)


async def _on_timeline(session: AsyncSession, ticket: Ticket, counter: Counter) -> None:
    """The visit's end as a line on the person's timeline: services asked for, the counter, how it ended."""
    if ticket.conversation_id is None:
        return
    served = await session.scalars(
        select(Service.name)
        .join(TicketPeriod, TicketPeriod.service_id == Service.id)
        .where(TicketPeriod.ticket_id == ticket.id)
        .order_by(TicketPeriod.started_at)
    )
    services = list(dict.fromkeys(served))
    how = "did not come when called" if ticket.state is TicketState.no_show else f"served at counter {counter.label}"
    conversation = await interactions.get_conversation(session, conversation_id=ticket.conversation_id)
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.counter,
        direction=Direction.internal,
        kind=InteractionKind.visit,
        body=f"Visit {ticket.label} ended: {how} ({', '.join(services)}).",
        payload={
            "ticket": ticket.label,
            "services": services,
            "counter": counter.label,
            "outcome": ticket.outcome,
            "wait_seconds": ticket.wait_seconds,
            "service_seconds": ticket.service_seconds,
        },
        staff_id=ticket.staff_id,
    )
