"""Opening cases with human references, moving them through the status workflow, and finding them.

Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case, CaseReferenceCounter, CaseStatus, Priority
from townsquare.clock import utcnow
from townsquare.errors import Problem, conflict, not_found

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


def reference_pattern(prefix: str) -> re.Pattern[str]:
    """The shape of a case reference, e.g. TS-2026-000123 (case-insensitive, as people type it)."""
    return re.compile(rf"\b{re.escape(prefix)}-(\d{{4}})-(\d{{6}})\b", re.IGNORECASE)


def find_reference(text: str, *, prefix: str) -> str | None:
    """The first case reference quoted in a text, upper-cased."""
    match = reference_pattern(prefix).search(text or "")
    return f"{prefix.upper()}-{match.group(1)}-{match.group(2)}" if match else None


async def next_reference(session: AsyncSession, *, prefix: str, year: int) -> str:
    """The next free reference of the year, taken inside the caller's transaction."""
    bump = (
        update(CaseReferenceCounter)
        .where(CaseReferenceCounter.year == year)
        .values(last=CaseReferenceCounter.last + 1)
        .returning(CaseReferenceCounter.last)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is None:
        try:
            async with session.begin_nested():
                await session.execute(insert(CaseReferenceCounter).values(year=year, last=1))
            number = 1
        except IntegrityError:
            number = (await session.execute(bump)).scalar_one()
    return f"{prefix}-{year}-{number:06d}"


async def open_case(
    session: AsyncSession,
    *,
    prefix: str,
    agency_id: uuid.UUID,
    title: str,
    channel: str,
    description: str = "",
    service_id: uuid.UUID | None = None,
    sla_target_hours: int | None = None,
    citizen_id: uuid.UUID | None = None,
    priority: Priority = Priority.normal,
    location: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None,
    staff_id: uuid.UUID | None = None,
) -> Case:
    """A new case with its reference and SLA due time."""
    now = utcnow()
    loc = location or {}
    case = Case(
        reference=await next_reference(session, prefix=prefix, year=now.year),
        title=title,
        description=description,
        agency_id=agency_id,
        service_id=service_id,
        citizen_id=citizen_id,
        priority=priority,
        lat=loc.get("lat"),
        long=loc.get("long"),
        address_string=loc.get("address_string"),
        address_id=loc.get("address_id"),
        attributes=attributes or {},
        sla_due_at=now + timedelta(hours=sla_target_hours) if sla_target_hours else None,
        opened_channel=channel,
        opened_by_staff_id=staff_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    return case


async def get_by_reference(session: AsyncSession, *, reference: str) -> Case | None:
    """The case with this reference (case-insensitive), if any."""
    stmt = select(Case).where(Case.reference == reference.strip().upper())
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_by_id(session: AsyncSession, *, case_id: uuid.UUID) -> Case:
    """A case by id (it must exist)."""
    return await session.get_one(Case, case_id)


async def require(session: AsyncSession, *, reference: str) -> Case:
    """The case with this reference, or a 404 problem."""
    case = await get_by_reference(session, reference=reference)
    if case is None:
        raise not_found("Case", f"No case has the reference '{reference}'.")
    return case


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


async def change_status(session: AsyncSession, *, case: Case, status: CaseStatus) -> CaseStatus:
    """Move a case to a new status; returns the previous one."""
    check_transition(case.status, status)
    previous = case.status
    case.status = status
    now = utcnow()
    case.updated_at = now
    case.closed_at = now if status in (CaseStatus.closed, CaseStatus.cancelled, CaseStatus.resolved) else None
    await session.flush()
    return previous


async def list_cases(
    session: AsyncSession,
    *,
    agency_ids: set[uuid.UUID] | None,
    status: CaseStatus | None = None,
    citizen_id: uuid.UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """Cases visible to the given agencies (None: all), newest first, with the total count."""
    stmt = select(Case)
    if agency_ids is not None:
        stmt = stmt.where(Case.agency_id.in_(agency_ids))
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if citizen_id is not None:
        stmt = stmt.where(Case.citizen_id == citizen_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(Case.created_at.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


async def for_citizen(session: AsyncSession, *, citizen_id: uuid.UUID, agency_ids: set[uuid.UUID] | None) -> list[Case]:
    """Every case of a citizen that the given agencies may see."""
    cases, _ = await list_cases(session, agency_ids=agency_ids, citizen_id=citizen_id, limit=500)
    return cases


def visible_case_ids(agency_ids: set[uuid.UUID] | None) -> Select[uuid.UUID] | None:
    """A subquery of the case ids the given agencies may see (None: no restriction)."""
    if agency_ids is None:
        return None
    return select(Case.id).where(Case.agency_id.in_(agency_ids))


async def open_for_citizen(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = 5) -> list[Case]:
    """A citizen's cases that are still open, the most recently updated first."""
    stmt = (
        select(Case)
        .where(Case.citizen_id == citizen_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.updated_at.desc(), Case.created_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
