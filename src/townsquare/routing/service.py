"""Creating and updating work items in the universal queue.

The engagement pipeline calls these for every inbound contact; the routing engine assigns them later.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.routing.models import OPEN_STATUSES, WorkItem

# How soon a first response is due when the service sets no SLA target, by channel (hours).
DEFAULT_SLA_HOURS: dict[str, float] = {"voice": 0.05, "chat": 0.1, "sms": 4, "social": 4, "email": 24}
FALLBACK_SLA_HOURS = 48.0
PRIORITY_BY_CASE: dict[str, int] = {"low": 25, "normal": 50, "high": 75, "urgent": 100}


async def open_item_for_conversation(
    session: AsyncSession, *, conversation_id: uuid.UUID, channel: str | None = None
) -> WorkItem | None:
    """The conversation's work item (on `channel`, if given) that is still waiting or in someone's hands."""
    stmt = select(WorkItem).where(WorkItem.conversation_id == conversation_id, WorkItem.status.in_(OPEN_STATUSES))
    if channel is not None:
        stmt = stmt.where(WorkItem.channel == channel)
    stmt = stmt.order_by(WorkItem.created_at.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


def sla_due(*, channel: str, received_at: datetime, sla_target_hours: int | None) -> datetime:
    """When the first response is due: the service's target if it has one, else the channel's default."""
    hours = float(sla_target_hours) if sla_target_hours else DEFAULT_SLA_HOURS.get(channel, FALLBACK_SLA_HOURS)
    return received_at + timedelta(hours=hours)


async def create(
    session: AsyncSession,
    *,
    channel: str,
    kind: str,
    agency_id: uuid.UUID,
    received_at: datetime,
    conversation_id: uuid.UUID | None = None,
    citizen_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    sla_target_hours: int | None = None,
    priority: int = 50,
    context: dict[str, Any] | None = None,
) -> WorkItem:
    """A new queued work item with its SLA clock started at the moment the contact arrived."""
    item = WorkItem(
        channel=channel,
        kind=kind,
        agency_id=agency_id,
        conversation_id=conversation_id,
        citizen_id=citizen_id,
        case_id=case_id,
        service_id=service_id,
        priority=priority,
        sla_due_at=sla_due(channel=channel, received_at=received_at, sla_target_hours=sla_target_hours),
        context=context or {},
        last_activity_at=received_at,
    )
    session.add(item)
    await session.flush()
    return item


async def touch(
    session: AsyncSession, *, item: WorkItem, received_at: datetime, case_id: uuid.UUID | None = None
) -> WorkItem:
    """Another contact on a work item that is already waiting: count it, keep its place and SLA clock."""
    item.interaction_count += 1
    item.last_activity_at = max(item.last_activity_at, received_at)
    item.updated_at = utcnow()
    if case_id is not None and item.case_id is None:
        item.case_id = case_id
    await session.flush()
    return item
