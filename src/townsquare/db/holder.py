"""One holder where one is needed: a loop that must not run twice at once across processes (the print batch, the
open data export, the mail folder, the silent-call sweep) runs only while its process holds a PostgreSQL advisory
lock, taken on a connection kept open for as long as it holds it; the other processes stand by and take over.

A killed holder's connection closes and PostgreSQL frees the lock at once. SQLite allows one process (the file
lock at start), so there the loop simply runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from townsquare.db.engine import Database, make_engine

log = logging.getLogger(__name__)
Work = Callable[[asyncio.Event], Coroutine[Any, Any, None]]  # a loop's run_forever(stop)


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for a loop's name (the same in every process and release)."""
    return int.from_bytes(hashlib.sha256(f"townsquare:{name}".encode()).digest()[:8], "big", signed=True)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


class SoleHolder:
    """Runs `work` in one process at a time among all those sharing the database."""

    def __init__(self, db: Database, name: str, *, retry_seconds: float = 5.0) -> None:
        self.db = db
        self.name = name
        self.key = lock_key(name)
        self.retry_seconds = retry_seconds
        self.holding = False
        self.standing_by = asyncio.Event()  # set while another process holds it (tests wait on it)
        self.backend_pid: int | None = None  # the lock connection's server process, while holding

    async def run(self, work: Work, stop: asyncio.Event) -> None:
        """Hold and run `work` until `stop`; stand by while another process holds it; take over when it is freed."""
        if self.db.dialect != "postgresql":
            await work(stop)
            return
        engine = make_engine(self.db.url, pool=False)  # its own connection: never one of the requests' pool
        try:
            while not stop.is_set():
                try:
                    await self._hold_once(engine, work, stop)
                except Exception as error:  # the database went away, or the work failed: try again later
                    log.warning("%s: holding stopped (%s); trying again", self.name, type(error).__name__)
                await _wait(stop, self.retry_seconds)
        finally:
            await engine.dispose()

    async def _hold_once(self, engine: AsyncEngine, work: Work, stop: asyncio.Event) -> None:
        async with engine.connect() as conn:
            held, self.backend_pid = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:key), pg_backend_pid()"), {"key": self.key})
            ).one()
            await conn.commit()  # the lock is the session's: no transaction is left open while holding
            if not held:
                self.standing_by.set()
                return
            self.standing_by.clear()
            self.holding = True
            log.info("%s: this process holds it", self.name)
            try:
                await self._run_while_held(conn, work, stop)
            finally:
                self.holding = False
                with contextlib.suppress(Exception):  # a lost connection has freed the lock already
                    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                    await conn.commit()

    async def _run_while_held(self, conn: AsyncConnection, work: Work, stop: asyncio.Event) -> None:
        """Run `work` until `stop`, the work's end, or the lock's connection failing a check; then let the work
        finish its current pass."""
        inner = asyncio.Event()
        task = asyncio.create_task(work(inner), name=f"holder:{self.name}")
        try:
            while not stop.is_set() and not task.done():
                stopping = asyncio.ensure_future(stop.wait())
                waiting: set[asyncio.Future[Any]] = {task, stopping}
                await asyncio.wait(waiting, timeout=self.retry_seconds, return_when="FIRST_COMPLETED")
                stopping.cancel()
                if not stop.is_set() and not task.done():
                    await conn.execute(text("SELECT 1"))  # still connected, so still holding
                    await conn.commit()
        finally:
            inner.set()
            await task
