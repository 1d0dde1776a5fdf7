"""SQLite runs on the event loop's thread and waits for another connection's lock without blocking the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from townsquare.db import sqlite_inline
from townsquare.db.engine import Database
from townsquare.events import EventBus


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "inline.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (body TEXT)")
    return path


def _holding_the_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer, in the middle of its transaction."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes VALUES ('theirs')")
    return other


async def test_statements_run_on_the_loops_own_thread(db_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{db_path}", EventBus())
    threads_before = threading.active_count()
    seen: list[int] = []

    def whose() -> int:
        seen.append(threading.get_ident())
        return 1

    try:
        async with db.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert isinstance(driver, sqlite_inline.InlineConnection)
            driver._conn.create_function("whose", 0, whose)
            assert (await conn.execute(text("SELECT whose()"))).scalar_one() == 1
        async with db.session(deferred=True) as s:
            assert (await s.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
        assert seen == [threading.get_ident()]
        assert threading.active_count() == threads_before  # no worker thread per connection
    finally:
        await db.dispose()


async def test_a_write_waits_for_another_connections_lock_while_the_loop_keeps_serving(db_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{db_path}", EventBus())
    other = _holding_the_write_lock(db_path)
    served = 0
    lock_released = asyncio.Event()

    async def other_requests() -> None:
        nonlocal served
        while not lock_released.is_set():
            served += 1
            await asyncio.sleep(0.01)

    def release() -> None:
        other.execute("COMMIT")
        lock_released.set()

    async def write() -> None:
        async with db.session() as s:  # BEGIN IMMEDIATE: waits for the lock
            await s.execute(text("INSERT INTO notes VALUES ('ours')"))
            await s.commit()

    ticker = asyncio.create_task(other_requests())
    asyncio.get_running_loop().call_later(0.2, release)
    try:
        await write()
        await ticker
        assert served > 1  # the loop ran other work while the write waited
        async with db.session(deferred=True) as s:
            bodies = (await s.execute(text("SELECT body FROM notes ORDER BY rowid"))).scalars().all()
        assert bodies == ["theirs", "ours"]  # ours went in after theirs committed
    finally:
        other.close()
        await db.dispose()


async def test_a_lock_never_released_fails_the_statement_after_the_wait(db_path: Path) -> None:
    other = _holding_the_write_lock(db_path)
    conn = await sqlite_inline.InlineConnection(lambda: sqlite3.connect(db_path, timeout=0), wait=0.05)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await conn.execute("BEGIN IMMEDIATE")
    finally:
        await conn.close()
        other.close()


async def test_a_stale_snapshot_is_not_retried(db_path: Path) -> None:
    conn = await sqlite_inline.InlineConnection(
        lambda: sqlite3.connect(db_path, timeout=0, isolation_level=None), wait=5.0
    )
    try:
        await conn.execute("BEGIN")
        await (await conn.execute("SELECT count(*) FROM notes")).fetchall()  # the snapshot starts here
        _holding_the_write_lock(db_path).execute("COMMIT")  # someone else commits after it
        with pytest.raises(sqlite3.OperationalError) as raised:
            await conn.execute("INSERT INTO notes VALUES ('late')")
        assert raised.value.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT  # only a new transaction can work
        await conn.execute("ROLLBACK")
    finally:
        await conn.close()
