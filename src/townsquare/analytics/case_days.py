"""Cases by day and reports by place: what the SLA attainment and the hotspot map read.

A day is computed again when a case was opened, closed or due on it; the worker finds those days from the cases
opened and the public history written since its last pass (again over its overlap). A month's hotspots are
computed again with any of its days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, Integer, and_, case, cast, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.config import local_bounds
from townsquare.analytics.models import CaseDay, HotspotMonth
from townsquare.cases.models import Case, CaseUpdate

CELL = 0.01  # degrees of the hotspot grid


def _month(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


async def changed_days(session: AsyncSession, *, since: datetime | None, zone: ZoneInfo) -> set[date]:
    """The local days cases were opened, closed or due on, for cases opened or moved since `since` (every case
    when None)."""
    moved = select(CaseUpdate.case_id).distinct()
    opened = select(Case.id)
    if since is not None:
        moved = moved.where(CaseUpdate.created_at >= since)
        opened = opened.where(Case.created_at >= since)
    ids = set((await session.execute(moved)).scalars()) | set((await session.execute(opened)).scalars())
    days: set[date] = set()
    chunk = sorted(ids)
    for start in range(0, len(chunk), 1000):
        rows = await session.execute(
            select(Case.created_at, Case.closed_at, Case.sla_due_at).where(Case.id.in_(chunk[start : start + 1000]))
        )
        for created, closed, due in rows:
            days.update(at.astimezone(zone).date() for at in (created, closed, due) if at is not None)
    return days


def _key(agency: object, service: object, channel: object) -> tuple[object, object, str]:
    return (agency, service, str(channel or "unknown"))


async def recompute(session: AsyncSession, days: Iterable[date], zone: ZoneInfo) -> None:
    """Count each day's cases again, and the hotspots of each month those days fall in."""
    wanted = sorted(set(days))
    for day in wanted:
        start, end = local_bounds(day, day, zone)
        lines: dict[tuple[object, object, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        columns = (Case.agency_id, Case.service_id, Case.opened_channel)
        opened = select(*columns, func.count()).where(Case.created_at >= start, Case.created_at < end)
        for agency, service, channel, n in await session.execute(opened.group_by(*columns)):
            lines[_key(agency, service, channel)]["opened"] += n
        closed = select(*columns, Case.created_at, Case.closed_at).where(Case.closed_at >= start, Case.closed_at < end)
        for agency, service, channel, created, closed_at in await session.execute(closed):
            if closed_at is None:
                continue
            line = lines[_key(agency, service, channel)]
            line["closed"] += 1
            line["close_seconds"] += max(0, int((closed_at - created).total_seconds()))
        met = and_(Case.closed_at.is_not(None), Case.closed_at <= Case.sla_due_at)
        due = select(*columns, func.count(), func.count().filter(met)).where(
            Case.sla_due_at >= start, Case.sla_due_at < end, Case.merged_into_id.is_(None)
        )
        for agency, service, channel, n, in_time in await session.execute(due.group_by(*columns)):
            line = lines[_key(agency, service, channel)]
            line["due"] += n
            line["met"] += in_time
        await session.execute(delete(CaseDay).where(CaseDay.day == day))
        session.add_all(
            CaseDay(day=day, agency_id=a, service_id=s, channel=c, **{k: line.get(k, 0) for k in _COUNTS})
            for (a, s, c), line in lines.items()
        )
    for month in sorted({_month(d) for d in wanted}):
        await _hotspots(session, month, zone)
    await session.flush()


_COUNTS = ("opened", "closed", "close_seconds", "due", "met")


def _floor(session: AsyncSession, value: ColumnElement[float | None]) -> ColumnElement[float]:
    """The largest whole number not above `value`, in this database's arithmetic (SQLite may lack `floor`)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(value), Float)
    whole = cast(value, Integer)  # SQLite truncates towards zero
    return cast(whole - case((value < whole, 1), else_=0), Float)


async def _hotspots(session: AsyncSession, month: date, zone: ZoneInfo) -> None:
    start, end = local_bounds(month, _month_end(month), zone)
    cell_lat, cell_long = _floor(session, Case.lat / CELL), _floor(session, Case.long / CELL)
    rows = await session.execute(
        select(Case.agency_id, Case.service_id, cell_lat, cell_long, func.count())
        .where(Case.created_at >= start, Case.created_at < end, Case.lat.is_not(None), Case.long.is_not(None))
        .group_by(Case.agency_id, Case.service_id, cell_lat, cell_long)
    )
    await session.execute(delete(HotspotMonth).where(HotspotMonth.month == month))
    session.add_all(
        HotspotMonth(
            month=month,
            agency_id=agency,
            service_id=service,
            lat=round(lat * CELL, 6),
            long=round(long * CELL, 6),
            reports=n,
        )
        for agency, service, lat, long, n in rows
    )
