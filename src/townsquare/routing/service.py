"""Creating and updating work items in the universal queue: which queue, which SLA, which skills.

The engagement pipeline calls these for every contact that needs a person; the routing engine
(`routing.engine`) offers them to agents.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.db import remembered
from townsquare.errors import conflict
from townsquare.routing import calendars
from townsquare.routing.models import (
    OPEN_STATUSES,
    BusinessCalendar,
    Holiday,
    Queue,
    SlaTarget,
    WorkItem,
    WorkItemStatus,
    capacity_class,
)

# How soon a first response is due when no SLA target is configured, by channel (seconds).
DEFAULT_SLA_SECONDS: dict[str, int] = {
    "voice": 180,
    "chat": 360,
    "sms": 4 * 3600,
    "social": 4 * 3600,
    "email": 24 * 3600,
    "counter": 20 * 60,  # a visitor standing in an office
}
FALLBACK_SLA_SECONDS = 48 * 3600
PRIORITY_BY_CASE: dict[str, int] = {"low": 25, "normal": 50, "high": 75, "urgent": 100}


# The look-ups every contact put in front of a person makes, built once.
_OPEN_ITEM = (
    select(WorkItem)
    .where(WorkItem.conversation_id == bindparam("conversation_id"), WorkItem.status.in_(OPEN_STATUSES))
    .order_by(WorkItem.created_at.desc())
    .limit(1)
)
_OPEN_ITEM_ON = _OPEN_ITEM.where(WorkItem.channel == bindparam("channel"))
_QUEUES = select(Queue).where(Queue.agency_id == bindparam("agency_id"), Queue.active.is_(True)).order_by(Queue.slug)
_SLA_TARGETS = select(SlaTarget).where(SlaTarget.agency_id == bindparam("agency_id"), SlaTarget.active.is_(True))
_CALENDAR_AHEAD = (
    select(BusinessCalendar.hours, BusinessCalendar.timezone, Holiday.day)
    .outerjoin(Holiday, and_(Holiday.calendar_id == BusinessCalendar.id, Holiday.day >= bindparam("from_day")))
    .where(BusinessCalendar.id == bindparam("calendar_id"))
)


remembered.watch(Queue, SlaTarget, BusinessCalendar, Holiday)  # configuration: read once every few seconds


@dataclass(frozen=True)
class QueueChoice:
    """What a new work item takes from an active queue (its configuration, remembered per process)."""

    id: uuid.UUID
    slug: str
    calendar_id: uuid.UUID | None
    channels: tuple[str, ...]
    service_codes: tuple[str, ...]
    required_skills: Mapping[str, Any]
    priority_boost: int


@dataclass(frozen=True)
class SlaChoice:
    """An active SLA target's terms (remembered per process)."""

    service_id: uuid.UUID | None
    channel: str | None
    first_response_seconds: int
    goal_percent: int
    business_hours: bool


@dataclass(frozen=True)
class CalendarAhead:
    """A calendar's opening hours, time zone and its holidays from one day on."""

    hours: Mapping[str, Any]
    timezone: str
    holidays: tuple[date, ...]


async def open_item_for_conversation(
    session: AsyncSession, *, conversation_id: uuid.UUID, channel: str | None = None, started_here: bool = False
) -> WorkItem | None:
    """The conversation's work item (on `channel`, if given) that is still waiting or in someone's hands.
    `started_here`: the conversation was started in this transaction, so its only work is what this session made
    (found among the session's own objects, not read)."""
    if started_here:
        made = [
            obj
            for obj in (*session.new, *session.identity_map.values())
            if isinstance(obj, WorkItem)
            and obj.conversation_id == conversation_id
            and obj.status in OPEN_STATUSES
            and channel in (None, obj.channel)
        ]
        return max(made, key=lambda item: item.created_at, default=None)
    if channel is None:
        found = await session.execute(_OPEN_ITEM, {"conversation_id": conversation_id})
    else:
        found = await session.execute(_OPEN_ITEM_ON, {"conversation_id": conversation_id, "channel": channel})
    return found.scalar_one_or_none()


def _matches(queue: QueueChoice, channel: str, service_code: str | None) -> bool:
    return (not queue.channels or channel in queue.channels) and (
        not queue.service_codes or (service_code is not None and service_code in queue.service_codes)
    )


async def _queues(session: AsyncSession, agency_id: uuid.UUID) -> tuple[QueueChoice, ...]:
    async def load() -> tuple[QueueChoice, ...]:
        found = await session.execute(_QUEUES, {"agency_id": agency_id})
        return tuple(
            QueueChoice(
                q.id,
                q.slug,
                q.calendar_id,
                tuple(q.channels),
                tuple(q.service_codes),
                dict(q.required_skills),
                q.priority_boost,
            )
            for q in found.scalars()
        )

    return await remembered.recall(session, ("queues", agency_id), load)


async def choose_queue(
    session: AsyncSession, *, agency_id: uuid.UUID, channel: str, service_code: str | None
) -> QueueChoice | None:
    """The agency's most specific active queue for this work: service and channel, then service, then channel."""
    queues = [q for q in await _queues(session, agency_id) if _matches(q, channel, service_code)]
    if not queues:
        return None
    return max(queues, key=lambda q: 2 * bool(q.service_codes) + bool(q.channels))


async def _sla_targets(session: AsyncSession, agency_id: uuid.UUID) -> tuple[SlaChoice, ...]:
    async def load() -> tuple[SlaChoice, ...]:
        found = await session.execute(_SLA_TARGETS, {"agency_id": agency_id})
        return tuple(
            SlaChoice(t.service_id, t.channel, t.first_response_seconds, t.goal_percent, t.business_hours)
            for t in found.scalars()
        )

    return await remembered.recall(session, ("sla_targets", agency_id), load)


async def sla_target(
    session: AsyncSession, *, agency_id: uuid.UUID, service_id: uuid.UUID | None, channel: str
) -> SlaChoice | None:
    """The most specific SLA target: service and channel, service, channel, then the agency's own."""
    best: tuple[int, SlaChoice] | None = None
    for target in await _sla_targets(session, agency_id):
        if target.service_id is not None and target.service_id != service_id:
            continue
        if target.channel is not None and target.channel != channel:
            continue
        rank = 2 * (target.service_id is not None) + (target.channel is not None)
        if best is None or rank > best[0]:
            best = (rank, target)
    return best[1] if best else None


async def due_at(
    session: AsyncSession,
    *,
    received_at: datetime,
    seconds: float,
    business_hours: bool,
    calendar_id: uuid.UUID | None,
) -> datetime:
    """`seconds` after `received_at`, counting only open hours when asked and the queue has a calendar."""
    if not business_hours or calendar_id is None:
        return received_at + timedelta(seconds=seconds)
    # The calendar and its holidays from the day before (whatever its time zone) on.
    ahead = await _calendar_ahead(session, calendar_id, (received_at - timedelta(days=1)).date())
    if ahead is None:
        return received_at + timedelta(seconds=seconds)
    return calendars.add_business_time(
        received_at, seconds, hours=ahead.hours, timezone=ahead.timezone, holidays=ahead.holidays
    )


async def _calendar_ahead(session: AsyncSession, calendar_id: uuid.UUID, from_day: date) -> CalendarAhead | None:
    async def load() -> CalendarAhead | None:
        params = {"calendar_id": calendar_id, "from_day": from_day}
        rows = (await session.execute(_CALENDAR_AHEAD, params)).all()
        if not rows:
            return None
        days = tuple(row.day for row in rows if row.day is not None)
        return CalendarAhead(dict(rows[0].hours), rows[0].timezone, days)

    return await remembered.recall(session, ("calendar", calendar_id, from_day), load)


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
    service_code: str | None = None,
    sla_target_hours: int | None = None,
    priority: int = 50,
    language: str = "en",
    context: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> WorkItem:
    """A new queued work item in its queue, with its SLA clock started when the contact arrived.

    The SLA target is the agency's most specific configured one; else the service's own target hours; else
    the channel's default. A scheduled item (`not_before`, a call-back) is due from its scheduled time.
    """
    queue = await choose_queue(session, agency_id=agency_id, channel=channel, service_code=service_code)
    target = await sla_target(session, agency_id=agency_id, service_id=service_id, channel=channel)
    if target is not None:
        seconds, goal, business = float(target.first_response_seconds), target.goal_percent, target.business_hours
    elif sla_target_hours:
        seconds, goal, business = sla_target_hours * 3600.0, 80, True
    else:
        seconds, goal, business = float(DEFAULT_SLA_SECONDS.get(channel, FALLBACK_SLA_SECONDS)), 80, False
    start = max(received_at, not_before) if not_before else received_at
    due = await due_at(
        session,
        received_at=start,
        seconds=seconds,
        business_hours=business,
        calendar_id=queue.calendar_id if queue else None,
    )
    item = WorkItem(
        channel=channel,
        kind=kind,
        agency_id=agency_id,
        queue_id=queue.id if queue else None,
        conversation_id=conversation_id,
        citizen_id=citizen_id,
        case_id=case_id,
        service_id=service_id,
        capacity_class=capacity_class(channel),
        language=language,
        required_skills=dict(queue.required_skills) if queue else {},
        priority=min(100, priority + (queue.priority_boost if queue else 0)),
        sla_due_at=due,
        sla_goal_percent=goal,
        context={**(context or {}), **({"service_code": service_code} if service_code else {})},
        last_activity_at=received_at,
        not_before=not_before,
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


async def mark_answered(session: AsyncSession, *, conversation_id: uuid.UUID, at: datetime) -> None:
    """The first reply on a conversation answers its open work item (the SLA clock for asynchronous work)."""
    item = await open_item_for_conversation(session, conversation_id=conversation_id)
    if item is not None and item.first_answered_at is None:
        item.first_answered_at = at
        await session.flush()


def routing_order() -> tuple[Any, ...]:
    """The order the engine takes queued work in: priority, then SLA risk, then waiting time."""
    return (WorkItem.priority.desc(), WorkItem.sla_due_at.asc().nulls_last(), WorkItem.created_at)


async def list_items(
    session: AsyncSession,
    *,
    agency_ids: set[uuid.UUID] | None,
    status: WorkItemStatus | None = None,
    channel: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WorkItem], int]:
    """Work items of these agencies (all when None) in routing order, and how many match."""
    where: list[Any] = []
    if agency_ids is not None:
        where.append(WorkItem.agency_id.in_(agency_ids))
    if status is not None:
        where.append(WorkItem.status == status)
    if channel is not None:
        where.append(WorkItem.channel == channel)
    total = int((await session.execute(select(func.count()).select_from(WorkItem).where(*where))).scalar_one())
    stmt = select(WorkItem).where(*where).order_by(*routing_order()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), total


async def list_queues(session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> list[Queue]:
    """Queues of these agencies (all when None)."""
    stmt = select(Queue).order_by(Queue.agency_id, Queue.slug)
    if agency_ids is not None:
        stmt = stmt.where(Queue.agency_id.in_(agency_ids))
    return list((await session.execute(stmt)).scalars())


async def create_queue(session: AsyncSession, *, agency_id: uuid.UUID, **fields: Any) -> Queue:
    """A new queue; a slug already used in the agency is a conflict."""
    queue = Queue(agency_id=agency_id, **fields)
    try:
        async with session.begin_nested():
            session.add(queue)
            await session.flush()
    except IntegrityError:
        raise conflict("The agency already has a queue with that slug.") from None
    return queue


async def agencies_of_conversation(session: AsyncSession, *, conversation_id: uuid.UUID) -> set[uuid.UUID]:
    """The agencies that have had work on a conversation (its owners when no case says otherwise)."""
    stmt = select(WorkItem.agency_id).where(WorkItem.conversation_id == conversation_id).distinct()
    return set((await session.execute(stmt)).scalars())
