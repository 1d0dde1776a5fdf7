"""The status workflow of a case and its public history: which status may follow which, each change written
as a `CaseUpdate` (Open311 reads the newest as status notes and the rows as the updates feed).

Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases.models import Case, CaseStatus, CaseUpdate
from townsquare.clock import utcnow
from townsquare.errors import Problem, conflict

OPEN_STATUSES = (CaseStatus.new, CaseStatus.open, CaseStatus.in_progress, CaseStatus.waiting_on_citizen)

TRANSITIONS: dict[CaseStatus, set[CaseStatus]] = {
    CaseStatus.new: {CaseStatus.open, CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.cancelled},
    CaseStatus.open: {
        CaseStatus.in_progress,
        CaseStatus.waiting_on_citizen,
        CaseStatus.resolved,
        CaseStatus.cancelled,
    },
    CaseStatus.in_progress: {
        CaseStatus.waiting_on_citizen,
        CaseStatus.resolved,
        CaseStatus.open,
        CaseStatus.cancelled,
    },
    CaseStatus.waiting_on_citizen: {CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.cancelled},
    CaseStatus.resolved: {CaseStatus.closed, CaseStatus.open},
    CaseStatus.closed: {CaseStatus.open},
    CaseStatus.cancelled: set(),
}


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    """Refuse a status change the workflow does not allow."""
    if target == current:
        raise conflict(f"The case is already {current.value.replace('_', ' ')}.")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise Problem(
            409,
            "Status change not allowed",
            f"A case that is {current.value} cannot become {target.value}; allowed next: {allowed}.",
            "invalid-transition",
        )


async def change_status(
    session: AsyncSession,
    *,
    case: Case,
    status: CaseStatus,
    note: str = "",
    source: str = "staff",
    staff_id: uuid.UUID | None = None,
    api_key_id: uuid.UUID | None = None,
) -> CaseStatus:
    """Move a case to a new status, keeping the step in its public history; returns the previous status."""
    check_transition(case.status, status)
    previous = case.status
    case.status = status
    now = utcnow()
    case.updated_at = now
    case.closed_at = now if status in (CaseStatus.closed, CaseStatus.cancelled, CaseStatus.resolved) else None
    await record_update(
        session, case=case, status=status, note=note, source=source, staff_id=staff_id, api_key_id=api_key_id
    )
    return previous


async def record_update(
    session: AsyncSession,
    *,
    case: Case,
    status: CaseStatus,
    note: str = "",
    source: str,
    staff_id: uuid.UUID | None = None,
    api_key_id: uuid.UUID | None = None,
    external_id: str | None = None,
    media_url: str | None = None,
) -> CaseUpdate:
    """One step of the case's public history (Open311 status notes and updates read these)."""
    row = CaseUpdate(
        case_id=case.id,
        status=status,
        note=note,
        source=source,
        staff_id=staff_id,
        api_key_id=api_key_id,
        external_id=external_id,
        media_url=media_url,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


# The note of a case's newest update (None without one), as a column of any query that reads cases: one index
# probe per case. Open311's lists read it with each request.
NEWEST_NOTE = (
    select(CaseUpdate.note)
    .where(CaseUpdate.case_id == Case.id)
    .order_by(CaseUpdate.created_at.desc(), CaseUpdate.id.desc())
    .limit(1)
    .correlate(Case)
    .scalar_subquery()
)


async def latest_public_notes(session: AsyncSession, *, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The note of each case's newest update, for cases that have one (`NEWEST_NOTE`); one query."""
    if not case_ids:
        return {}
    stmt = select(Case.id, NEWEST_NOTE).where(Case.id.in_(list(case_ids)))
    return {case_id: note for case_id, note in await session.execute(stmt) if note is not None}


async def updates_for(session: AsyncSession, *, case_id: uuid.UUID) -> list[CaseUpdate]:
    """A case's history, oldest first."""
    stmt = select(CaseUpdate).where(CaseUpdate.case_id == case_id).order_by(CaseUpdate.created_at, CaseUpdate.id)
    return list((await session.execute(stmt)).scalars())


async def updates_between(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    sources: Collection[str] = ("staff", "api", "system"),
    limit: int = 1000,
) -> list[tuple[CaseUpdate, Case]]:
    """Updates on cases of Open311 services made in [start, end], oldest first, with their case."""
    stmt = (
        select(CaseUpdate, Case)
        .join(Case, Case.id == CaseUpdate.case_id)
        .join(Service, Service.id == Case.service_id)
        .where(
            Service.open311.is_(True),
            CaseUpdate.created_at >= start,
            CaseUpdate.created_at <= end,
            CaseUpdate.source.in_(list(sources)),
        )
        .order_by(CaseUpdate.created_at, CaseUpdate.id)
        .limit(limit)
    )
    return [(row, case) for row, case in (await session.execute(stmt)).all()]
