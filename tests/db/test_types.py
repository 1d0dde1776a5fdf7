"""Timestamps are aware UTC in and out, on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from tests.factories import create_agency
from townsquare.agencies.models import Agency
from townsquare.app import Runtime


async def test_aware_datetimes_come_back_as_utc(runtime: Runtime) -> None:
    eastern = timezone(timedelta(hours=-5))
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        agency.created_at = datetime(2026, 3, 1, 9, 30, tzinfo=eastern)
        await s.commit()
    async with runtime.db.session() as s:
        again = await s.get_one(Agency, agency.id)
        assert again.created_at == datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
        assert again.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        agency.created_at = datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001 - the point of the test
        with pytest.raises(StatementError, match="naive datetime"):
            await s.flush()
