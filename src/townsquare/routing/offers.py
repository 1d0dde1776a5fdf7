"""Offer bookkeeping shared by the routing pass and the agent's answers: locking an item or an agent, closing
an offer with its outcome, putting an item back in the queue, changing an agent's presence.

Only `routing.dispatch`, `routing.answers` and `routing.assigning` use these; they never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import not_found
from townsquare.routing import events
from townsquare.routing.models import (
    HELD_STATUSES,
    Agent,
    CapacityClass,
    OfferOutcome,
    Presence,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
)


def set_presence(session: AsyncSession, agent: Agent, presence: Presence, now: datetime) -> None:
    """Set the agent's presence (and since when), telling desks and wallboards after commit."""
    if agent.presence is not presence:
        agent.presence = presence
        agent.presence_since = now
        events.agent_changed(session, agent)


async def lock_item(session: AsyncSession, item_id: uuid.UUID) -> WorkItem:
    """The item, locked and fresh from the database, or a 404 problem."""
    item = await session.get(WorkItem, item_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise not_found("Work item", "No work item has that id.")
    return item


async def lock_agent(session: AsyncSession, staff_id: uuid.UUID) -> Agent | None:
    """The agent, locked and fresh from the database, if there is one."""
    return await session.get(Agent, staff_id, with_for_update=True, populate_existing=True)


async def open_offer(session: AsyncSession, item: WorkItem) -> WorkOffer | None:
    """The item's offer that is still in someone's hands, if any."""
    stmt = (
        select(WorkOffer)
        .where(WorkOffer.work_item_id == item.id, WorkOffer.released_at.is_(None))
        .order_by(WorkOffer.offered_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def close_offer(
    session: AsyncSession, item: WorkItem, *, outcome: OfferOutcome | None, now: datetime, released_how: str
) -> None:
    """Release the item's open offer (`released_how`), with `outcome` if the agent had not answered yet."""
    offer = await open_offer(session, item)
    if offer is None:
        return
    if outcome is not None and offer.outcome is OfferOutcome.pending:
        offer.outcome = outcome
        offer.responded_at = now
    offer.released_at = now
    offer.released_how = released_how


def requeue(item: WorkItem) -> None:
    """Put the item back in the queue, in nobody's hands (a decline or a missed offer is on its `WorkOffer`)."""
    item.status = WorkItemStatus.queued
    item.assigned_to_id = None
    item.offer_expires_at = None


async def after_release(session: AsyncSession, staff_id: uuid.UUID, now: datetime, *, wrap_up: bool) -> None:
    """The agent let an item go: back to available, idle from now; after their last call or chat, into timed
    wrap-up first (not while other live conversations still need them)."""
    agent = await lock_agent(session, staff_id)
    if agent is None:
        return
    agent.idle_since = now
    if wrap_up and agent.wrap_up_seconds > 0:
        live = select(func.count()).where(
            WorkItem.assigned_to_id == staff_id,
            WorkItem.status.in_(HELD_STATUSES),
            WorkItem.capacity_class.in_((CapacityClass.voice, CapacityClass.chat)),
        )
        wrap_up = not (await session.execute(live)).scalar_one()
    if wrap_up and agent.wrap_up_seconds > 0 and agent.presence in (Presence.available, Presence.busy):
        set_presence(session, agent, Presence.wrap_up, now)
    elif agent.presence is Presence.busy:
        set_presence(session, agent, Presence.available, now)
