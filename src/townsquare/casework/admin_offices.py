"""Administering service offices: an office's address, name in both languages, agency, its address on the kiosk
and display screen (the slug, unique), its hours (one of its agency's business calendars); its counters; and the
services it offers, each with its ticket prefix, duration, buffers, and whether walk-ins and bookings take it.

Scoped to the agencies the caller administers, every refused field gathered at once, each change audited with its
before and after (`office.*`); nothing is deleted — an office or a counter is deactivated, a service stops being
offered by taking neither walk-ins nor bookings. Never commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.casework.admin_common import Mistakes, administered_agencies, changes, chosen_agency
from townsquare.db import assign
from townsquare.errors import not_found
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing.models import BusinessCalendar
from townsquare.staff.auth import Principal

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
PREFIX = re.compile(r"^[A-Z0-9]{1,3}$")
ADDRESS_LINES = 6


@dataclass
class OfficeForm:
    agency: str = ""
    slug: str = ""
    name: str = ""
    name_fr: str = ""
    address: str = ""  # one line per line
    calendar: str = ""


@dataclass
class CounterForm:
    counter: str = ""  # empty: a new counter
    label: str = ""
    active: bool = True


@dataclass
class OfferForm:
    service: str = ""  # the service's code
    prefix: str = ""
    duration: str = "15"
    buffer_before: str = "0"
    buffer_after: str = "0"
    walk_in: bool = True
    bookable: bool = True


@dataclass(frozen=True)
class OfficeRow:
    office: Office
    agency: str
    counters: int
    services: int


@dataclass(frozen=True)
class OfferRow:
    code: str
    name: str
    offered: OfficeService


@dataclass
class OfficeDetail:
    office: Office
    counters: list[Counter] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)


async def office_rows(session: AsyncSession, me: Principal) -> list[OfficeRow]:
    """The offices of the agencies the caller administers, active first, by name."""
    agencies = {a.id: a.name for a in await administered_agencies(session, me)}
    offices = list(await session.scalars(select(Office).where(Office.agency_id.in_(agencies))))
    ids = [o.id for o in offices]
    counted = await _pairs(
        session,
        select(Counter.office_id, func.count()).where(Counter.office_id.in_(ids)).group_by(Counter.office_id),
    )
    offered = await _pairs(
        session,
        select(OfficeService.office_id, func.count())
        .where(OfficeService.office_id.in_(ids))
        .group_by(OfficeService.office_id),
    )
    rows = [OfficeRow(o, agencies[o.agency_id], counted.get(o.id, 0), offered.get(o.id, 0)) for o in offices]
    return sorted(rows, key=lambda r: (not r.office.active, r.office.name))


async def _pairs(session: AsyncSession, stmt: Select[Any, Any]) -> dict[Any, Any]:
    return {row[0]: row[1] for row in await session.execute(stmt)}


async def office_in_scope(session: AsyncSession, me: Principal, office_id: uuid.UUID) -> Office:
    """The office if the caller administers its agency, else 404 as for one that does not exist."""
    office = await session.get(Office, office_id)
    if office is None or not me.may_see(office.agency_id):
        raise not_found("Office")
    return office


async def detail(session: AsyncSession, *, office: Office) -> OfficeDetail:
    """The office with its counters (by label) and the services it offers (by name)."""
    counters = list(
        await session.scalars(select(Counter).where(Counter.office_id == office.id).order_by(Counter.label))
    )
    rows = await session.execute(
        select(OfficeService, Service.code, Service.name)
        .join(Service, Service.id == OfficeService.service_id)
        .where(OfficeService.office_id == office.id)
        .order_by(Service.name)
    )
    return OfficeDetail(office, counters, [OfferRow(code, name, offered) for offered, code, name in rows])


async def calendars_for(session: AsyncSession, me: Principal) -> list[tuple[str, str]]:
    """The business calendars an office may take its hours from: (id, "Agency: name"), of administered agencies."""
    agencies = {a.id: a.name for a in await administered_agencies(session, me)}
    stmt = select(BusinessCalendar).where(BusinessCalendar.agency_id.in_(agencies), BusinessCalendar.active.is_(True))
    found = [(str(c.id), f"{agencies[c.agency_id]}: {c.name}") for c in await session.scalars(stmt)]
    return sorted(found, key=lambda pair: pair[1])


async def services_for(session: AsyncSession, me: Principal) -> list[tuple[str, str]]:
    """The active services an office of the caller's may offer: (code, name), of administered agencies."""
    agencies = [a.id for a in await administered_agencies(session, me)]
    stmt = select(Service.code, Service.name).where(Service.agency_id.in_(agencies), Service.active.is_(True))
    return sorted(((code, f"{name} ({code})") for code, name in await session.execute(stmt)), key=lambda p: p[1])


def form_of(office: Office) -> OfficeForm:
    return OfficeForm(
        str(office.agency_id),
        office.slug,
        office.name,
        office.name_fr,
        "\n".join(str(line) for line in office.address or []),
        str(office.calendar_id or ""),
    )


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n") if line.strip()]


async def _check(
    session: AsyncSession, me: Principal, f: OfficeForm, office: Office | None
) -> tuple[Mistakes, Agency | None]:
    mistakes = Mistakes()
    agency = chosen_agency(await administered_agencies(session, me), f.agency, mistakes)
    if not SLUG.match(f.slug):
        mistakes.add("slug", "Give a short address: lower-case letters, digits and hyphens, at least two.")
    else:
        taken = await session.scalar(select(Office.id).where(Office.slug == f.slug))
        if taken is not None and (office is None or taken != office.id):
            mistakes.add("slug", "Another office already has that short address.")
    if not f.name:
        mistakes.add("name", "Give the office a name.")
    lines = _lines(f.address)
    if not lines or len(lines) > ADDRESS_LINES or any(len(line) > 100 for line in lines):
        mistakes.add("address", "Write the address on 1 to 6 lines of at most 100 characters.")
    if f.calendar and agency is not None:
        calendar = await session.get(BusinessCalendar, _as_uuid(f.calendar))
        if calendar is None or calendar.agency_id not in (me.agency_ids or {calendar.agency_id}):
            mistakes.add("calendar", "Choose one of your agencies' business calendars.")
    return mistakes, agency


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _audited(office: Office) -> dict[str, Any]:
    fields = ("slug", "name", "name_fr", "address")
    return {k: getattr(office, k) for k in fields} | {
        "agency_id": str(office.agency_id),
        "calendar_id": str(office.calendar_id) if office.calendar_id else None,
    }


def _values(f: OfficeForm, agency: Agency) -> dict[str, Any]:
    return {
        "agency_id": agency.id,
        "slug": f.slug,
        "name": f.name,
        "name_fr": f.name_fr,
        "address": _lines(f.address),
        "calendar_id": _as_uuid(f.calendar) if f.calendar else None,
    }


async def create(session: AsyncSession, *, me: Principal, form: OfficeForm) -> Office:
    """A new office as the form says, audited."""
    mistakes, agency = await _check(session, me, form, None)
    mistakes.refuse("The office was not created.")
    assert agency is not None
    office = Office(**_values(form, agency))
    session.add(office)
    await session.flush()
    _audit(me, session, office, "office.create", {"after": _audited(office)})
    return office


async def update(session: AsyncSession, *, me: Principal, office: Office, form: OfficeForm) -> None:
    """Change the office as the form says, audited with what changed."""
    mistakes, agency = await _check(session, me, form, office)
    mistakes.refuse("The office was not changed.")
    assert agency is not None
    before = _audited(office)
    assign(office, **_values(form, agency))
    await session.flush()
    _audit(me, session, office, "office.update", changes(before, _audited(office)))


async def set_active(session: AsyncSession, *, me: Principal, office: Office, active: bool) -> bool:
    """Open the office to tickets again, or stop it taking any; False when it already was."""
    if office.active is active:
        return False
    office.active = active
    await session.flush()
    detail = {"before": {"active": not active}, "after": {"active": active}}
    _audit(me, session, office, "office.reactivate" if active else "office.deactivate", detail)
    return True


def _audit(me: Principal, session: AsyncSession, office: Office, action: str, detail: dict[str, Any]) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="office",
        subject_id=str(office.id),
        agency_id=office.agency_id,
        detail=detail,
    )
