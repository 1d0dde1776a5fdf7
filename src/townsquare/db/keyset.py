"""Keyset paging: a long list pages by the position of the last row shown, never by OFFSET.

A position is (time, id) in newest-first order: the next page is every row strictly older, or as old with a
smaller id. Written as one row comparison, `(time, id) < (:time, :id)`, so PostgreSQL and SQLite both walk an
index on (…, time, id) straight to the page however deep it is. The token handed out for a position is short,
URL-safe and opaque to the caller.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from townsquare.errors import FieldError, invalid

Position = tuple[datetime, uuid.UUID]

# How far a list counts its matches: enough to say "1,234 cases", and no more work than a page when a city has
# a million ("more than 10,000").
COUNT_CAP = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN_MAX = 80


def older_than(
    time: QueryableAttribute[datetime], row_id: QueryableAttribute[uuid.UUID], position: Position
) -> ColumnElement[bool]:
    """Rows after `position` in newest-first order: older, or as old with a smaller id."""
    at, last_id = position
    return tuple_(time, row_id) < tuple_(literal(at, time.type), literal(last_id, row_id.type))


def token(position: Position | None) -> str | None:
    """A position as a short URL-safe token: microseconds since 1970, a dash, the id in hex."""
    if position is None:
        return None
    at, row_id = position
    return f"{(at - _EPOCH) // timedelta(microseconds=1)}-{row_id.hex}"


def read_token(value: str | None, *, field: str = "before") -> Position | None:
    """The position in a token from `token`; a 422 problem naming `field` when it is not one."""
    if not value:
        return None
    micros, _sep, hex_id = value[:_TOKEN_MAX].partition("-")
    try:
        return _EPOCH + timedelta(microseconds=int(micros)), uuid.UUID(hex=hex_id)
    except (ValueError, OverflowError):
        raise invalid(
            "That page link is damaged or is not one this service handed out; go back to the first page.",
            FieldError(field, "not a position"),
        ) from None


async def count_up_to(session: AsyncSession, matching: Select[Any], cap: int | None = None) -> tuple[int, bool]:
    """How many rows `matching` selects, counted no further than `cap` (`COUNT_CAP`): (count, whether there are
    more)."""
    cap = COUNT_CAP if cap is None else cap
    counted = (await session.execute(select(func.count()).select_from(matching.limit(cap + 1).subquery()))).scalar_one()
    return min(int(counted), cap), int(counted) > cap
