"""Guarding a unique-constraint race only where one can happen.

Where two transactions write side by side (PostgreSQL), the flow takes a savepoint before inserting a row that
another delivery may be inserting at the same moment (a new citizen's identity, a redelivered webhook): the loser
of the race rolls back just its attempt and reads the winner's row. SQLite lets one transaction write at a time (an
app transaction holds the write lock from `BEGIN IMMEDIATE`, and a read transaction that tries to write after
another commit gets SQLITE_BUSY_SNAPSHOT, never a duplicate), so the race cannot happen there and the savepoint
would only be two more statements on every contact.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def guarded(session: AsyncSession) -> AbstractAsyncContextManager[Any]:
    """A savepoint where writers run side by side; nothing where they take turns (SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        return nullcontext()
    return session.begin_nested()
