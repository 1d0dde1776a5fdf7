"""A signed-in resident's recent searches, kept on the server so they follow the person to every device.

Never commits (the caller owns the transaction), never stores an empty query, and keeps only the last few.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import CitizenSearch
from townsquare.clock import utcnow

MAX_QUERY_CHARS = 200
KEPT = 10


def tidy(query: str) -> str:
    """The query as it is kept: spaces trimmed and collapsed, at most 200 characters."""
    return " ".join(query.split())[:MAX_QUERY_CHARS].strip()


async def _newest_first(session: AsyncSession, citizen_id: uuid.UUID) -> list[CitizenSearch]:
    query = (
        select(CitizenSearch)
        .where(CitizenSearch.citizen_id == citizen_id)
        .order_by(CitizenSearch.created_at.desc(), CitizenSearch.id.desc())
    )
    return list((await session.execute(query)).scalars())


async def record(session: AsyncSession, *, citizen_id: uuid.UUID, query: str) -> CitizenSearch | None:
    """Remember a search at the top of the list; the same words again move up rather than repeat.

    A blank query is not kept (None). Only the last `KEPT` searches stay.
    """
    text = tidy(query)
    if not text:
        return None
    earlier = await _newest_first(session, citizen_id)
    now = utcnow()
    if earlier and earlier[0].created_at >= now:  # the clock has not moved since the last search
        now = earlier[0].created_at + timedelta(microseconds=1)
    same = [s for s in earlier if s.query.casefold() == text.casefold()]
    for search in same:
        await session.delete(search)
    search = CitizenSearch(citizen_id=citizen_id, query=text, created_at=now)
    session.add(search)
    for old in [s for s in earlier if s not in same][KEPT - 1 :]:
        await session.delete(old)
    await session.flush()
    return search


async def recent(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = KEPT) -> list[CitizenSearch]:
    """The resident's recent searches, newest first."""
    return (await _newest_first(session, citizen_id))[: max(0, limit)]


async def clear(session: AsyncSession, *, citizen_id: uuid.UUID) -> int:
    """Forget all of the resident's searches; how many there were."""
    result = await session.execute(delete(CitizenSearch).where(CitizenSearch.citizen_id == citizen_id))
    return int(getattr(result, "rowcount", 0) or 0)
