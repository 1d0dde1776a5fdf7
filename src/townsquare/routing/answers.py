"""The agent's answers to work: accept, decline, complete, transfer, escalate; call-backs and withdrawals.

Each answer changes an item only from the state the caller saw (`accept` needs `offered` and the same holder),
locking the item first, so an answer never races a routing pass into giving one item to two people. Work an
answer puts back in the queue is offered again by the next pass. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.routing import events, offers
from townsquare.routing import service as items
from townsquare.routing.models import (
    OPEN_STATUSES,
    Agent,
    CapacityClass,
    OfferOutcome,
    Team,
    TransferKind,
    WorkItem,
    WorkItemStatus,
    WorkTransfer,
    WrapUpCode,
)
from townsquare.staff.models import StaffAgency

ESCALATED_PRIORITY = 90


async def get_item(session: AsyncSession, *, item_id: uuid.UUID) -> WorkItem:
    """The work item, or a 404 problem."""
    item = await session.get(WorkItem, item_id)
    if item is None:
        raise not_found("Work item", "No work item has that id.")
    return item


def _not_yours(item: WorkItem, staff_id: uuid.UUID, *states: WorkItemStatus) -> bool:
    return item.assigned_to_id != staff_id or item.status not in states


async def _back_to_queue(
    session: AsyncSession, item: WorkItem, staff_id: uuid.UUID, now: datetime, *, how: str, outcome: OfferOutcome
) -> WorkItem:
    """The agent lets the work go back to the queue (declined, transferred, escalated); they are free again."""
    await offers.close_offer(session, item, outcome=outcome, now=now, released_how=how)
    offers.requeue(item)
    await offers.after_release(session, staff_id, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason=how, staff_id=staff_id)
    return item


async def accept(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime | None = None
) -> WorkItem:
    """The agent takes the work offered to them."""
    now = now or utcnow()
    item = await offers.lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.offered):
        raise conflict("This offer is no longer yours: it timed out, or someone else has the work now.")
    if item.offer_expires_at is not None and item.offer_expires_at < now:
        raise conflict("This offer timed out; the work goes back to the queue.")
    item.status = WorkItemStatus.assigned
    item.offer_expires_at = None
    if item.first_answered_at is None and item.capacity_class is not CapacityClass.async_:
        item.first_answered_at = now  # a call or chat is answered when a person picks it up
    offer = await offers.open_offer(session, item)
    if offer is not None:
        offer.outcome = OfferOutcome.accepted
        offer.responded_at = now
    await session.flush()
    events.item_changed(session, item)
    return item


async def decline(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime | None = None
) -> WorkItem:
    """The agent passes on an offer; it goes back to the queue, to someone else for a while."""
    now = now or utcnow()
    item = await offers.lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.offered):
        raise conflict("This offer is no longer yours to decline.")
    return await _back_to_queue(session, item, staff_id, now, how="declined", outcome=OfferOutcome.declined)


async def wrap_up_codes(session: AsyncSession, *, agency_id: uuid.UUID) -> list[WrapUpCode]:
    """The agency's active wrap-up codes, by label."""
    stmt = (
        select(WrapUpCode)
        .where(WrapUpCode.agency_id == agency_id, WrapUpCode.active.is_(True))
        .order_by(WrapUpCode.label)
    )
    return list((await session.execute(stmt)).scalars())


async def complete(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    staff_id: uuid.UUID,
    wrap_up_code: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """The agent is done with the work: record how it ended; a call or chat leaves them in wrap-up a while."""
    now = now or utcnow()
    item = await offers.lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned):
        raise conflict("Only the person handling this work can complete it.")
    codes = {c.code for c in await wrap_up_codes(session, agency_id=item.agency_id)}
    if codes and wrap_up_code not in codes:
        raise invalid(
            "Choose how the contact ended from the agency's wrap-up codes.",
            FieldError("wrap_up_code", "missing" if not wrap_up_code else f"'{wrap_up_code}' is not a wrap-up code"),
        )
    item.status = WorkItemStatus.done
    item.wrap_up_code = wrap_up_code
    item.outcome = (outcome or "").strip()[:2000] or None
    item.closed_at = now
    item.offer_expires_at = None
    if item.first_answered_at is None:
        item.first_answered_at = now
    await offers.close_offer(session, item, outcome=None, now=now, released_how="completed")
    await offers.after_release(session, staff_id, now, wrap_up=item.capacity_class is not CapacityClass.async_)
    await session.flush()
    events.item_changed(session, item, reason="completed", staff_id=staff_id)
    return item


async def transfer(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    staff_id: uuid.UUID,
    to_staff_id: uuid.UUID | None = None,
    to_team_id: uuid.UUID | None = None,
    to_agency_id: uuid.UUID | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Hand the work to one agent, a team or another agency; everything gathered so far goes with it."""
    now = now or utcnow()
    if sum(x is not None for x in (to_staff_id, to_team_id, to_agency_id)) != 1:
        raise invalid("Transfer to one agent, one team or one agency.", FieldError("to", "choose exactly one"))
    item = await offers.lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned, WorkItemStatus.offered):
        raise conflict("Only the person handling this work can transfer it.")
    record = WorkTransfer(
        work_item_id=item.id, kind=TransferKind.transfer, at=now, from_staff_id=staff_id, note=(note or "")[:1000]
    )
    item.target_staff_id = item.target_team_id = None
    item.target_role = None
    if to_staff_id is not None:
        member = await session.get(StaffAgency, (to_staff_id, item.agency_id))
        if member is None or await session.get(Agent, to_staff_id) is None:
            raise invalid("That person is not an agent of this agency.", FieldError("to", "not an agent here"))
        item.target_staff_id = record.to_staff_id = to_staff_id
    elif to_team_id is not None:
        team = await session.get(Team, to_team_id)
        if team is None:
            raise invalid("No team has that id.", FieldError("to", "unknown team"))
        await _move_agency(session, item, team.agency_id)
        item.target_team_id = record.to_team_id = team.id
    elif to_agency_id is not None:
        await _move_agency(session, item, to_agency_id)
        record.to_agency_id = to_agency_id
    session.add(record)
    return await _back_to_queue(session, item, staff_id, now, how="transferred", outcome=OfferOutcome.accepted)


async def _move_agency(session: AsyncSession, item: WorkItem, agency_id: uuid.UUID) -> None:
    if agency_id == item.agency_id:
        return
    service = await session.get(Service, item.service_id) if item.service_id else None
    queue = await items.choose_queue(
        session, agency_id=agency_id, channel=item.channel, service_code=service.code if service else None
    )
    item.agency_id = agency_id
    item.queue_id = queue.id if queue else None
    item.required_skills = dict(queue.required_skills) if queue else {}


async def escalate(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, reason: str, now: datetime | None = None
) -> WorkItem:
    """Send the work to a supervisor, ahead of ordinary work, with the reason."""
    now = now or utcnow()
    reason = reason.strip()
    if not reason:
        raise invalid("Say why this needs a supervisor.", FieldError("reason", "empty"))
    item = await offers.lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned, WorkItemStatus.offered):
        raise conflict("Only the person handling this work can escalate it.")
    item.target_role = "supervisor"
    item.target_staff_id = None
    item.priority = max(item.priority, ESCALATED_PRIORITY)
    item.escalated_at = now
    session.add(
        WorkTransfer(
            work_item_id=item.id,
            kind=TransferKind.escalation,
            at=now,
            from_staff_id=staff_id,
            to_role="supervisor",
            note=reason[:1000],
        )
    )
    return await _back_to_queue(session, item, staff_id, now, how="escalated", outcome=OfferOutcome.accepted)


async def schedule_callback(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    citizen_id: uuid.UUID,
    phone: str,
    at: datetime,
    case_id: uuid.UUID | None = None,
    note: str | None = None,
    staff_id: uuid.UUID | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> WorkItem:
    """A call-back to `phone` at `at`: held out of the queue until then, then routed like a call."""
    now = now or utcnow()
    if at < now - timedelta(minutes=1):
        raise invalid("A call-back must be scheduled for a time still to come.", FieldError("at", "in the past"))
    item = await items.create(
        session,
        channel="voice",
        kind="callback",
        agency_id=agency_id,
        received_at=now,
        citizen_id=citizen_id,
        case_id=case_id,
        language=language,
        not_before=at,
        context={
            "callback_number": phone,
            "scheduled_for": at.isoformat(),
            "note": (note or "")[:1000],
            "scheduled_by": str(staff_id) if staff_id else None,
        },
    )
    events.item_changed(session, item)
    return item


async def withdraw(session: AsyncSession, *, item_id: uuid.UUID, now: datetime | None = None) -> WorkItem | None:
    """The contact went away before anyone answered (the caller hung up): cancel the work, free the agent."""
    now = now or utcnow()
    item = await offers.lock_item(session, item_id)
    if item.status not in (WorkItemStatus.queued, WorkItemStatus.offered):
        return None
    holder = item.assigned_to_id
    await offers.close_offer(session, item, outcome=OfferOutcome.withdrawn, now=now, released_how="withdrawn")
    item.status = WorkItemStatus.cancelled
    item.assigned_to_id = None
    item.offer_expires_at = None
    item.closed_at = now
    if holder is not None:
        await offers.after_release(session, holder, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason="withdrawn")
    return item


async def done_elsewhere(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, outcome: str, now: datetime | None = None
) -> WorkItem | None:
    """The work was done from its own page (a review decided there): close it as done, freeing whoever held it."""
    now = now or utcnow()
    item = await offers.lock_item(session, item_id)
    if item.status not in OPEN_STATUSES:
        return None
    holder = item.assigned_to_id
    await offers.close_offer(session, item, outcome=None, now=now, released_how="completed")
    item.status = WorkItemStatus.done
    item.outcome = outcome[:2000]
    item.closed_at = now
    item.offer_expires_at = None
    if item.first_answered_at is None:
        item.first_answered_at = now
    if holder is not None:
        await offers.after_release(session, holder, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason="completed", staff_id=staff_id)
    return item


async def transfers_of(session: AsyncSession, *, item_id: uuid.UUID) -> list[WorkTransfer]:
    """How the work was passed on (transfers and escalations), oldest first."""
    stmt = select(WorkTransfer).where(WorkTransfer.work_item_id == item_id).order_by(WorkTransfer.at, WorkTransfer.id)
    return list((await session.execute(stmt)).scalars())


async def teams_for(session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> list[Team]:
    """Teams of these agencies (all when None), by name."""
    stmt = select(Team).order_by(Team.name)
    if agency_ids is not None:
        stmt = stmt.where(Team.agency_id.in_(agency_ids))
    return list((await session.execute(stmt)).scalars())
