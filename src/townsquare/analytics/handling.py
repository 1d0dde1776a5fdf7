"""Handle time: how long staff held each piece of work, from routing's offers, summed per local day.

An accepted offer counts from its answer to its release; an offer still held counts when it is let go. Days are
computed again when an offer released in them is seen (read by time, again over the worker's overlap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.config import local_bounds
from townsquare.analytics.models import HandleDay
from townsquare.routing.models import OfferOutcome, WorkItem, WorkOffer


async def released_days(session: AsyncSession, *, since: datetime | None, zone: ZoneInfo) -> set[date]:
    """The local days offers were let go in since `since` (every such day when None)."""
    query = select(WorkOffer.released_at).where(WorkOffer.released_at.is_not(None))
    if since is not None:
        query = query.where(WorkOffer.released_at >= since)
    else:
        first, last = (
            await session.execute(select(func.min(WorkOffer.released_at), func.max(WorkOffer.released_at)))
        ).one()
        if first is None or last is None:
            return set()
        day, end = first.astimezone(zone).date(), last.astimezone(zone).date()
        return {day + timedelta(days=n) for n in range((end - day).days + 1)}
    return {at.astimezone(zone).date() for at in (await session.execute(query)).scalars() if at is not None}


async def recompute(session: AsyncSession, days: Iterable[date], zone: ZoneInfo) -> None:
    """Sum the handle time of each day again."""
    for day in sorted(set(days)):
        start, end = local_bounds(day, day, zone)
        await session.execute(delete(HandleDay).where(HandleDay.day == day))
        rows = await session.execute(
            select(
                WorkItem.agency_id, WorkItem.service_id, WorkItem.channel, WorkOffer.responded_at, WorkOffer.released_at
            )
            .join(WorkItem, WorkItem.id == WorkOffer.work_item_id)
            .where(
                WorkOffer.released_at >= start,
                WorkOffer.released_at < end,
                WorkOffer.outcome == OfferOutcome.accepted,
                WorkOffer.responded_at.is_not(None),
            )
        )
        sums: dict[tuple[object, object, str], list[int]] = defaultdict(lambda: [0, 0])
        for agency_id, service_id, channel, answered, released in rows:
            if answered is None or released is None:
                continue
            line = sums[(agency_id, service_id, channel)]
            line[0] += 1
            line[1] += max(0, int((released - answered).total_seconds()))
        session.add_all(
            HandleDay(day=day, agency_id=a, service_id=s, channel=c, handled=n, handle_seconds=secs)
            for (a, s, c), (n, secs) in sums.items()
        )
    await session.flush()
