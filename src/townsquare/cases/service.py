"""Opening cases with human references, assigning them, and finding them; the package's one door.

Callers import every case function from here: the status workflow and public history live in
`cases.workflow`, links, merges and likely duplicates in `cases.links`, Open311's public list in
`cases.public_list`. Never commits; the caller owns the transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from townsquare.agencies import form_versions
from townsquare.agencies.models import Agency, Service
from townsquare.cases.links import (
    LIKELY_DUPLICATE,
    LINK_KINDS,
    MAX_LIKELY_DUPLICATES,
    LinkView,
    dismiss_likely_duplicate,
    likely_duplicates_of,
    link,
    link_likely_duplicates,
    links_for,
    merge,
    nearby_open,
)
from townsquare.cases.models import Case, CaseStatus, CaseUpdate, Priority
from townsquare.cases.public_list import PublicReport, public_list
from townsquare.cases.references import next_reference
from townsquare.cases.workflow import (
    OPEN_STATUSES,
    TRANSITIONS,
    change_status,
    check_transition,
    latest_public_notes,
    record_update,
    updates_between,
    updates_for,
)
from townsquare.clock import utcnow
from townsquare.db import keyset
from townsquare.errors import FieldError, invalid, not_found
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

__all__ = [
    "LIKELY_DUPLICATE",
    "LINK_KINDS",
    "MAX_LIKELY_DUPLICATES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "CaseList",
    "LinkView",
    "PublicReport",
    "assign",
    "change_status",
    "check_transition",
    "dismiss_likely_duplicate",
    "find_reference",
    "get_by_id",
    "get_by_reference",
    "latest_public_notes",
    "likely_duplicates_of",
    "link",
    "link_likely_duplicates",
    "links_for",
    "list_cases",
    "merge",
    "nearby_open",
    "next_reference",
    "open_case",
    "open_for_citizen",
    "public_list",
    "public_reports",
    "record_update",
    "reference_pattern",
    "require",
    "updates_between",
    "updates_for",
    "visible_case",
]


def reference_pattern(prefix: str) -> re.Pattern[str]:
    """The shape of a case reference, e.g. TS-2026-000123 (case-insensitive, as people type it)."""
    return re.compile(rf"\b{re.escape(prefix)}-(\d{{4}})-(\d{{6}})\b", re.IGNORECASE)


def find_reference(text: str, *, prefix: str) -> str | None:
    """The first case reference quoted in a text, upper-cased."""
    match = reference_pattern(prefix).search(text or "")
    return f"{prefix.upper()}-{match.group(1)}-{match.group(2)}" if match else None


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
    form_version_id: uuid.UUID | None = None,
) -> Case:
    """A new case with its reference and SLA due time. A case of a service keeps the version of the service's form
    its answers were given against (`form_version_id`, by default the current one), whichever door opened it.

    `location` may hold lat, long, address_string, address_id and zipcode (see engagement.locations).
    """
    now = utcnow()
    loc = location or {}
    if form_version_id is None and service_id is not None:
        service = await session.get_one(Service, service_id)
        form_version_id = (await form_versions.ensure_current(session, service=service)).id
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
        form_version_id=form_version_id,
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


@dataclass(frozen=True)
class CaseList:
    """One page of cases, newest first: `total` counts every match up to `COUNT_CAP` (`capped` when there are
    more), `next` is the position after the last one shown when another page follows."""

    items: list[Case]
    total: int
    capped: bool
    next: keyset.Position | None


async def list_cases(
    session: AsyncSession,
    *,
    agency_ids: set[uuid.UUID] | None,
    status: CaseStatus | None = None,
    limit: int = 50,
    before: keyset.Position | None = None,
) -> CaseList:
    """Cases visible to the given agencies (None: all), newest first, a page after `before`.

    Each agency's newest cases come from its own index range and are merged, so a page costs `limit` rows per
    agency at any depth, never a sort of every case the agencies hold."""
    where: list[ColumnElement[bool]] = [] if status is None else [Case.status == status]
    if agency_ids is not None and not agency_ids:
        return CaseList([], 0, False, None)
    total, capped = await keyset.count_up_to(
        session, select(Case.id).where(*where, *([] if agency_ids is None else [Case.agency_id.in_(agency_ids)]))
    )
    if before is not None:
        where.append(keyset.older_than(Case.created_at, Case.id, before))
    newest = (Case.created_at.desc(), Case.id.desc())
    parts = [select(Case.id, Case.created_at).where(*where)]
    if agency_ids is not None:
        parts = [select(Case.id, Case.created_at).where(*where, Case.agency_id == a) for a in sorted(agency_ids)]
    pages = [select(p.c.id).select_from(p) for p in (q.order_by(*newest).limit(limit + 1).subquery() for q in parts)]
    ids = pages[0] if len(pages) == 1 else union_all(*pages)
    rows = list(await session.scalars(select(Case).where(Case.id.in_(ids)).order_by(*newest).limit(limit + 1)))
    shown = rows[:limit]
    following = (shown[-1].created_at, shown[-1].id) if len(rows) > limit else None
    return CaseList(shown, total, capped, following)


def visible_case(
    case_id: QueryableAttribute[uuid.UUID | None], agency_ids: set[uuid.UUID] | None
) -> ColumnElement[bool] | None:
    """A condition on another table's case column: no case, or a case the given agencies may see (None: no
    restriction). A correlated scalar subquery, so each row costs one primary-key probe however many cases the
    agencies hold (PostgreSQL turns an `EXISTS` under `OR` into a hash of every case the agencies hold)."""
    if agency_ids is None:
        return None
    mine = select(Case.agency_id).where(Case.id == case_id).scalar_subquery().in_(agency_ids)
    return or_(case_id.is_(None), mine)


async def open_for_citizen(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = 5) -> list[Case]:
    """A citizen's cases that are still open, the most recently updated first."""
    stmt = (
        select(Case)
        .where(Case.citizen_id == citizen_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.updated_at.desc(), Case.created_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


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


def _public_reports(
    columns: Sequence[Any],
    *,
    references: Collection[str] | None,
    service_codes: Collection[str] | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    stmt = (
        select(*columns)
        .join(Service, Service.id == Case.service_id)
        .join(Agency, Agency.id == Case.agency_id)
        .where(Service.open311.is_(True), Service.active.is_(True))
    )
    if references is not None:
        return stmt.where(Case.reference.in_(list(references)))
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
    return stmt


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
    stmt = _public_reports(
        (Case, Service, Agency),
        references=references,
        service_codes=service_codes,
        status=status,
        since=since,
        until=until,
    )
    stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit).offset(offset)  # ix_cases_created
    return [(case, service, agency) for case, service, agency in (await session.execute(stmt)).all()]


async def public_updates(session: AsyncSession, *, case_id: uuid.UUID) -> list[tuple[datetime, CaseStatus, str]]:
    """What the public may read of a report's history: each status change with its public note, oldest first
    (never who made it)."""
    rows = await session.execute(
        select(CaseUpdate.created_at, CaseUpdate.status, CaseUpdate.note)
        .where(CaseUpdate.case_id == case_id)
        .order_by(CaseUpdate.created_at, CaseUpdate.id)
    )
    return [(at, status, note or "") for at, status, note in rows.all()]
