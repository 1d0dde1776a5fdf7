"""Appointments as the pages show them: plain read models, with the office's time zone so every time is written
where the person will be. Never writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.appointments import booking, links
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.appointments.offering import Offer, hours_of
from townsquare.appointments.slots import Slot
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.notify.notifications import named
from townsquare.offices.models import Office
from townsquare.settings import Settings


@dataclass(frozen=True)
class OfficeView:
    id: uuid.UUID
    name: str
    address: tuple[str, ...]
    timezone: str


@dataclass(frozen=True)
class ServiceView:
    code: str
    name: str
    minutes: int


@dataclass(frozen=True)
class SlotView:
    """A slot as a page offers it: its start (UTC, for the form) and its local start and end."""

    starts_at: datetime
    local_start: datetime
    local_end: datetime
    free: int

    @property
    def value(self) -> str:
        return self.starts_at.isoformat()


@dataclass(frozen=True)
class AppointmentView:
    id: uuid.UUID
    status: AppointmentStatus
    office: OfficeView
    service: ServiceView
    starts_at: datetime
    local_start: datetime
    local_end: datetime
    citizen_id: uuid.UUID
    citizen_name: str
    case_reference: str | None
    booked_via: BookedVia
    changeable: bool
    hold_until: datetime | None
    manage_path: str
    agency_id: uuid.UUID


def office_view(office: Office, timezone: str, language: str) -> OfficeView:
    name = office.name_fr if language == "fr" and office.name_fr else office.name
    return OfficeView(office.id, name, tuple(str(line) for line in office.address or []), timezone)


def slot_views(slots: list[Slot], timezone: str) -> list[SlotView]:
    zone = ZoneInfo(timezone)
    return [SlotView(s.starts_at, s.starts_at.astimezone(zone), s.ends_at.astimezone(zone), s.free) for s in slots]


def service_view(offer: Offer, language: str) -> ServiceView:
    return ServiceView(
        offer.service.code, named(offer.service, language), int(offer.timing.duration.total_seconds() // 60)
    )


async def views(
    session: AsyncSession, settings: Settings, rows: list[Appointment], *, language: str, now: datetime
) -> list[AppointmentView]:
    """Appointments in words the page can show, with their offices, services, people and cases read in one query
    each, however many there are."""
    if not rows:
        return []
    offices = {o.id: o for o in await session.scalars(select(Office).where(Office.id.in_({a.office_id for a in rows})))}
    services = {
        s.id: s for s in await session.scalars(select(Service).where(Service.id.in_({a.service_id for a in rows})))
    }
    people = {
        c.id: c for c in await session.scalars(select(Citizen).where(Citizen.id.in_({a.citizen_id for a in rows})))
    }
    case_ids = {a.case_id for a in rows if a.case_id}
    rows_ = await session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids)))
    references = {row[0]: row[1] for row in rows_.all()}
    zones = {office_id: (await hours_of(session, office)).timezone for office_id, office in offices.items()}
    return [_view(settings, a, offices, services, people, references, zones, language, now) for a in rows]


def _view(
    settings: Settings,
    appointment: Appointment,
    offices: dict[uuid.UUID, Office],
    services: dict[uuid.UUID, Service],
    people: dict[uuid.UUID, Citizen],
    references: dict[uuid.UUID, str],
    zones: dict[uuid.UUID, str],
    language: str,
    now: datetime,
) -> AppointmentView:
    zone = zones[appointment.office_id]
    service, citizen = services[appointment.service_id], people[appointment.citizen_id]
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    return AppointmentView(
        id=appointment.id,
        status=appointment.status,
        office=office_view(offices[appointment.office_id], zone, language),
        service=ServiceView(service.code, named(service, language), minutes),
        starts_at=appointment.starts_at,
        local_start=appointment.starts_at.astimezone(ZoneInfo(zone)),
        local_end=appointment.ends_at.astimezone(ZoneInfo(zone)),
        citizen_id=citizen.id,
        citizen_name=citizen.display_name or citizen.given_name or "",
        case_reference=references.get(appointment.case_id) if appointment.case_id else None,
        booked_via=appointment.booked_via,
        changeable=booking.changeable(appointment, now),
        hold_until=appointment.hold_until,
        manage_path=links.manage_path(settings, appointment.id),
        agency_id=appointment.agency_id,
    )


async def view(
    session: AsyncSession, settings: Settings, appointment: Appointment, *, language: str, now: datetime
) -> AppointmentView:
    """One appointment in words the page can show."""
    return (await views(session, settings, [appointment], language=language, now=now))[0]


async def of_citizen(
    session: AsyncSession, settings: Settings, *, citizen_id: uuid.UUID, language: str, now: datetime, limit: int = 50
) -> list[AppointmentView]:
    """The person's appointments, newest booking times first (held and lapsed ones left out)."""
    stmt = (
        select(Appointment)
        .where(
            Appointment.citizen_id == citizen_id,
            Appointment.status.not_in((AppointmentStatus.held, AppointmentStatus.lapsed)),
        )
        .order_by(Appointment.starts_at.desc())
        .limit(limit)
    )
    return await views(session, settings, list(await session.scalars(stmt)), language=language, now=now)


async def of_office_day(
    session: AsyncSession, settings: Settings, *, office: Office, day: date, language: str, now: datetime
) -> list[AppointmentView]:
    """The office's appointments on `day` (its local day), by time; holds and lapsed holds left out."""
    hours = await hours_of(session, office)
    start = datetime.combine(day, datetime.min.time(), hours.zone)
    end = datetime.combine(date.fromordinal(day.toordinal() + 1), datetime.min.time(), hours.zone)
    stmt = (
        select(Appointment)
        .where(
            Appointment.office_id == office.id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status.not_in((AppointmentStatus.held, AppointmentStatus.lapsed)),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return await views(session, settings, list(await session.scalars(stmt)), language=language, now=now)
