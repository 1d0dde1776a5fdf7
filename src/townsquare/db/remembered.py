"""What a process remembers, for a few seconds, of the configuration every contact reads: an agency's addresses,
its queues and SLA targets, a queue's calendar, API keys, the matching model in force.

Values are plain data, never ORM rows, kept per `Database` (found through the session's info, so the tests'
databases never share them). A commit in this process that wrote a watched table — through the unit of work or a
bulk UPDATE/DELETE, from any session — forgets everything at once; a session holding such a write reads the
database itself until it ends (its view is not everyone's). A change made by another process, or by raw SQL, is
seen within TTL_SECONDS. Holds nothing that is not configuration: never a person's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from time import monotonic
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, object_session

T = TypeVar("T")

# An admin's edit in another process reaches this one within five seconds: about the time it takes to go from the
# form to a test message. Each value is then read about once every five seconds instead of on every contact.
TTL_SECONDS = 5.0
MAX_ENTRIES = 4096  # a bound on the memory, far above the configuration of a city
INFO_KEY = "townsquare.remembered"
_WROTE = "townsquare.remembered.wrote"  # session.info: this transaction wrote a watched table

_watched: set[type[Any]] = set()
_generation = [0]  # moves at every commit that wrote a watched table: older entries are forgotten


class Remembered:
    """One database's remembered values: key → (value, generation, when read)."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self.entries: dict[Hashable, tuple[object, int, float]] = {}


async def recall(
    session: AsyncSession, key: Hashable, load: Callable[[], Awaitable[T]], *, keep_none: bool = True
) -> T:
    """The value `load` reads (in `session`), as remembered when read less than TTL_SECONDS ago and no watched
    table changed here since. `load` must return plain data built from watched tables only. `keep_none` False:
    a None is read again every time (a key that is not there must not fill the memory, nor hide a new one)."""
    info = session.info
    kept: Remembered | None = info.get(INFO_KEY)
    if kept is None or info.get(_WROTE):
        return await load()
    now = monotonic()
    entry = kept.entries.get(key)
    if entry is not None and entry[1] == _generation[0] and now - entry[2] < kept.ttl:
        return cast(T, entry[0])
    generation = _generation[0]  # before the read: a commit landing meanwhile makes this entry stale at once
    value = await load()
    if value is None and not keep_none:
        return value
    if len(kept.entries) >= MAX_ENTRIES:
        kept.entries.clear()
    kept.entries[key] = (value, generation, now)
    return value


def forget() -> None:
    """Forget every remembered value in this process (a watched table changed)."""
    _generation[0] += 1


def watch(*classes: type[Any]) -> None:
    """Forget what is remembered whenever a transaction writing one of these mapped classes commits."""
    for cls in classes:
        if cls in _watched:
            continue
        _watched.add(cls)
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(cls, name, _row_written)


def _row_written(mapper: Mapper[Any], connection: object, target: object) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_WROTE] = True
    forget()


@event.listens_for(Session, "do_orm_execute")
def _bulk_written(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in _watched:
        state.session.info[_WROTE] = True
        forget()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        forget()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction() and session.info.pop(_WROTE, False):
        forget()
