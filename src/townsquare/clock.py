"""Timezone-aware UTC time, the only kind of timestamp the platform stores or compares.

Never returns a naive datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; a naive one is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are not accepted; attach a timezone")
    return value.astimezone(UTC)
