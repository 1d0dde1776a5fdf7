"""Running the print batch: once (the CLI, a desk button) or every day at TOWNSQUARE_PRINT_BATCH_TIME (UTC).

A run commits its batch in one transaction; a failed run leaves every letter accepted for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters.batches import build_batch
from townsquare.notify.letters.views import BatchView, batch

log = logging.getLogger(__name__)


async def batch_now(session: AsyncSession, store: AttachmentStore, day: date | None = None) -> BatchView | None:
    """Build and commit the print batch of `day` (today, UTC, by default) in `session`; None when no letter waits."""
    made = await build_batch(session, store, day or utcnow().date())
    if made is None:
        return None
    await session.commit()
    return await batch(session, batch_id=made.id)


async def run_batch(db: Database, store: AttachmentStore, day: date | None = None) -> BatchView | None:
    """`batch_now` in a session of its own (the CLI, the daily run)."""
    async with db.session() as session:
        return await batch_now(session, store, day)


def next_run(now: datetime, at: time) -> datetime:
    """The next moment at `at` (UTC) strictly after `now`."""
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


@dataclass
class PrintBatchScheduler:
    """Builds the day's batch at the daily time, inside the app process."""

    db: Database
    store: AttachmentStore
    at: time

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = (next_run(utcnow(), self.at) - utcnow()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.0))
            if stop.is_set():
                return
            try:
                made = await run_batch(self.db, self.store)
                log.info("print batch: %s", f"{made.letter_count} letters" if made else "no letters waiting")
            except Exception:
                log.exception("the print batch failed; its letters wait for the next run")
