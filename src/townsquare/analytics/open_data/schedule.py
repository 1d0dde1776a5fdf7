"""The daily export inside the app process, at TOWNSQUARE_OPEN_DATA_EXPORT_TIME (UTC), and once at start when the
files are missing or older than a day (a new deployment, or a process that was down at the time).

A failed run is logged and leaves the previous files published; the next day's run tries again. Several processes
may each run it: every file is replaced whole, so the last one's files stand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from townsquare.analytics.open_data.export import export
from townsquare.analytics.open_data.fields import PACKAGE
from townsquare.analytics.open_data.files import directory
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.settings import Settings

log = logging.getLogger(__name__)


def next_run(now: datetime, at: time) -> datetime:
    """The next moment at `at` (UTC) strictly after `now`."""
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def stale(settings: Settings, now: datetime) -> bool:
    """Whether the published files are missing or were written more than a day ago."""
    try:
        written = (directory(settings) / PACKAGE).stat().st_mtime
    except OSError:
        return True
    return now.timestamp() - written > timedelta(days=1).total_seconds()


@dataclass
class OpenDataScheduler:
    """Exports at the daily time until stopped."""

    db: Database
    settings: Settings
    at: time

    async def run_forever(self, stop: asyncio.Event) -> None:
        if stale(self.settings, utcnow()):
            await self._run()
        while not stop.is_set():
            wait = (next_run(utcnow(), self.at) - utcnow()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.0))
            if stop.is_set():
                return
            await self._run()

    async def _run(self) -> None:
        try:
            await export(self.db, self.settings)
        except Exception:
            log.exception("the open data export failed; the previous files stay published")


def scheduled(db: Database, settings: Settings, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """The daily export as a task of the app, or None when TOWNSQUARE_OPEN_DATA_EXPORT_TIME is unset."""
    if not settings.open_data_export_time:
        return None
    hour, minute = (int(part) for part in settings.open_data_export_time.split(":"))
    at = time(hour, minute, tzinfo=utcnow().tzinfo)
    return asyncio.create_task(OpenDataScheduler(db, settings, at).run_forever(stop), name="open-data")
