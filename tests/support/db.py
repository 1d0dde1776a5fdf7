"""Reading the database from a test: a fresh snapshot after the app committed, and the statements a block ran.

Never used to write: a test's rows come from tests.factories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


async def fresh(session: AsyncSession) -> AsyncSession:
    """End the test session's snapshot (and expire its objects) so the next read sees what the app committed."""
    await session.rollback()
    return session


class Statements(list[str]):
    """The SQL statements an engine ran, in order, as the driver received them, and how many commits it made
    (drivers commit through their own API, not always as a statement, so commits are counted apart)."""

    commits: int = 0

    @property
    def verbs(self) -> list[str]:
        """The first word of each statement (`SELECT`, `INSERT`, `BEGIN` …)."""
        return [s.split()[0].upper() for s in self]

    @property
    def queries(self) -> list[str]:
        """The statements less transaction control, which differs between drivers (SQLite's BEGIN, savepoints)."""
        return [s for s in self if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)]

    @property
    def selects(self) -> list[str]:
        return [s for s in self if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def record_statements(engine: AsyncEngine) -> Iterator[Statements]:
    """Every statement `engine` sends to the database, and every commit, while the block runs."""
    seen = Statements()

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        seen.append(statement)

    def commit(conn: Any) -> None:
        seen.commits += 1

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    event.listen(engine.sync_engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        event.remove(engine.sync_engine, "commit", commit)
