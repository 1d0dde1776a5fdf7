"""The universal queue's side of serving a ticket: a walk-in's work item is pulled by the clerk who calls it (no
routing pass offers it), held while they serve, handed over when another clerk resumes it, put back in the queue
by a transfer, completed with the agency's wrap-up codes, or closed as a no-show.

Who may call a ticket is the routing engine's rule for that clerk (`routing.matching.eligible`: the work's agency,
its language, its queue's skills and team, room in its capacity class). Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.routing import agents, engine, events, offers
from townsquare.routing.answers import done_elsewhere
from townsquare.routing.dispatch import agent_states, item_state
from townsquare.routing.matching import AgentState, ItemState
from townsquare.routing.models import OfferOutcome, Queue, WorkItem, WorkItemStatus, WorkOffer
from townsquare.staff.models import StaffAccount

NO_SHOW = "Did not come to the counter when called"


async def clerk(session: AsyncSession, *, staff_id: uuid.UUID) -> AgentState:
    """The clerk as routing sees them (a routing profile is made for someone who has none yet)."""
    agent = await agents.ensure_agent(session, staff_id=staff_id)
    account = await session.get_one(StaffAccount, staff_id)
    (state,) = await agent_states(session, [(agent, account.role)])
    return state


async def as_routed(session: AsyncSession, items: Sequence[WorkItem]) -> dict[uuid.UUID, ItemState]:
    """Each item as the matcher sees it: its agency, language, skills, and the team of its target or queue."""
    queues = {i.queue_id for i in items if i.queue_id is not None}
    teams: dict[uuid.UUID, uuid.UUID] = {}
    if queues:
        rows = await session.execute(select(Queue.id, Queue.team_id).where(Queue.id.in_(queues)))
        teams = {queue_id: team_id for queue_id, team_id in rows if team_id is not None}
    return {
        i.id: item_state(
            i,
            team_id=i.target_team_id or (teams.get(i.queue_id) if i.queue_id else None),
            target_staff_id=i.target_staff_id,
            supervisors_only=i.target_role == "supervisor",
        )
        for i in items
    }


async def take(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime) -> None:
    """The clerk calls the ticket: its waiting work is theirs at once (a walk-in is answered when called)."""
    item = await offers.lock_item(session, item_id)
    if item.status is not WorkItemStatus.queued:
        return  # finished from its work page meanwhile: the ticket goes on alone
    item.status, item.assigned_to_id, item.offer_expires_at = WorkItemStatus.assigned, staff_id, None
    item.target_staff_id = None
    if item.first_answered_at is None:
        item.first_answered_at = now
    session.add(
        WorkOffer(
            work_item_id=item.id,
            staff_id=staff_id,
            capacity_class=item.capacity_class,
            offered_at=now,
            expires_at=now,
            outcome=OfferOutcome.accepted,
            responded_at=now,
        )
    )
    agent = await offers.lock_agent(session, staff_id)
    if agent is not None:
        agent.idle_since = now
    await session.flush()
    events.item_changed(session, item, reason="called")


async def release(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime, how: str) -> None:
    """The clerk lets the work go back to the queue (the ticket back in line); they are free again."""
    item = await offers.lock_item(session, item_id)
    if item.status is not WorkItemStatus.assigned:
        return
    holder = item.assigned_to_id
    await offers.close_offer(session, item, outcome=None, now=now, released_how=how)
    offers.requeue(item)
    if holder is not None:
        await offers.after_release(session, holder, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason=how, staff_id=holder or staff_id)


async def hand_over(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime) -> None:
    """Another clerk resumes a held ticket: the work moves from whoever held it to them."""
    item = await offers.lock_item(session, item_id)
    if item.status is WorkItemStatus.assigned and item.assigned_to_id == staff_id:
        return
    await release(session, item_id=item_id, staff_id=staff_id, now=now, how="transferred")
    await take(session, item_id=item_id, staff_id=staff_id, now=now)


async def to_agency(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, agency_id: uuid.UUID, note: str, now: datetime
) -> None:
    """The ticket goes to a service of another agency: the work moves to that agency's queue, with its history."""
    item = await offers.lock_item(session, item_id)
    if item.status is WorkItemStatus.assigned and item.assigned_to_id == staff_id:
        await engine.transfer(session, item_id=item_id, staff_id=staff_id, to_agency_id=agency_id, note=note, now=now)


async def complete(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    staff_id: uuid.UUID,
    wrap_up_code: str | None,
    outcome: str | None,
    now: datetime,
) -> None:
    """The visit is done: the work is completed as any other (the agency's wrap-up codes apply)."""
    item = await offers.lock_item(session, item_id)
    if item.status is not WorkItemStatus.assigned:
        return
    if item.assigned_to_id != staff_id:  # served after a hold another clerk started: theirs now
        await hand_over(session, item_id=item_id, staff_id=staff_id, now=now)
    await engine.complete(
        session, item_id=item_id, staff_id=staff_id, wrap_up_code=wrap_up_code, outcome=outcome, now=now
    )


async def wrap_up_codes(session: AsyncSession, *, item_id: uuid.UUID | None) -> list[tuple[str, str, str]]:
    """The wrap-up codes a ticket's work may end with: (code, label, French label)."""
    item = await session.get(WorkItem, item_id) if item_id else None
    if item is None:
        return []
    return [(c.code, c.label, c.label_fr) for c in await engine.wrap_up_codes(session, agency_id=item.agency_id)]


async def no_show(session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime) -> None:
    """The person never came: the work is closed, saying so."""
    await done_elsewhere(session, item_id=item_id, staff_id=staff_id, outcome=NO_SHOW, now=now)
