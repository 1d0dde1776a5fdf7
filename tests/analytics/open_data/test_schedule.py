"""The daily run: its next time, the export at start when the files are missing or old, and the CLI command."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.analytics.open_data.seeding import seed_city
from townsquare import cli
from townsquare.analytics.open_data.files import directory
from townsquare.analytics.open_data.schedule import OpenDataScheduler, next_run, scheduled, stale
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.settings import Settings, get_settings


def test_the_daily_run_is_the_next_time_of_day_after_now() -> None:
    at = time(3, 30, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 4, 3, 29, tzinfo=UTC), at) == datetime(2026, 12, 4, 3, 30, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 4, 3, 30, tzinfo=UTC), at) == datetime(2026, 12, 5, 3, 30, tzinfo=UTC)


async def test_unset_time_schedules_nothing(runtime: Runtime, settings: Settings) -> None:
    assert scheduled(runtime.db, settings, asyncio.Event()) is None


async def test_missing_files_are_written_at_start(runtime: Runtime, session: AsyncSession, settings: Settings) -> None:
    await seed_city(session)
    assert stale(settings, utcnow())
    stop = asyncio.Event()
    stop.set()  # stopped before it starts: it still writes the missing files first, then returns
    scheduler = OpenDataScheduler(runtime.db, settings, (utcnow() - timedelta(hours=1)).timetz())
    await scheduler.run_forever(stop)
    package = directory(settings) / "datapackage.json"
    assert package.exists()
    assert not stale(settings, utcnow())
    day_old = (utcnow() - timedelta(days=1, minutes=1)).timestamp()
    os.utime(package, (day_old, day_old))
    assert stale(settings, utcnow())


async def test_the_cli_exports(session: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed_city(session)
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        done = await asyncio.to_thread(CliRunner().invoke, cli.cli, ["open-data", "export"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert "service-requests: 3 rows" in done.output
    assert "channel-contacts: 3 rows" in done.output
    assert (directory(settings) / "service-requests.csv").exists()
