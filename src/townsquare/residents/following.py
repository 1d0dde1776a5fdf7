"""Following a public report: "follow" to hear when it moves, "me too" to say you have the same problem (it is
counted on the report's page, and follows it). Only reports anyone may see can be followed; audited by id; never
commits (the route owns the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import followers, links
from townsquare.cases import service as cases
from townsquare.cases.followers import Following
from townsquare.cases.models import Case
from townsquare.errors import not_found
from townsquare.staff import service as staff

MAX_REFERENCE = 40


@dataclass(frozen=True)
class FollowState:
    """How many people reported the problem, and how the reader follows it (None: not at all, or signed out)."""

    reported_by: int
    following: Following | None


@dataclass(frozen=True)
class Nearby:
    """An open public report of the same problem close to where a resident is reporting one."""

    reference: str
    address: str
    reported_on: date
    distance_m: int
    reported_by: int


async def already_reported(
    session: AsyncSession, *, service_id: uuid.UUID, point: tuple[float, float] | None, radius_m: float, limit: int = 5
) -> list[Nearby]:
    """Open reports of the service within `radius_m` of the point, nearest first: "is it one of these?"."""
    if point is None or radius_m <= 0:
        return []
    found = await links.nearby_open(session, service_id=service_id, lat=point[0], long=point[1], radius_m=radius_m)
    return [
        Nearby(
            case.reference,
            case.address_string or "",
            case.created_at.date(),
            round(distance),
            await followers.reported_by(session, case_id=case.id),
        )
        for case, distance in found[:limit]
    ]


@dataclass(frozen=True)
class Followed:
    """A report the resident follows, as their cases page lists it."""

    reference: str
    address: str
    status: str
    me_too: bool


async def followed(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[Followed]:
    """The reports the resident follows (not their own), the most recently followed first."""
    rows = await followers.followed_by(session, citizen_id=citizen_id)
    return [Followed(c.reference, c.address_string or "", c.status.value, me_too) for c, me_too in rows]


async def is_public_report(session: AsyncSession, *, reference: str) -> bool:
    """Whether anyone may see (and follow) a report with this reference."""
    wanted = reference.strip().upper()[:MAX_REFERENCE]
    return bool(await cases.public_reports(session, references=[wanted], limit=1))


async def _report(session: AsyncSession, reference: str) -> Case:
    found = await cases.public_reports(session, references=[reference.strip().upper()[:MAX_REFERENCE]], limit=1)
    if not found:
        raise not_found("Report", "No public report has that reference.")
    return found[0][0]


async def state(session: AsyncSession, *, case_id: uuid.UUID, citizen_id: uuid.UUID | None) -> FollowState:
    """What the report's page says about following it, for this reader."""
    case = await session.get_one(Case, case_id)
    mine = await followers.following(session, case=case, citizen_id=citizen_id) if citizen_id else None
    return FollowState(await followers.reported_by(session, case_id=case_id), mine)


async def follow(session: AsyncSession, *, reference: str, citizen_id: uuid.UUID, me_too: bool) -> str:
    """Follow the report (and count a "me too"); returns its reference. 404 for anything not a public report."""
    case = await _report(session, reference)
    if await followers.follow(session, case=case, citizen_id=citizen_id, me_too=me_too):
        staff.audit_own_record(
            session, citizen_id, "citizen.report_followed", {"case_id": str(case.id), "me_too": me_too}
        )
    return case.reference


async def unfollow(session: AsyncSession, *, reference: str, citizen_id: uuid.UUID) -> str:
    """Stop following the report (withdrawing a "me too"); returns its reference."""
    case = await _report(session, reference)
    if await followers.unfollow(session, case_id=case.id, citizen_id=citizen_id):
        staff.audit_own_record(session, citizen_id, "citizen.report_unfollowed", {"case_id": str(case.id)})
    return case.reference
