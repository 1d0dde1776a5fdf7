"""Timezone-aware UTC time, the only kind of timestamp the platform stores or compares.

Never returns a naive datetime. `replaying(at)` makes `utcnow()` say `at` inside a block, so the demo can write
its past history through the same service functions as live contact, and a test can stand on a given day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_replayed: ContextVar[datetime | None] = ContextVar("townsquare_replayed_now", default=None)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the replayed moment inside `replaying`)."""
    return _replayed.get() or datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; a naive one is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are not accepted; attach a timezone")
    return value.astimezone(UTC)


@contextmanager
def replaying(at: datetime) -> Iterator[None]:
    """Inside the block, `utcnow()` is `at`: for writing history that happened at `at`."""
    token = _replayed.set(as_utc(at))
    try:
        yield
    finally:
        _replayed.reset(token)
