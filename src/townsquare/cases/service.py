"""Opening cases with human references, moving them through the status workflow, and finding them.

Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.agencies.models import Agency, Service
from townsquare.cases.models import Case, CaseLink, CaseReferenceCounter, CaseStatus, CaseUpdate, Priority
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, conflict, invalid, not_found
from townsquare.places import service as places
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

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
    media_url: str | None = None,
) -> Case:
    """A new case with its reference and SLA due time.

    `location` may hold lat, long, address_string, address_id and zipcode (see engagement.locations).
    """
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
        zipcode=loc.get("zipcode"),
        media_url=media_url,
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


async def latest_public_notes(session: AsyncSession, *, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CaseUpdate]:
    """The newest update of each case that has one; one query."""
    if not case_ids:
        return {}
    stmt = (
        select(CaseUpdate)
        .where(CaseUpdate.case_id.in_(list(case_ids)))
        .order_by(CaseUpdate.case_id, CaseUpdate.created_at.desc(), CaseUpdate.id.desc())
    )
    newest: dict[uuid.UUID, CaseUpdate] = {}
    for row in (await session.execute(stmt)).scalars():
        newest.setdefault(row.case_id, row)
    return newest


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


LINK_KINDS = ("related", "duplicate", "likely_duplicate")
LIKELY_DUPLICATE = "likely_duplicate"
MAX_LIKELY_DUPLICATES = 5


async def assign(session: AsyncSession, *, case: Case, staff_id: uuid.UUID | None) -> uuid.UUID | None:
    """Give a case to a staff member of its agency (an admin too), or to nobody; returns the previous assignee."""
    if staff_id is not None:
        account = await session.get(StaffAccount, staff_id)
        member = (
            await session.execute(
                select(StaffAgency.staff_id).where(
                    StaffAgency.staff_id == staff_id, StaffAgency.agency_id == case.agency_id
                )
            )
        ).scalar_one_or_none()
        if account is None or not account.active or (member is None and account.role is not StaffRole.admin):
            raise invalid(
                "A case can only be assigned to an active staff member of its agency.",
                FieldError("staff_id", "not on the case's agency"),
            )
    previous = case.assigned_to_id
    case.assigned_to_id = staff_id
    case.updated_at = utcnow()
    await session.flush()
    return previous


class LinkView(NamedTuple):
    """A case link with the references of both ends, as pages show it."""

    link: CaseLink
    case_reference: str
    linked_reference: str


async def links_for(session: AsyncSession, *, case_ids: Collection[uuid.UUID]) -> list[LinkView]:
    """Every link touching the given cases, in either direction, with both references, oldest first; one query."""
    ids = list(case_ids)
    one, other = aliased(Case), aliased(Case)
    stmt = (
        select(CaseLink, one.reference, other.reference)
        .join(one, one.id == CaseLink.case_id)
        .join(other, other.id == CaseLink.linked_case_id)
        .where(or_(CaseLink.case_id.in_(ids), CaseLink.linked_case_id.in_(ids)))
        .order_by(CaseLink.created_at, CaseLink.id)
    )
    return [LinkView(row, ref, linked) for row, ref, linked in (await session.execute(stmt)).all()]


async def link(
    session: AsyncSession, *, case: Case, other: Case, kind: str = "related", staff_id: uuid.UUID | None = None
) -> CaseLink:
    """Record that two cases belong together; refuses a case linked to itself or a pair linked already."""
    if kind not in LINK_KINDS:
        raise invalid("A link is either related or duplicate.", FieldError("kind", "related or duplicate"))
    if case.id == other.id:
        raise invalid("A case cannot be linked to itself.", FieldError("reference", "the same case"))
    existing = await session.execute(
        select(CaseLink.id).where(
            or_(
                and_(CaseLink.case_id == case.id, CaseLink.linked_case_id == other.id),
                and_(CaseLink.case_id == other.id, CaseLink.linked_case_id == case.id),
            )
        )
    )
    if existing.first() is not None:
        raise conflict(f"{case.reference} and {other.reference} are linked already.")
    row = CaseLink(case_id=case.id, linked_case_id=other.id, kind=kind, created_by_id=staff_id)
    session.add(row)
    await session.flush()
    return row


async def merge(session: AsyncSession, *, duplicate: Case, into: Case, staff_id: uuid.UUID | None = None) -> CaseLink:
    """Fold a duplicate case into another: link them as duplicate, point the duplicate at it and close it."""
    if duplicate.merged_into_id is not None:
        raise conflict(f"{duplicate.reference} was merged into another case already.")
    if into.merged_into_id is not None:
        raise conflict(f"{into.reference} was itself merged into another case; merge into that one instead.")
    likely = await _link_between(session, duplicate, into)
    if likely is not None and likely.kind == LIKELY_DUPLICATE:
        await session.delete(likely)  # confirmed: the likely-duplicate link becomes the merge
        await session.flush()
    row = await link(session, case=duplicate, other=into, kind="duplicate", staff_id=staff_id)
    now = utcnow()
    duplicate.merged_into_id = into.id
    duplicate.status = CaseStatus.closed  # merging closes whatever the status was: the other case carries on
    duplicate.closed_at = now
    duplicate.updated_at = now
    await record_update(
        session,
        case=duplicate,
        status=CaseStatus.closed,
        note=f"Duplicate of {into.reference}",
        source="staff" if staff_id else "system",
        staff_id=staff_id,
    )
    return row


async def _link_between(session: AsyncSession, one: Case, other: Case) -> CaseLink | None:
    stmt = select(CaseLink).where(
        or_(
            and_(CaseLink.case_id == one.id, CaseLink.linked_case_id == other.id),
            and_(CaseLink.case_id == other.id, CaseLink.linked_case_id == one.id),
        )
    )
    return (await session.execute(stmt)).scalars().first()


async def nearby_open(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    lat: float,
    long: float,
    radius_m: float,
    exclude_id: uuid.UUID | None = None,
) -> list[tuple[Case, float]]:
    """Open, unmerged cases of the service within `radius_m` of the point, nearest first, with their distance.

    The (service, lat, long) index narrows to the bounding box; the exact geodesic distance decides.
    """
    min_lat, max_lat, min_long, max_long = places.bounding_box(lat, long, radius_m)
    stmt = select(Case).where(
        Case.service_id == service_id,
        Case.lat.between(min_lat, max_lat),
        Case.long.between(min_long, max_long),
        Case.status.in_(OPEN_STATUSES),
        Case.merged_into_id.is_(None),
    )
    if exclude_id is not None:
        stmt = stmt.where(Case.id != exclude_id)
    found: list[tuple[Case, float]] = []
    for other in (await session.execute(stmt)).scalars():
        if other.lat is None or other.long is None:
            continue
        distance = places.distance_m((lat, long), (other.lat, other.long))
        if distance <= radius_m:
            found.append((other, distance))
    found.sort(key=lambda pair: (pair[1], pair[0].created_at))
    return found


async def link_likely_duplicates(session: AsyncSession, *, case: Case, radius_m: float) -> list[CaseLink]:
    """Link a new case to the open cases of its service reported within `radius_m` (the nearest five)."""
    if radius_m <= 0 or case.service_id is None or case.lat is None or case.long is None:
        return []
    nearby = await nearby_open(
        session, service_id=case.service_id, lat=case.lat, long=case.long, radius_m=radius_m, exclude_id=case.id
    )
    rows = [
        CaseLink(
            case_id=case.id,
            linked_case_id=other.id,
            kind=LIKELY_DUPLICATE,
            detail={"distance_m": round(distance, 1)},
        )
        for other, distance in nearby[:MAX_LIKELY_DUPLICATES]
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def dismiss_likely_duplicate(session: AsyncSession, *, link: CaseLink, staff_id: uuid.UUID | None) -> None:
    """Not a duplicate after all: the two cases stay linked as related and are no longer offered for merging."""
    link.kind = "related"
    link.created_by_id = staff_id
    await session.flush()


async def likely_duplicates_of(session: AsyncSession, *, case_id: uuid.UUID) -> list[tuple[CaseLink, Case]]:
    """The likely-duplicate links touching a case, either way, with the case at the other end, nearest first."""
    stmt = (
        select(CaseLink, Case)
        .join(
            Case,
            or_(
                and_(CaseLink.case_id == case_id, Case.id == CaseLink.linked_case_id),
                and_(CaseLink.linked_case_id == case_id, Case.id == CaseLink.case_id),
            ),
        )
        .where(CaseLink.kind == LIKELY_DUPLICATE, or_(CaseLink.case_id == case_id, CaseLink.linked_case_id == case_id))
    )
    rows = [(link_row, other) for link_row, other in (await session.execute(stmt)).all()]
    rows.sort(key=lambda pair: (float(pair[0].detail.get("distance_m", 0.0)), pair[1].created_at))
    return rows


async def public_reports(
    session: AsyncSession,
    *,
    references: Collection[str] | None = None,
    service_codes: Collection[str] | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[tuple[Case, Service, Agency]]:
    """Cases of active Open311 services, from any channel: the reports anyone may see (never who sent them),
    newest first. `references` overrides every other filter; `status` is "open" or "closed" (None: both)."""
    stmt = (
        select(Case, Service, Agency)
        .join(Service, Service.id == Case.service_id)
        .join(Agency, Agency.id == Case.agency_id)
        .where(Service.open311.is_(True), Service.active.is_(True))
    )
    if references is not None:
        stmt = stmt.where(Case.reference.in_(list(references)))
    else:
        if service_codes is not None:
            stmt = stmt.where(Service.code.in_(list(service_codes)))
        if since is not None:
            stmt = stmt.where(Case.created_at >= since)
        if until is not None:
            stmt = stmt.where(Case.created_at <= until)
        if status == "open":
            stmt = stmt.where(Case.status.in_(OPEN_STATUSES))
        elif status == "closed":
            stmt = stmt.where(Case.status.not_in(OPEN_STATUSES))
    stmt = stmt.order_by(Case.created_at.desc(), Case.reference.desc()).limit(limit).offset(offset)
    return [(case, service, agency) for case, service, agency in (await session.execute(stmt)).all()]
