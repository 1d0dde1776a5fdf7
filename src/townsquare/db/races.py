"""Guarding a unique-constraint race only where one can happen, with one savepoint however deep.

Where two transactions write side by side (PostgreSQL), the flow takes a savepoint before inserting a row that
another delivery may be inserting at the same moment (a new citizen's identity, a redelivered webhook): the loser
of the race rolls back just its attempt and reads the winner's row. SQLite lets one transaction write at a time (an
app transaction holds the write lock from `BEGIN IMMEDIATE`, and a read transaction that tries to write after
another commit gets SQLITE_BUSY_SNAPSHOT, never a duplicate), so the race cannot happen there and the savepoint
would only be two more statements on every contact.

A guard inside another guard takes no savepoint of its own: a race lost inside it is raised as `Lost` (never an
`IntegrityError`, so the inner code cannot mistake it for one it may recover from in a failed transaction), the
outer savepoint rolls back, and the outer code decides (the flow places the contact again: the winner's row is then
there to be found).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

_ENCLOSED = "townsquare.races.enclosed"  # session.info: a guard's savepoint encloses the code running now


class Lost(Exception):
    """A race lost inside a guard enclosed by another: the enclosing guard's savepoint is rolled back."""


@asynccontextmanager
async def guarded(session: AsyncSession) -> AsyncIterator[None]:
    """A savepoint where writers run side by side; nothing where they take turns (SQLite), nor inside another
    guard (a race lost there is raised as `Lost` to the enclosing guard's caller)."""
    if session.get_bind().dialect.name == "sqlite":
        yield
        return
    if session.info.get(_ENCLOSED):
        try:
            yield
        except IntegrityError as exc:
            raise Lost(str(exc.orig)) from exc
        return
    session.info[_ENCLOSED] = True
    try:
        async with session.begin_nested():
            yield
    finally:
        session.info[_ENCLOSED] = False
