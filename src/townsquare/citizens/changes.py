"""The history of corrections to a person's record: each change staff made, the value it replaced, who, when, why.

Appends only: a change is never edited or deleted, so what a record held before can always be read back. Never
commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import CitizenChange
from townsquare.db.base import new_id

HISTORY_LIMIT = 100


def record(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    field: str,
    old: str | None,
    new: str | None,
    reason: str,
    staff_id: uuid.UUID | None,
) -> CitizenChange:
    """Add one change to the person's history, in the session's transaction (its id is set at once, for the audit
    row that names it)."""
    change = CitizenChange(
        id=new_id(), citizen_id=citizen_id, field=field, old_value=old, new_value=new, reason=reason, staff_id=staff_id
    )
    session.add(change)
    return change


async def history(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = HISTORY_LIMIT) -> list[CitizenChange]:
    """The person's newest changes first."""
    stmt = (
        select(CitizenChange)
        .where(CitizenChange.citizen_id == citizen_id)
        .order_by(CitizenChange.created_at.desc(), CitizenChange.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
