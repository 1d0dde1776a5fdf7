"""The administrators' view of the audit log: rows filtered by person (the member of staff who acted, or the resident
a row is about), agency, action, subject and dates, newest first, a page at a time by keyset, and the same rows for
a CSV export up to a stated limit.

An administrator reads every row; an agency administrator only the rows of its agencies. Reading and exporting are
themselves audited, with the filters used. Nothing here shows more than the rows hold.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db import keyset
from townsquare.errors import FieldError, invalid
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffAccount, StaffAgency

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000  # rows in one CSV export; narrow the filters for more
EXPORT_BATCH = 500
MAX_TEXT = 64


@dataclass(frozen=True)
class AuditFilters:
    """What the administrator asked for; every field optional."""

    staff_id: uuid.UUID | None = None  # the member of staff who acted
    citizen_id: uuid.UUID | None = None  # the resident the row is about
    agency_id: uuid.UUID | None = None
    action: str = ""
    subject_kind: str = ""
    subject_id: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def used(self) -> dict[str, str]:
        """The filters set, as the audit row of the read records them."""
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}


def _id(value: str, name: str, errors: list[FieldError]) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        errors.append(FieldError(name, "Choose from the list, or paste a whole identifier."))
        return None


def _day(value: str, name: str, errors: list[FieldError]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(name, "Enter a date like 2026-12-05."))
        return None


def read_filters(query: dict[str, str]) -> AuditFilters:
    """The filters as a query string holds them; a 422 naming each field that is not one."""
    errors: list[FieldError] = []
    filters = AuditFilters(
        staff_id=_id(query.get("staff", ""), "staff", errors),
        citizen_id=_id(query.get("resident", ""), "resident", errors),
        agency_id=_id(query.get("agency", ""), "agency", errors),
        action=query.get("action", "").strip()[:MAX_TEXT],
        subject_kind=query.get("subject_kind", "").strip()[:MAX_TEXT],
        subject_id=query.get("subject_id", "").strip()[:MAX_TEXT],
        since=_day(query.get("from", ""), "from", errors),
        until=_day(query.get("to", ""), "to", errors),
    )
    if filters.since and filters.until and filters.until < filters.since:
        errors.append(FieldError("to", "The end date must not be before the start date."))
    if errors:
        raise invalid("Some filters need changing: see each one below.", *errors)
    return filters


def _matching(me: Principal, filters: AuditFilters) -> Select[AuditEntry]:
    stmt = select(AuditEntry)
    scope = me.visible()
    if scope is not None:
        stmt = stmt.where(AuditEntry.agency_id.in_(scope))
    if filters.staff_id is not None:
        stmt = stmt.where(AuditEntry.actor_kind == "staff", AuditEntry.actor_id == str(filters.staff_id))
    if filters.citizen_id is not None:
        stmt = stmt.where(AuditEntry.citizen_id == filters.citizen_id)
    if filters.agency_id is not None:
        stmt = stmt.where(AuditEntry.agency_id == filters.agency_id)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.subject_kind:
        stmt = stmt.where(AuditEntry.subject_kind == filters.subject_kind)
    if filters.subject_id:
        stmt = stmt.where(AuditEntry.subject_id == filters.subject_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.occurred_at >= datetime.combine(filters.since, time(0), UTC))
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.occurred_at < datetime.combine(filters.until + timedelta(days=1), time(0), UTC))
    return stmt.order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())


@dataclass
class AuditPage:
    rows: list[AuditEntry]
    staff_names: dict[str, str]  # actor id → the member of staff's name
    next_token: str | None


async def staff_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """The names of the members of staff among these actor ids."""
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(value))
        except ValueError:
            continue
    if not wanted:
        return {}
    rows = await session.execute(select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(wanted)))
    return {str(k): v for k, v in rows}


async def staff_choices(session: AsyncSession, me: Principal) -> list[tuple[uuid.UUID, str]]:
    """The members of staff whose actions the administrator may look up (an agency administrator: its agencies')."""
    stmt = select(StaffAccount.id, StaffAccount.display_name).order_by(StaffAccount.display_name)
    scope = me.visible()
    if scope is not None:
        stmt = stmt.where(StaffAccount.id.in_(select(StaffAgency.staff_id).where(StaffAgency.agency_id.in_(scope))))
    return [(k, v) for k, v in await session.execute(stmt)]


def _audit_read(
    session: AsyncSession, me: Principal, action: str, filters: AuditFilters, detail: dict[str, Any]
) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="audit_log",
        detail={"filters": filters.used(), **detail},
        purpose="the administrators' view of the audit log",
    )


async def read_page(
    session: AsyncSession, *, me: Principal, filters: AuditFilters, before: str | None = None
) -> AuditPage:
    """One page of the rows the filters match, newest first, after the position `before` (audited, committed)."""
    position = keyset.read_token(before)
    stmt = _matching(me, filters)
    if position is not None:
        stmt = stmt.where(keyset.older_than(AuditEntry.occurred_at, AuditEntry.id, position))
    rows = list((await session.scalars(stmt.limit(PAGE_SIZE + 1))).all())
    shown = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    next_token = keyset.token((shown[-1].occurred_at, shown[-1].id)) if more and shown else None
    names = await staff_names(session, {r.actor_id for r in shown if r.actor_kind == "staff" and r.actor_id})
    _audit_read(session, me, "audit_log.read", filters, {"rows": len(shown), "page": bool(position)})
    await session.commit()
    return AuditPage(shown, names, next_token)


async def export_rows(
    session: AsyncSession, *, me: Principal, filters: AuditFilters
) -> AsyncIterator[tuple[AuditEntry, str]]:
    """The rows the filters match, newest first, at most `EXPORT_LIMIT`, each with its actor's name; the export
    is audited (and committed) before the first row is read."""
    _audit_read(session, me, "audit_log.export", filters, {"limit": EXPORT_LIMIT})
    await session.commit()
    stmt = _matching(me, filters)
    sent = 0
    position: keyset.Position | None = None
    while sent < EXPORT_LIMIT:
        page = (
            stmt if position is None else stmt.where(keyset.older_than(AuditEntry.occurred_at, AuditEntry.id, position))
        )
        batch = list((await session.scalars(page.limit(min(EXPORT_BATCH, EXPORT_LIMIT - sent)))).all())
        if not batch:
            return
        names = await staff_names(session, {r.actor_id for r in batch if r.actor_kind == "staff" and r.actor_id})
        for row in batch:
            yield row, names.get(row.actor_id or "", "")
        sent += len(batch)
        position = (batch[-1].occurred_at, batch[-1].id)
        session.expunge_all()
