"""SQLite on the event loop's own thread: aiosqlite's interface without its worker thread.

aiosqlite runs every call (execute, each fetch, closing a cursor) on a thread of its own and hands the result back
through the event loop: a queue put, a wake-up of the loop and a task step per call, several per statement. For
an embedded database whose statements take microseconds, that hand-off cost more than the SQL: an ingest spent
over half its CPU on it. Here the same calls run inline, so SQLAlchemy's aiosqlite dialect drives a plain
`sqlite3` connection with nothing in between.

Nothing may block the loop, so a connection never waits inside SQLite for a lock (`busy_timeout` 0): when SQLite
answers SQLITE_BUSY (another connection holds the write lock), the call is retried after an `asyncio.sleep` with
backoff, for up to `wait` seconds, so the holder (often a coroutine of this same process) can finish meanwhile.
A statement that answered SQLITE_BUSY changed nothing, which is why SQLite's own busy handler retries it the
same way. SQLITE_BUSY_SNAPSHOT (a read transaction that wants to write after another commit) is not retried:
only a new transaction can succeed, as with the busy handler.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
from aiosqlite.core import _STOP_RUNNING_SENTINEL

FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.05


class _RunNow:
    """Takes the place of aiosqlite's queue to its thread (SQLAlchemy puts a few calls on it): runs each at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to whoever awaits the future, as aiosqlite's thread does
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(None if result is _STOP_RUNNING_SENTINEL else result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the calling thread; SQLITE_BUSY waits without blocking."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], *, wait: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]
        self._wait = wait

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
        return await self._when_free(fn, *args, **kwargs)

    async def _when_free(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Try again after a pause (doubling up to LONGEST_PAUSE) until SQLite says yes or `wait` has passed."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._wait
        pause = FIRST_PAUSE
        while True:
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or loop.time() >= give_up:
                    raise

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()


def connector(database: str, *, wait: float) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: a new inline connection to `database` (SQLite's own wait off)."""

    async def connect() -> InlineConnection:
        return await InlineConnection(lambda: sqlite3.connect(database, timeout=0), wait=wait)

    return connect
