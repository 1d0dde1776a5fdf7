"""Fixtures: a real database per test (SQLite by default, PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set),
the app wired to it, an HTTP client, and factories.

SQLite: migrations run once into a template file that each test copies. PostgreSQL: each xdist worker of each run
gets its own database, migrated once, emptied between tests and dropped at the end.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.redis import RedisServer
from townsquare import migrations
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.db import Base
from townsquare.settings import Settings
from townsquare.staff import passwords as staff_passwords
from townsquare.staff import service as staff_service

PG_URL = os.environ.get("TOWNSQUARE_TEST_DATABASE_URL", "")


def pytest_report_header() -> str:
    return f"townsquare database: {'postgresql' if PG_URL else 'sqlite'}"


# Files of tests that take tens of seconds each (browser walks, every route for every caller): run first.
LONG_FILES = ("_browser.py", "test_authorization_matrix.py", "test_desk_words.py", "test_french_everywhere.py")


def _long_first(item: pytest.Item) -> int:
    return 0 if item.nodeid.split("::")[0].endswith(LONG_FILES) else 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files go first, each kept whole, so the two halves of the suite share them out at the start and
    end together on short tests rather than one waiting for the other's last long walk.

    `postgres_only` tests race transactions against each other: SQLite runs one writer at a time, so there
    they would only show the turns being taken, never the race. They are skipped there, and run on PostgreSQL."""
    items.sort(key=_long_first)  # stable: the order within each group is the collection's
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="a race between transactions: only PostgreSQL runs them at once")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector's full passes few and short: what importing the suite built (about half a
    million objects, never garbage) is frozen out of their reach, and young objects are collected less often, so
    fewer of a test's short-lived objects live long enough to be walked by a full pass (a fifth of the suite's
    time otherwise)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Staff passwords hashed with argon2id at its lowest cost: the real cost (a quarter of a second to hash and
    verify, on purpose) is paid by every test that creates or signs in a staff member, and no test is about it."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_service, "_hasher", cheap)
        patch.setattr(staff_service, "_DUMMY_HASH", cheap.hash("townsquare-timing-equaliser"))
        patch.setattr(staff_passwords, "_hasher", cheap)
        yield


@pytest.fixture
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if anything logged a traceback while it ran (for doors that must refuse bad input calmly)."""
    caplog.set_level(logging.DEBUG)
    yield
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text


async def _recreate_pg(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _drop_pg(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A freshly migrated database for this test process: a file (SQLite) or a database (PostgreSQL)."""
    if PG_URL:
        # Named by the run as well as the worker, so two runs against one server never truncate each other's.
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "solo")[:8]
        name = f"townsquare_test_{worker_id}_{run}"
        asyncio.run(_recreate_pg(PG_URL, name))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        migrations.upgrade(url)
        asyncio.run(_no_autovacuum(url))
        yield url
        asyncio.run(_drop_pg(PG_URL, name))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        migrations.upgrade(f"sqlite+aiosqlite:///{path}")
        yield str(path)


async def _no_autovacuum(url: str) -> None:
    """Tables emptied by DELETE keep their dead rows' space; vacuumed mid-run, the next rows would fill it out of
    their order of insertion. Unvacuumed, a table lists its rows in the order they came, as after a TRUNCATE, so
    a test that forgot an ORDER BY fails the same way every run instead of one run in a hundred (fix the test)."""
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            await conn.execute(text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))
    await engine.dispose()


def _which_hold_rows() -> str:
    """One query naming every table that holds a row (an EXISTS probe of each: a few milliseconds)."""
    tables = Base.metadata.sorted_tables  # our own names, never input
    return " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)  # noqa: S608


def _restarts(names: list[str]) -> list[str]:
    """Statements setting the sequences of `names`' counted ids back to 1 (as RESTART IDENTITY would)."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    out = []
    for name in names:
        column = tables[name].autoincrement_column
        if column is not None:
            out.append(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column.name}'), 1, false)")
    return out


async def _without_key_checks(conn: AsyncConnection) -> bool:
    """Turn the foreign keys' triggers off for the rest of this transaction; False if the role may not."""
    try:
        async with conn.begin_nested():
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:  # not a superuser
        return False
    return True


async def _empty(url: str, *, pristine: bool = False) -> None:
    """Empty the tables the last test wrote to, and set their counters back to 1.

    DELETE with the foreign keys' triggers off (`session_replication_role = replica`, for a superuser, as the
    test servers' owner is) takes a few milliseconds for a test's dozen small tables, where TRUNCATE makes new
    files for each table and everything referencing it (about a third of a second). Where the role cannot be
    set, TRUNCATE does the same work more slowly; and for a `pristine` test, since the rows DELETE leaves dead
    (and the indexes they swell) change the planner's choices, which the query-plan tests read.
    """
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            used = [row[0] for row in await conn.execute(text(_which_hold_rows()))]
            if not used:
                return
            if pristine or not await _without_key_checks(conn):
                quoted = ", ".join(f'"{name}"' for name in used)
                await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
                return
            for name in used:
                await conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 (our own table names)
            for statement in _restarts(used):
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty, migrated database for one test."""
    if PG_URL:
        await _empty(template_database, pristine=request.node.get_closest_marker("pristine_tables") is not None)
        return template_database
    target = tmp_path / "townsquare.db"
    shutil.copyfile(template_database, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        data_dir=tmp_path / "var",
        outbox_worker=False,
        routing_worker=False,
        notifications_worker=False,
        webhook_worker=False,
        analytics_worker=False,
        appointments_worker=False,
        freeze_startup_heap=False,
        gc_young_threshold=0,  # the test process's collector is left as Python has it
        open_data_export_time=None,  # tests export when they mean to
        outbox_retry_base_seconds=0.01,
        public_url="http://testserver",
        # Administrators' MFA is turned on by the tests about it (tests/web/test_desk_sign_in_steps.py); the rest
        # sign in with a password alone.
        staff_mfa_required=False,
        # No test reaches Twilio: a port nobody listens on refuses at once (tests that mean to talk to a stand-in
        # point it there themselves).
        twilio_api_base_url="http://127.0.0.1:9",
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = build_runtime(settings)
    yield rt
    await rt.bus.wait_idle()
    await rt.db.dispose()


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> FastAPI:
    return create_app(settings, runtime)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def session(runtime: Runtime) -> AsyncIterator[AsyncSession]:
    # Deferred: the test's own reads must not hold SQLite's write lock while the app handles requests.
    async with runtime.db.session(deferred=True) as s:
        yield s


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """This test process's redis-server, started when a test first needs one."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The Redis of a test of several processes: running (a test before may have stopped it) and empty."""
    if not redis_server.running():
        redis_server.start()
    redis_server.flush()
    return redis_server.url
