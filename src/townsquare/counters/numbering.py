"""Ticket numbers: per office, per service prefix, per local day, from 1, never the same twice.

The day's counter row is created or incremented by one upsert that returns the new number, so two check-ins at
the same moment (on PostgreSQL, in two transactions side by side) wait on the row and get consecutive numbers;
the tickets' own unique constraint backs it up.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.counters.models import TicketNumber

SHOWN_DIGITS = 3  # P-007: numbers are read aloud and from across a room


def label(prefix: str, number: int) -> str:
    """What the ticket and the display say: the prefix, a hyphen and the number with at least three digits."""
    return f"{prefix}-{number:0{SHOWN_DIGITS}d}"


async def next_number(session: AsyncSession, *, office_id: uuid.UUID, day: date, prefix: str) -> int:
    """The next number of `prefix` at the office on `day` (1 for the first). Does not commit."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(TicketNumber)
        .values(office_id=office_id, service_day=day, prefix=prefix, last_number=1)
        .on_conflict_do_update(
            index_elements=[TicketNumber.office_id, TicketNumber.service_day, TicketNumber.prefix],
            set_={"last_number": TicketNumber.last_number + 1},
        )
        .returning(TicketNumber.last_number)
    )
    return int((await session.execute(stmt)).scalar_one())
