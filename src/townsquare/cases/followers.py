"""People who follow a report that is not theirs, and how many say they have the same problem ("me too").

The case's own resident always hears about it and needs no row. A "me too" is a follow that is also counted on
the report's public page; a duplicate merged into a report counts as its reporter's "me too". Never commits.
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case, CaseFollower

Following = Literal["reporter", "follower", "me_too"]


async def follow(session: AsyncSession, *, case: Case, citizen_id: uuid.UUID, me_too: bool = False) -> bool:
    """Start following (a "me too" also follows); False when nothing changed. The reporter needs no row."""
    if case.citizen_id == citizen_id:
        return False
    stmt = select(CaseFollower).where(CaseFollower.case_id == case.id, CaseFollower.citizen_id == citizen_id)
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        session.add(CaseFollower(case_id=case.id, citizen_id=citizen_id, me_too=me_too))
    elif me_too and not row.me_too:
        row.me_too = True
    else:
        return False
    await session.flush()
    return True


async def unfollow(session: AsyncSession, *, case_id: uuid.UUID, citizen_id: uuid.UUID) -> bool:
    """Stop following (a "me too" is withdrawn with it); False when the person was not following."""
    stmt = delete(CaseFollower).where(CaseFollower.case_id == case_id, CaseFollower.citizen_id == citizen_id)
    removed = (await session.execute(stmt)).rowcount  # type: ignore[attr-defined]
    return bool(removed)


async def following(session: AsyncSession, *, case: Case, citizen_id: uuid.UUID) -> Following | None:
    """How the person follows the report, if they do."""
    if case.citizen_id == citizen_id:
        return "reporter"
    stmt = select(CaseFollower.me_too).where(CaseFollower.case_id == case.id, CaseFollower.citizen_id == citizen_id)
    me_too = (await session.execute(stmt)).scalar_one_or_none()
    if me_too is None:
        return None
    return "me_too" if me_too else "follower"


async def reported_by(session: AsyncSession, *, case_id: uuid.UUID) -> int:
    """How many people reported the problem: its reporter and every "me too" (merged duplicates included)."""
    stmt = select(func.count()).where(CaseFollower.case_id == case_id, CaseFollower.me_too.is_(True))
    return 1 + int((await session.execute(stmt)).scalar_one())


async def followers(session: AsyncSession, *, case: Case) -> list[uuid.UUID]:
    """Everyone following the report other than its own resident, oldest first."""
    stmt = (
        select(CaseFollower.citizen_id)
        .where(CaseFollower.case_id == case.id)
        .order_by(CaseFollower.created_at, CaseFollower.id)
    )
    return [c for c in (await session.execute(stmt)).scalars() if c != case.citizen_id]


async def followed_by(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = 50) -> list[tuple[Case, bool]]:
    """The reports the person follows (and whether they said "me too"), the most recently followed first."""
    stmt = (
        select(Case, CaseFollower.me_too)
        .join(CaseFollower, CaseFollower.case_id == Case.id)
        .where(CaseFollower.citizen_id == citizen_id)
        .order_by(CaseFollower.created_at.desc(), CaseFollower.id.desc())
        .limit(limit)
    )
    return [(case, bool(me_too)) for case, me_too in (await session.execute(stmt)).all()]
