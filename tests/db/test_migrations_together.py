"""Upgrades started together on PostgreSQL (every machine's app upgrading at start) take turns: one does the work,
the others find nothing left to do, and none fails."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from townsquare import migrations

PG_URL = os.environ.get("TOWNSQUARE_TEST_DATABASE_URL", "")
LIMIT = 300.0  # an upper bound for a whole upgrade on a loaded machine


async def _admin(statement: str) -> None:
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _version(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return [row[0] for row in await conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
def test_upgrades_started_together_take_turns() -> None:
    name = f"townsquare_together_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "TOWNSQUARE_DATABASE_URL": url}
        upgrades = [
            subprocess.Popen(  # our own command, twice, as two machines starting at once would
                [sys.executable, "-c", "from townsquare.cli import main; main()", "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=LIMIT)[0] for process in upgrades]
        assert [process.returncode for process in upgrades] == [0, 0], outputs
        assert asyncio.run(_version(url)) == migrations.heads()
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
