"""Alembic migrations for every table, run by `townsquare db upgrade`, `serve` and `demo`.

Works on SQLite and PostgreSQL alike; a test keeps one head and the models in step with the migrations.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent
MIGRATION_LOCK = 0x746F776E_6D696772  # "townmigr": the advisory lock every upgrade on PostgreSQL takes first


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at these migrations and the given database (or live connection)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def migrate_on(engine: AsyncEngine, run: Callable[[Connection], None]) -> None:
    """Run `run` in one transaction on a connection of `engine`. On SQLite the foreign keys are off meanwhile, as
    SQLite asks for changes that copy a table: dropping the old copy must not cascade to (or null) the rows that
    point at it. They are checked before the connection is handed back: a broken reference fails the migration."""
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
            await conn.commit()
        try:
            async with conn.begin():
                if not sqlite:  # app processes starting together on PostgreSQL upgrade one after the other
                    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                await conn.run_sync(run)
            if sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                await conn.commit()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} broken reference(s), first in {broken[0][0]}")
        finally:
            if sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


def heads() -> list[str]:
    """The head revisions; there must be exactly one."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade a database from synchronous code (the CLI)."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade through an existing async engine (inside a running event loop)."""
    await migrate_on(engine, lambda sync: command.upgrade(alembic_config(connection=sync), revision))


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    """Downgrade through an existing async engine (tests that migrations reverse cleanly)."""
    await migrate_on(engine, lambda sync: command.downgrade(alembic_config(connection=sync), revision))
