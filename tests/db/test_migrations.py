"""Migrations: one head, models in step with them, reversible, and an audit log that only grows."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from townsquare import migrations
from townsquare.app import Runtime
from townsquare.db import Base
from townsquare.db.base import for_dialect
from townsquare.staff import service as staff


def test_there_is_exactly_one_head() -> None:
    assert len(migrations.heads()) == 1


async def test_the_models_match_the_migrations(runtime: Runtime) -> None:
    def diff(sync_conn: Connection) -> list[Any]:
        include = for_dialect(sync_conn.dialect.name)
        ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True, "include_object": include})
        changes: list[Any] = compare_metadata(ctx, Base.metadata)
        return changes

    async with runtime.db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], f"models and migrations differ: {changes}"


async def test_migrations_downgrade_and_upgrade_again(runtime: Runtime) -> None:
    await migrations.downgrade_engine(runtime.db.engine, "base")
    async with runtime.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    assert set(tables) <= {"alembic_version"}
    await migrations.upgrade_engine(runtime.db.engine)
    async with runtime.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    assert {"citizens", "interactions", "outbox", "audit_log"} <= set(tables)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
async def test_the_audit_log_is_append_only(runtime: Runtime, statement: str) -> None:
    async with runtime.db.session() as s:
        staff.audit(s, actor_kind="system", actor_id=None, action="test", subject_kind="test")
        await s.commit()
    async with runtime.db.session() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(text(statement))
        await s.rollback()
    async with runtime.db.session() as s:
        assert (await s.execute(text("SELECT action FROM audit_log"))).scalar_one() == "test"
