"""Case references: the year's next number. On PostgreSQL it is taken and committed apart, so no transaction that
opens a case holds the counter (cases opening at once never queue on it), and a rolled-back case leaves a gap; on
SQLite it is taken inside the caller's transaction and never skipped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from townsquare.app import Runtime
from townsquare.cases.models import CaseReferenceCounter
from townsquare.cases.references import next_reference


@pytest.mark.postgres_only
async def test_a_case_being_opened_holds_no_lock_on_the_counter(runtime: Runtime) -> None:
    counter = select(CaseReferenceCounter.last).where(CaseReferenceCounter.year == 2031)
    async with runtime.db.session() as opening, runtime.db.session() as other:
        first = await next_reference(opening, prefix="TS", year=2031)
        # `opening` has not committed: its case is still being opened. The counter's row is free all the same.
        assert (await other.execute(counter.with_for_update(nowait=True))).scalar_one() == 1
        await other.rollback()
        second = await next_reference(other, prefix="TS", year=2031)
        await other.commit()
        await opening.rollback()  # the case that took the first number was never opened
    async with runtime.db.session() as later:
        third = await next_reference(later, prefix="TS", year=2031)
    assert (first, second, third) == ("TS-2031-000001", "TS-2031-000002", "TS-2031-000003")


async def test_on_sqlite_a_rolled_back_case_gives_its_number_back(runtime: Runtime) -> None:
    if runtime.db.dialect != "sqlite":
        pytest.skip("on PostgreSQL the number is taken apart, and a rolled-back case leaves a gap (the test above)")
    async with runtime.db.session() as opening:
        assert await next_reference(opening, prefix="TS", year=2031) == "TS-2031-000001"
        await opening.rollback()
    async with runtime.db.session() as again:
        assert await next_reference(again, prefix="TS", year=2031) == "TS-2031-000001"
        assert await next_reference(again, prefix="TS", year=2031) == "TS-2031-000002"
