"""One holder where one is needed: of two processes sharing the database, one runs the loop and the other stands
by; when the first stops, or its connection dies as a killed process's does, the second takes over."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
from sqlalchemy import text

from townsquare.db import Database
from townsquare.db.holder import SoleHolder, lock_key
from townsquare.events import EventBus

LIMIT = 60.0  # an upper bound on a loaded machine; each wait ends as soon as its condition holds


class Loop:
    """A loop that says when it starts and when it is told to stop."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()

    async def run_forever(self, stop: asyncio.Event) -> None:
        self.started.set()
        await stop.wait()
        self.stopped.set()


class Process:
    """A process's share of it: its own database engines, holder and stop signal."""

    def __init__(self, url: str, name: str) -> None:
        self.db = Database(url, EventBus(), pool=False)
        self.holder = SoleHolder(self.db, name, retry_seconds=0.05)
        self.loop = Loop()
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.holder.run(self.loop.run_forever, self.stop))

    async def end(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, LIMIT)
        await self.db.dispose()


async def _until(condition: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    await asyncio.wait_for(condition(), LIMIT)


@pytest.fixture
async def two(database_url: str) -> AsyncIterator[tuple[Process, Process]]:
    name = f"test-loop-{uuid.uuid4().hex}"
    first = Process(database_url, name)
    await _until(first.loop.started.wait)
    second = Process(database_url, name)
    yield first, second
    for process in (first, second):
        await process.end()


@pytest.mark.postgres_only
async def test_one_process_runs_the_loop_and_the_other_stands_by_until_it_stops(two: tuple[Process, Process]) -> None:
    first, second = two
    await _until(second.holder.standing_by.wait)
    assert first.holder.holding
    assert not second.holder.holding
    assert not second.loop.started.is_set()
    first.stop.set()  # a graceful stop: the loop finishes, the lock is given back
    await _until(first.loop.stopped.wait)
    await _until(second.loop.started.wait)
    assert second.holder.holding


@pytest.mark.postgres_only
async def test_a_killed_holders_lock_is_freed_and_the_other_takes_over(two: tuple[Process, Process]) -> None:
    first, second = two
    await _until(second.holder.standing_by.wait)
    async with second.db.session() as session:  # what the server sees when a holder's process is killed
        await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first.holder.backend_pid})
    await _until(second.loop.started.wait)
    await _until(first.loop.stopped.wait)  # the first noticed its connection gone and stopped its loop
    assert second.holder.holding
    first.holder.standing_by.clear()
    await _until(first.holder.standing_by.wait)  # and now stands by in turn
    assert not first.holder.holding


@pytest.mark.postgres_only
async def test_loops_of_different_names_are_held_apart(database_url: str) -> None:
    assert lock_key("print-batch") != lock_key("open-data")
    assert lock_key("print-batch") == lock_key("print-batch")  # the same in every process and release
    a, b = Process(database_url, f"a-{uuid.uuid4().hex}"), Process(database_url, f"b-{uuid.uuid4().hex}")
    try:
        await _until(a.loop.started.wait)
        await _until(b.loop.started.wait)
    finally:
        await a.end()
        await b.end()


async def test_on_sqlite_the_one_process_simply_runs_the_loop(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL takes the lock (the tests above)")
    process = Process(database_url, "silent-calls")
    await _until(process.loop.started.wait)
    assert not process.holder.holding  # no lock to hold: the file's lock already made this the one process
    await process.end()
    assert process.loop.stopped.is_set()
