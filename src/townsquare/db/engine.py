"""The engine and session factory for SQLite (embedded, WAL) or PostgreSQL (asyncpg).

Sessions made here carry the event bus, so `events.publish_after_commit` works from any service function, and the
database's remembered configuration (`db.remembered`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from townsquare.db import sqlite_inline
from townsquare.db.remembered import INFO_KEY as REMEMBERED
from townsquare.db.remembered import Remembered
from townsquare.events import EventBus
from townsquare.hygiene import dump_stored_json, load_stored_json

SQLITE_LOCK_WAIT = 10.0  # seconds a statement waits for another connection's write lock before failing
SIDE_ENGINE = "townsquare.side_engine"  # session.info: where one statement may commit apart (PostgreSQL only)
SIDE_POOL = {"pool_size": 2, "max_overflow": 2}  # each use is one statement and its commit: never waits on another


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, start transactions: savepoints then work, and see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never fail with
    # SQLITE_BUSY halfway, it waits (sqlite_inline) for the one writer SQLite allows instead. Sessions made
    # with `deferred=True` (read-mostly work) use a plain BEGIN, and in WAL mode never block the writer.
    deferred = conn.get_execution_options().get("townsquare_deferred", False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_engine(
    database_url: str, *, pool: bool = True, sqlite_writer: bool = False, pool_size: dict[str, int] | None = None
) -> AsyncEngine:
    """An async engine; for SQLite the file's folder is created, WAL and foreign keys are switched on, and calls
    run inline on the event loop (`sqlite_inline`).

    `sqlite_writer`: one pooled connection, so writers queue first-come first-served in the pool instead of
    polling SQLite's busy handler (which sleeps up to 100 ms between tries and serves no one in order).
    """
    url = make_url(database_url)
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            if sqlite_writer and pool:
                kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        # Calls run on the event loop's thread; a lock held elsewhere is waited for without blocking it.
        kwargs["async_creator"] = sqlite_inline.connector(url.database or ":memory:", wait=SQLITE_LOCK_WAIT)
    else:
        kwargs["pool_pre_ping"] = True
        if pool:
            kwargs.update(pool_size or {})
    if not pool:
        kwargs["poolclass"] = NullPool
    # JSON columns: refuse on write what PostgreSQL refuses (so SQLite agrees), degrade on read what an older
    # release let in (a lone surrogate becomes U+FFFD), so no stored value can fail a page.
    engine = create_async_engine(url, json_serializer=dump_stored_json, json_deserializer=load_stored_json, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


class Database:
    """Engines, session factories and the bus that sessions publish to.

    On SQLite, write sessions (the default) share one connection and so queue in order; deferred sessions
    read from their own pool, which in WAL mode never waits for the writer. On PostgreSQL both are one engine.
    """

    def __init__(self, database_url: str, bus: EventBus, *, pool: bool = True) -> None:
        self.url = database_url
        self.bus = bus
        self.engine = make_engine(database_url, pool=pool, sqlite_writer=True)
        sqlite = self.engine.dialect.name == "sqlite"
        self.read_engine = make_engine(database_url, pool=pool) if sqlite else self.engine
        # A few connections of their own for a statement that must commit at once, whatever transaction asked for it
        # (cases.references); a pool apart, so a request holding its connection never waits for another of the same.
        self.side_engine = None if sqlite else make_engine(database_url, pool=pool, pool_size=SIDE_POOL)
        # Configuration read on every contact, remembered for a few seconds (db.remembered), by this database alone.
        info: dict[str, object] = {"townsquare.bus": bus, REMEMBERED: Remembered()}
        if self.side_engine is not None:
            info[SIDE_ENGINE] = self.side_engine
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.deferred_sessions = async_sessionmaker(
            self.read_engine.execution_options(townsquare_deferred=True), expire_on_commit=False, info=info
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self, *, deferred: bool = False) -> AsyncIterator[AsyncSession]:
        """A session whose uncommitted work is rolled back on exit (`deferred`: SQLite read-mostly work)."""
        async with (self.deferred_sessions if deferred else self.sessions)() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self.side_engine is not None:
            await self.side_engine.dispose()
