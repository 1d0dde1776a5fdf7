"""A supervisor gives work that waits — queued, or offered to someone who has not answered — to a person or a
team: offered to a named agent (who accepts or declines as with any offer), handed to them directly (theirs at
once), taken by the supervisor themselves, or put back in the queue for a team.

The agent's rules still hold: a member of the item's agency who speaks its language, has the skills it requires
and room in its capacity class (never over capacity, no new work during a call), present to be offered it (or
signed in to be handed it). Refused with every reason at once (`FieldError("staff_id", reason)`). The item and the
agent are locked first, as the routing pass locks them, so a supervisor and a pass never give one item twice.
Every change is a `work_item_transfers` row (kind `assignment`) and a released offer. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, invalid
from townsquare.routing import events, offers
from townsquare.routing.dispatch import DEFAULT_CONFIG, agent_states, item_state
from townsquare.routing.matching import AgentState, unfit
from townsquare.routing.models import (
    PULLED_CHANNELS,
    Agent,
    CapacityClass,
    OfferOutcome,
    Presence,
    Team,
    TransferKind,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
    WorkTransfer,
)
from townsquare.staff.models import StaffAccount, StaffAgency

WAITING = (WorkItemStatus.queued, WorkItemStatus.offered)
NOT_WAITING, OFFERED_ALREADY = "work-not-waiting", "work-offered-already"  # the two conflicts, by problem type


async def _waiting(session: AsyncSession, item_id: uuid.UUID) -> WorkItem:
    item = await offers.lock_item(session, item_id)
    if item.channel in PULLED_CHANNELS:
        raise Problem(409, "Conflict", "A visitor waiting at an office is called from a counter there.", NOT_WAITING)
    if item.status not in WAITING:
        raise Problem(
            409, "Conflict", "This work is no longer waiting: someone is handling it, or it is finished.", NOT_WAITING
        )
    return item


async def _fit(
    session: AsyncSession, item: WorkItem, staff_id: uuid.UUID, *, direct: bool, present: bool
) -> AgentState:
    """The agent as routing sees them, locked, if they may take the item now; else every reason they may not."""
    agent = await offers.lock_agent(session, staff_id)
    account = await session.get(StaffAccount, staff_id)
    if agent is None or account is None:
        raise invalid("That person has no routing profile, so work cannot be given to them.", _why("not_an_agent"))
    (state,) = await agent_states(session, [(agent, account.role)])
    reasons = unfit(state, item_state(item))
    if not present:
        if not account.active or agent.presence is Presence.offline:
            reasons.append("signed_out")
        elif not direct and agent.presence not in (Presence.available, Presence.busy):
            reasons.append("not_available")
    if reasons:
        raise invalid(f"{account.display_name} cannot take this work now.", *(_why(r) for r in reasons))
    return state


def _why(reason: str) -> FieldError:
    return FieldError("staff_id", reason)


async def _let_go(session: AsyncSession, item: WorkItem, now: datetime) -> uuid.UUID | None:
    """Release an offer nobody answered yet (its agent is free again); the one it was offered to."""
    holder = item.assigned_to_id if item.status is WorkItemStatus.offered else None
    await offers.close_offer(session, item, outcome=OfferOutcome.reassigned, now=now, released_how="reassigned")
    offers.requeue(item)
    if holder is not None:
        await offers.after_release(session, holder, now, wrap_up=False)
        events.item_changed(session, item, reason="reassigned", staff_id=holder)
    return holder


async def give(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    to_staff_id: uuid.UUID,
    by_staff_id: uuid.UUID,
    direct: bool,
    now: datetime | None = None,
    offer_seconds: Mapping[str, int] | None = None,
) -> WorkItem:
    """Offer the waiting work to one agent (`direct=False`: it waits for their answer, as a routing offer does) or
    hand it to them (`direct=True`: theirs at once). A supervisor taking it for themselves is `direct` with
    `to_staff_id == by_staff_id`, whatever their presence."""
    now = now or utcnow()
    item = await _waiting(session, item_id)
    if item.status is WorkItemStatus.offered and item.assigned_to_id == to_staff_id and not direct:
        raise Problem(409, "Conflict", "This work is already offered to them.", OFFERED_ALREADY)
    await _let_go(session, item, now)
    await session.flush()  # an offer to this very agent no longer counts against their room
    state = await _fit(session, item, to_staff_id, direct=direct, present=to_staff_id == by_staff_id)
    item.assigned_to_id = to_staff_id
    item.target_staff_id = None
    offer = WorkOffer(work_item_id=item.id, staff_id=to_staff_id, capacity_class=item.capacity_class, offered_at=now)
    if direct:
        item.status = WorkItemStatus.assigned
        item.offer_expires_at = None
        offer.expires_at, offer.outcome, offer.responded_at = now, OfferOutcome.accepted, now
        if item.first_answered_at is None and item.capacity_class is not CapacityClass.async_:
            item.first_answered_at = now  # a call or chat is answered when a person has it
    else:
        seconds = (offer_seconds or DEFAULT_CONFIG.offer_seconds).get(item.capacity_class.value, 60)
        item.status = WorkItemStatus.offered
        item.offer_expires_at = offer.expires_at = now + timedelta(seconds=seconds)
    session.add(offer)
    session.add(
        WorkTransfer(
            work_item_id=item.id,
            kind=TransferKind.assignment,
            at=now,
            from_staff_id=by_staff_id,
            to_staff_id=to_staff_id,
        )
    )
    agent = await offers.lock_agent(session, to_staff_id)
    if agent is not None:
        agent.idle_since = now
        state.load[item.capacity_class.value] = state.load.get(item.capacity_class.value, 0) + 1
        if not state.has_room() and agent.presence is Presence.available:
            offers.set_presence(session, agent, Presence.busy, now)
    await session.flush()
    events.item_changed(session, item, reason="reassigned")
    return item


async def give_to_team(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    team_id: uuid.UUID,
    by_staff_id: uuid.UUID,
    now: datetime | None = None,
) -> WorkItem:
    """Put the waiting work back in the queue for one team of its agency: only its members are offered it."""
    now = now or utcnow()
    item = await _waiting(session, item_id)
    team = await session.get(Team, team_id)
    if team is None or team.agency_id != item.agency_id:
        raise invalid("Choose a team of the work's agency.", FieldError("team_id", "not_here"))
    await _let_go(session, item, now)
    item.target_team_id = team.id
    item.target_staff_id = None
    session.add(
        WorkTransfer(
            work_item_id=item.id, kind=TransferKind.assignment, at=now, from_staff_id=by_staff_id, to_team_id=team.id
        )
    )
    await session.flush()
    events.item_changed(session, item, reason="reassigned", staff_id=by_staff_id)
    return item


async def candidates(session: AsyncSession, *, item: WorkItem) -> list[tuple[uuid.UUID, str, Presence, AgentState]]:
    """The agents of the item's agency (active accounts), by name, each as routing sees them: whom a supervisor may
    give it to, and why not where they may not (`unfit`)."""
    rows = (
        await session.execute(
            select(Agent, StaffAccount.role, StaffAccount.display_name)
            .join(StaffAccount, StaffAccount.id == Agent.staff_id)
            .join(StaffAgency, StaffAgency.staff_id == Agent.staff_id)
            .where(StaffAgency.agency_id == item.agency_id, StaffAccount.active.is_(True))
            .order_by(StaffAccount.display_name, StaffAccount.id)
        )
    ).all()
    states = await agent_states(session, [(agent, role) for agent, role, _ in rows])
    return [(agent.staff_id, name, agent.presence, state) for (agent, _, name), state in zip(rows, states, strict=True)]
