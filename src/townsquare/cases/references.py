"""Case references (`TS-2026-000123`): the year's next number, from one counter row a year.

On PostgreSQL the number is taken in a transaction of its own, on a connection of the `Database`'s side engine, and
committed at once: the counter's row is locked for one statement instead of for the rest of every transaction that
opens a case, which made each new case wait for the one before it to commit, in every process (the lock waits
bench/processes.py found). A case whose own transaction then rolls back leaves its number unused. On SQLite, one
writer at a time, the number is taken inside the caller's transaction and never skipped.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from townsquare.cases.models import CaseReferenceCounter
from townsquare.db.engine import SIDE_ENGINE


async def next_reference(session: AsyncSession, *, prefix: str, year: int) -> str:
    """The next free reference of the year: taken apart and committed at once where the session's database has a
    side engine (PostgreSQL), else inside the caller's transaction."""
    side: AsyncEngine | None = session.info.get(SIDE_ENGINE)
    number = await _apart(side, year) if side is not None else await _within(session, year)
    return f"{prefix}-{year}-{number:06d}"


async def _apart(engine: AsyncEngine, year: int) -> int:
    """One upsert in its own transaction: the row is locked only until this commit, a statement later."""
    take = (
        pg_insert(CaseReferenceCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=[CaseReferenceCounter.year], set_={"last": CaseReferenceCounter.last + 1})
        .returning(CaseReferenceCounter.last)
    )
    async with engine.begin() as conn:
        return int((await conn.execute(take)).scalar_one())


async def _within(session: AsyncSession, year: int) -> int:
    bump = (
        update(CaseReferenceCounter)
        .where(CaseReferenceCounter.year == year)
        .values(last=CaseReferenceCounter.last + 1)
        .returning(CaseReferenceCounter.last)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is not None:
        return int(number)
    try:
        async with session.begin_nested():
            await session.execute(insert(CaseReferenceCounter).values(year=year, last=1))
        return 1
    except IntegrityError:
        return int((await session.execute(bump)).scalar_one())
