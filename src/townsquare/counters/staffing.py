"""Who is at which counter: a clerk opens a counter of an office (one counter each, one clerk per counter; taking
over a counter someone left open is allowed and says so), and closes it when leaving. Staffed counters are the
counters serving an office in the estimated wait. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.counters.models import CounterStaffing
from townsquare.errors import conflict, not_found
from townsquare.offices.models import Counter


async def get_counter(session: AsyncSession, *, counter_id: uuid.UUID) -> Counter:
    """A counter by id, or a 404 problem."""
    counter = await session.get(Counter, counter_id)
    if counter is None:
        raise not_found("Counter", "No counter has that id.")
    return counter


async def at_counter(session: AsyncSession, *, staff_id: uuid.UUID) -> Counter | None:
    """The counter this person has open, if any."""
    stmt = select(Counter).join(CounterStaffing, CounterStaffing.counter_id == Counter.id)
    return await session.scalar(stmt.where(CounterStaffing.staff_id == staff_id))


async def staffed_by(session: AsyncSession, *, counter_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Who is at each of these counters (counter → staff), for those staffed."""
    if not counter_ids:
        return {}
    rows = await session.execute(
        select(CounterStaffing.counter_id, CounterStaffing.staff_id).where(CounterStaffing.counter_id.in_(counter_ids))
    )
    return {row[0]: row[1] for row in rows}


async def open_counter(
    session: AsyncSession, *, counter: Counter, staff_id: uuid.UUID, now: datetime
) -> uuid.UUID | None:
    """Sit `staff_id` at the counter, leaving any other counter they had; returns whom they took it over from."""
    if not counter.active:
        raise conflict("This counter is closed for good; choose another.")
    current = await session.get(CounterStaffing, counter.id, with_for_update=True)
    if current is not None and current.staff_id == staff_id:
        return None
    await session.execute(delete(CounterStaffing).where(CounterStaffing.staff_id == staff_id))
    previous = current.staff_id if current is not None else None
    if current is not None:
        await session.delete(current)
    await session.flush()
    session.add(CounterStaffing(counter_id=counter.id, staff_id=staff_id, since=now))
    await session.flush()
    return previous


async def close_counter(session: AsyncSession, *, counter: Counter, staff_id: uuid.UUID) -> bool:
    """The person leaves the counter; False when they were not at it."""
    gone = await session.execute(
        delete(CounterStaffing).where(CounterStaffing.counter_id == counter.id, CounterStaffing.staff_id == staff_id)
    )
    return bool(getattr(gone, "rowcount", 0))


async def require_at(session: AsyncSession, *, counter: Counter, staff_id: uuid.UUID) -> None:
    """Refuse (409) unless this person has the counter open."""
    row = await session.get(CounterStaffing, counter.id)
    if row is None or row.staff_id != staff_id:
        raise conflict("Open this counter first: tickets are called and served from the counter you are at.")
