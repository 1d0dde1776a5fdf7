"""Ticket numbers: per service prefix, per office, per day, never the same twice — also when check-ins race."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.counters import make_office, ticket
from townsquare.app import Runtime
from townsquare.counters import numbering
from townsquare.counters.models import Ticket


async def test_numbers_count_per_prefix_and_start_again_each_day(session: AsyncSession) -> None:
    place = await make_office(session)
    morning = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 10:00 in Toronto
    first = await ticket(session, place, at=morning)
    second = await ticket(session, place, at=morning + timedelta(minutes=1))
    licence = await ticket(session, place, service=place.licence, at=morning + timedelta(minutes=2))
    next_day = await ticket(session, place, at=morning + timedelta(days=1))
    assert [first.label, second.label, licence.label, next_day.label] == ["P-001", "P-002", "L-001", "P-001"]
    assert numbering.label("P", 1234) == "P-1234"


async def test_check_ins_at_the_same_moment_never_get_the_same_number(runtime: Runtime) -> None:
    """Twenty tickets taken side by side, each in its own transaction (on PostgreSQL they overlap)."""
    async with runtime.db.session() as setup:
        place = await make_office(setup)
        await setup.commit()

    async def take() -> str:
        async with runtime.db.session() as session:
            made = await ticket(session, place)
            await asyncio.sleep(0)  # let the others start before this one commits
            await session.commit()
            return made.label

    labels = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(labels) == [f"P-{n:03d}" for n in range(1, 21)]
    async with runtime.db.session(deferred=True) as check:
        assert len((await check.scalars(Ticket.__table__.select())).all()) == 20
