"""The supervisor wallboard: queue depth, waits, service level and agents by state, in a fixed number of queries.

Reads only; never changes a work item or an agent, and holds nothing about what people said.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, null, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.clock import as_utc, utcnow
from townsquare.routing.models import HELD_STATUSES, OPEN_STATUSES, Agent, Presence, Queue, WorkItem, WorkItemStatus
from townsquare.staff.models import StaffAccount, StaffAgency

DEFAULT_TZ = "America/Toronto"


@dataclass
class Row:
    """One line of the wallboard: a queue, a channel, or everything.

    depth: queued items that may be offered now (a call-back whose `not_before` is still ahead is not counted);
    offered / in_progress: items offered to an agent / accepted by one; longest_wait_seconds: now minus the
    creation time of the oldest counted queued item; past_sla: open items not yet answered whose first response
    was due before now (call-backs held back excluded); answered_in_sla / sla_counted: see `snapshot`.
    """

    key: str
    label: str
    agency_id: uuid.UUID | None = None
    depth: int = 0
    offered: int = 0
    in_progress: int = 0
    oldest_queued_at: datetime | None = None
    longest_wait_seconds: int | None = None
    past_sla: int = 0
    sla_counted: int = 0
    answered_in_sla: int = 0
    goal_percent: int | None = None

    @property
    def sla_percent(self) -> int | None:
        """Share of today's counted items answered within their SLA, in whole percent; None when none counted."""
        if self.sla_counted == 0:
            return None
        return round(100 * self.answered_in_sla / self.sla_counted)

    @property
    def below_goal(self) -> bool:
        percent = self.sla_percent
        return percent is not None and self.goal_percent is not None and percent < self.goal_percent

    def add(self, other: Row) -> None:
        self.depth += other.depth
        self.offered += other.offered
        self.in_progress += other.in_progress
        self.past_sla += other.past_sla
        self.sla_counted += other.sla_counted
        self.answered_in_sla += other.answered_in_sla
        if other.oldest_queued_at is not None and (
            self.oldest_queued_at is None or other.oldest_queued_at < self.oldest_queued_at
        ):
            self.oldest_queued_at = other.oldest_queued_at
        if other.goal_percent is not None:
            self.goal_percent = max(self.goal_percent or 0, other.goal_percent)


@dataclass
class AgentRow:
    """One agent: who, their presence and since when, and how many items they hold per capacity class."""

    staff_id: uuid.UUID
    name: str
    presence: Presence
    since: datetime
    held: dict[str, int] = field(default_factory=dict)

    @property
    def held_total(self) -> int:
        return sum(self.held.values())


@dataclass
class Wallboard:
    """Everything the wallboard shows, as of `at`."""

    at: datetime
    day_start: datetime
    queues: list[Row]
    channels: list[Row]
    total: Row
    presence_counts: dict[Presence, int]
    agents: list[AgentRow]


def day_start(now: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """Midnight of `now`'s local day in `tz`, as an aware UTC datetime."""
    zone = ZoneInfo(tz)
    local = as_utc(now).astimezone(zone)
    return as_utc(datetime.combine(local.date(), time(0), tzinfo=zone))


def _agency_filter(column: Any, agency_ids: set[uuid.UUID] | None) -> Any:
    return true() if agency_ids is None else column.in_(agency_ids)


async def _item_rows(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None, now: datetime, since: datetime
) -> list[Any]:
    """Counts per (agency, queue, channel) of open items and of today's SLA-counted items, in three queries."""
    w = WorkItem
    ready = or_(w.not_before.is_(None), w.not_before <= now)
    waiting = and_(w.status == WorkItemStatus.queued, ready)
    met = and_(w.first_answered_at.is_not(None), w.first_answered_at <= w.sla_due_at)
    late = and_(
        w.status.in_(OPEN_STATUSES), ready, w.first_answered_at.is_(None), w.sla_due_at.is_not(None), w.sla_due_at < now
    )

    def n(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def grouped(counted: ColumnElement[bool], *columns: Any) -> Any:
        return select(
            w.agency_id,
            w.queue_id,
            w.channel,
            *columns,
            n(counted).label("sla_counted"),
            n(and_(counted, met)).label("met"),
            func.max(case((counted, w.sla_goal_percent))).label("goal"),
        ).group_by(w.agency_id, w.queue_id, w.channel)

    scope = _agency_filter(w.agency_id, agency_ids)
    open_stmt = grouped(
        _counted(since, now),
        n(waiting).label("depth"),
        n(w.status == WorkItemStatus.offered).label("offered"),
        n(w.status == WorkItemStatus.assigned).label("in_progress"),
        func.min(case((waiting, w.created_at))).label("oldest"),
        n(late).label("past_sla"),
    )
    # Three reads whose rows the caller adds up per group: the open items, from the covering index
    # ix_work_items_board alone (a city's backlog is tens of thousands of items); and today's closed items that
    # count for the SLA, as two branches that never overlap, each counted from its own index alone (answered
    # today; due today and not answered today) — an OR of the two would read a heap page per item.
    closed = w.status.not_in(OPEN_STATUSES)
    not_answered_today = or_(w.first_answered_at.is_(None), w.first_answered_at < since)
    rows = [*(await session.execute(open_stmt.where(scope, w.status.in_(OPEN_STATUSES)))).all()]
    for branch in (_answered_today(since), and_(_due_today(since, now), not_answered_today)):
        rows += (await session.execute(grouped(true(), *_NOTHING_OPEN).where(scope, closed, branch))).all()
    return rows


# The open-item columns of a closed branch's rows: nothing waiting, offered, held or late.
_NOTHING_OPEN = (
    literal(0).label("depth"),
    literal(0).label("offered"),
    literal(0).label("in_progress"),
    null().label("oldest"),
    literal(0).label("past_sla"),
)


def _answered_today(since: datetime) -> ColumnElement[bool]:
    """First answered today, with an SLA due time."""
    return and_(WorkItem.first_answered_at >= since, WorkItem.sla_due_at.is_not(None))


def _due_today(since: datetime, now: datetime) -> ColumnElement[bool]:
    """Due today, before now."""
    return and_(WorkItem.sla_due_at >= since, WorkItem.sla_due_at <= now)


def _counted(since: datetime, now: datetime) -> ColumnElement[bool]:
    """Counted for today's SLA: first answered today, or due today before now (with an SLA due time either way)."""
    return or_(_answered_today(since), _due_today(since, now))


async def _agents(session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> list[AgentRow]:
    """Agents who belong to the agencies (every agent when None), with what they hold, in two queries."""
    members = select(StaffAgency.staff_id)
    if agency_ids is not None:
        members = members.where(StaffAgency.agency_id.in_(agency_ids))
    stmt = (
        select(Agent.staff_id, StaffAccount.display_name, Agent.presence, Agent.presence_since)
        .join(StaffAccount, StaffAccount.id == Agent.staff_id)
        .where(StaffAccount.active.is_(True))
        .order_by(StaffAccount.display_name, Agent.staff_id)
    )
    if agency_ids is not None:
        stmt = stmt.where(Agent.staff_id.in_(members))
    agents = [AgentRow(sid, name, presence, since) for sid, name, presence, since in (await session.execute(stmt))]
    if not agents:
        return agents
    held_stmt = (
        select(WorkItem.assigned_to_id, WorkItem.capacity_class, func.count())
        .where(WorkItem.status.in_(HELD_STATUSES), WorkItem.assigned_to_id.in_([a.staff_id for a in agents]))
        .group_by(WorkItem.assigned_to_id, WorkItem.capacity_class)
    )
    by_id = {a.staff_id: a for a in agents}
    for staff_id, klass, count in await session.execute(held_stmt):
        if staff_id in by_id:
            by_id[staff_id].held[getattr(klass, "value", str(klass))] = int(count)
    return agents


def _finish(rows: Iterable[Row], now: datetime) -> list[Row]:
    out = sorted(rows, key=lambda r: r.label.lower())
    for row in out:
        if row.oldest_queued_at is not None:
            row.longest_wait_seconds = max(0, int((now - row.oldest_queued_at).total_seconds()))
    return out


async def snapshot(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None, now: datetime | None = None, tz: str = DEFAULT_TZ
) -> Wallboard:
    """The wallboard for these agencies (None: every agency) as of `now`, in seven queries whatever the volume.

    SLA attainment today: an item is *counted* when it has an SLA due time and either it was first answered
    today (since local midnight in `tz`) or its due time fell today, before now. A counted item is *met* when
    it was first answered at or before its due time. Attainment = met / counted; an item still unanswered
    whose due time has passed counts against it, one not yet due is left out until it is answered or late.
    The goal shown is the strictest (highest) `sla_goal_percent` among the counted items.
    """
    now = as_utc(now or utcnow())
    since = day_start(now, tz)
    item_rows = await _item_rows(session, agency_ids=agency_ids, now=now, since=since)
    queue_stmt = select(Queue.id, Queue.name, Queue.agency_id).where(
        Queue.active.is_(True), _agency_filter(Queue.agency_id, agency_ids)
    )
    queue_names = {qid: (name, agency_id) for qid, name, agency_id in await session.execute(queue_stmt)}
    agency_stmt = select(Agency.id, Agency.name).where(_agency_filter(Agency.id, agency_ids))
    agency_names: dict[uuid.UUID, str] = {row[0]: row[1] for row in await session.execute(agency_stmt)}
    agents = await _agents(session, agency_ids=agency_ids)

    several = len(agency_names) > 1  # queues of different agencies may share a name: say whose each is

    def queue_label(name: str, agency_id: uuid.UUID) -> str:
        return f"{agency_names.get(agency_id, '')}: {name}" if several else name

    by_queue: dict[str, Row] = {
        str(qid): Row(str(qid), queue_label(name, agency_id), agency_id)
        for qid, (name, agency_id) in queue_names.items()
    }
    by_channel: dict[str, Row] = {}
    total = Row("total", "All work")
    for r in item_rows:
        oldest = r.oldest
        part = Row(
            "",
            "",
            depth=int(r.depth),
            offered=int(r.offered),
            in_progress=int(r.in_progress),
            oldest_queued_at=oldest,
            past_sla=int(r.past_sla),
            sla_counted=int(r.sla_counted),
            answered_in_sla=int(r.met),
            goal_percent=int(r.goal) if r.goal is not None else None,
        )
        if r.queue_id is not None and r.queue_id in queue_names:
            key = str(r.queue_id)
        else:
            key = f"agency:{r.agency_id}"
            if key not in by_queue:
                label = f"{agency_names.get(r.agency_id, 'Agency')} (no queue)"
                by_queue[key] = Row(key, label, r.agency_id)
        by_queue[key].add(part)
        by_channel.setdefault(r.channel, Row(f"channel:{r.channel}", r.channel)).add(part)
        total.add(part)

    counts: dict[Presence, int] = defaultdict(int)
    for agent in agents:
        counts[agent.presence] += 1
    _finish([total], now)
    return Wallboard(
        at=now,
        day_start=since,
        queues=_finish(by_queue.values(), now),
        channels=_finish(by_channel.values(), now),
        total=total,
        presence_counts={p: counts.get(p, 0) for p in Presence},
        agents=agents,
    )
