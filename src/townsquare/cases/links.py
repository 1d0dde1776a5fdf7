"""Cases that belong together: links (related, duplicate), merges, and likely duplicates found by place
(open cases of the same service within a radius, measured with the gazetteer's geodesic distance).

Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from townsquare.cases import followers
from townsquare.cases.models import Case, CaseLink, CaseStatus
from townsquare.cases.workflow import OPEN_STATUSES, record_update
from townsquare.clock import utcnow
from townsquare.errors import FieldError, conflict, invalid
from townsquare.places import service as places

LINK_KINDS = ("related", "duplicate", "likely_duplicate")
LIKELY_DUPLICATE = "likely_duplicate"
MAX_LIKELY_DUPLICATES = 5
# Built once: an alias costs milliseconds to construct, on every case page otherwise.
_ONE, _OTHER = aliased(Case, name="link_case"), aliased(Case, name="linked_case")


class LinkView(NamedTuple):
    """A case link with the references of both ends, as pages show it."""

    link: CaseLink
    case_reference: str
    linked_reference: str


async def links_for(session: AsyncSession, *, case_ids: Collection[uuid.UUID]) -> list[LinkView]:
    """Every link touching the given cases, in either direction, with both references, oldest first; one query."""
    ids = list(case_ids)
    one, other = _ONE, _OTHER
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
    if duplicate.citizen_id is not None:  # its reporter has the same problem: they follow the one that carries on
        await followers.follow(session, case=into, citizen_id=duplicate.citizen_id, me_too=True)
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
