"""What an office offers to book: a service there with its timing, the office's hours and how many it serves at once.

Capacity is the number of the office's active counters: every bookable service of the office shares them, and an
appointment keeps one from its buffer before to its buffer after. The day view and "next available" read what is
taken in one query. Never writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.appointments.kinds import ACTIVE, AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.refusals import refused
from townsquare.appointments.slots import Hours, Interval, Slot, Timing, day_slots
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing.models import BusinessCalendar, Holiday
from townsquare.settings import Settings

NEVER_OPEN = Hours({}, frozenset(), "UTC")


@dataclass(frozen=True)
class Offer:
    """A service as an office offers it for booking."""

    office: Office
    service: Service
    timing: Timing
    hours: Hours
    capacity: int
    bookable: bool = True


@dataclass(frozen=True)
class Window:
    """From when and until which day a slot may be booked, as the settings say, seen at `now`."""

    not_before: datetime
    last_day: date

    @classmethod
    def of(cls, settings: Settings, hours: Hours, now: datetime) -> Window:
        not_before = now + timedelta(minutes=settings.appointment_min_notice_minutes)
        return cls(not_before, hours.day_of(now) + timedelta(days=settings.appointment_horizon_days))


async def hours_of(session: AsyncSession, office: Office) -> Hours:
    """The office's opening hours and closed days (an office without a calendar is never open)."""
    if office.calendar_id is None:
        return NEVER_OPEN
    calendar = await session.get(BusinessCalendar, office.calendar_id)
    if calendar is None or not calendar.active:
        return NEVER_OPEN
    days = await session.scalars(select(Holiday.day).where(Holiday.calendar_id == calendar.id))
    return Hours(dict(calendar.hours or {}), frozenset(days), calendar.timezone)


async def capacity_of(session: AsyncSession, office_id: uuid.UUID) -> int:
    """How many appointments the office serves at once: its active counters."""
    stmt = select(func.count()).select_from(Counter).where(Counter.office_id == office_id, Counter.active.is_(True))
    return int(await session.scalar(stmt) or 0)


async def _office(session: AsyncSession, office_id: uuid.UUID) -> Office:
    office = await session.get(Office, office_id)
    if office is None or not office.active:
        raise refused("unknown_office", "office")
    return office


async def offer(
    session: AsyncSession, *, office_id: uuid.UUID, service_code: str | None = None, service_id: uuid.UUID | None = None
) -> Offer:
    """The service (by code or id) as the office offers it for booking; refused when either is unknown or the
    office does not take appointments for it."""
    office = await _office(session, office_id)
    where = Service.code == service_code if service_id is None else Service.id == service_id
    service = await session.scalar(select(Service).where(where))
    if service is None or not service.active:
        raise refused("unknown_service", "service")
    row = await session.get(OfficeService, (office.id, service.id))
    if row is None or not row.bookable:
        raise refused("not_bookable", "service")
    timing = Timing.minutes(row.duration_minutes, row.buffer_before_minutes, row.buffer_after_minutes)
    return Offer(office, service, timing, await hours_of(session, office), await capacity_of(session, office.id))


async def offer_of(session: AsyncSession, appointment: Appointment) -> Offer:
    """The offer an appointment was booked under, as it stands now (still readable when the office or the service
    no longer takes bookings, so the appointment can be cancelled)."""
    office = await session.get_one(Office, appointment.office_id)
    service = await session.get_one(Service, appointment.service_id)
    row = await session.get(OfficeService, (office.id, service.id))
    if row is None:
        timing = Timing(appointment.ends_at - appointment.starts_at)
    else:
        timing = Timing.minutes(row.duration_minutes, row.buffer_before_minutes, row.buffer_after_minutes)
    bookable = bool(row and row.bookable and office.active and service.active)
    hours = await hours_of(session, office)
    return Offer(office, service, timing, hours, await capacity_of(session, office.id), bookable)


def occupying(now: datetime) -> ColumnElement[bool]:
    """Appointments that keep a counter: booked, arrived, or held and not run out."""
    return or_(
        Appointment.status.in_(ACTIVE),
        and_(Appointment.status == AppointmentStatus.held, Appointment.hold_until > now),
    )


async def taken(
    session: AsyncSession,
    *,
    office_id: uuid.UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    leaving_out: uuid.UUID | None = None,
) -> list[Interval]:
    """The times the office's counters are kept between `start` and `end` (one interval per appointment)."""
    stmt = select(Appointment.occupied_from, Appointment.occupied_until).where(
        Appointment.office_id == office_id,
        Appointment.occupied_from < end,
        Appointment.occupied_until > start,
        occupying(now),
    )
    if leaving_out is not None:
        stmt = stmt.where(Appointment.id != leaving_out)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


def _day_bounds(hours: Hours, day: date) -> Interval | None:
    periods = hours.periods(day)
    return (periods[0][0], periods[-1][1]) if periods else None


async def day_view(session: AsyncSession, *, offer: Offer, day: date, now: datetime, settings: Settings) -> list[Slot]:
    """The service's slots on `day` that may still be booked, each with the places left (full ones included)."""
    window = Window.of(settings, offer.hours, now)
    bounds = _day_bounds(offer.hours, day)
    if bounds is None or day > window.last_day or bounds[1] <= window.not_before:
        return []
    kept = await taken(session, office_id=offer.office.id, start=bounds[0], end=bounds[1], now=now)
    return day_slots(offer.hours, offer.timing, day, capacity=offer.capacity, taken=kept, not_before=window.not_before)


async def next_available(
    session: AsyncSession, *, offer: Offer, now: datetime, settings: Settings, count: int = 1, after: date | None = None
) -> list[Slot]:
    """The first `count` free slots from today (or from the day after `after`) to the end of the booking horizon."""
    window = Window.of(settings, offer.hours, now)
    first = max(offer.hours.day_of(now), after + timedelta(days=1) if after else offer.hours.day_of(now))
    days = [first + timedelta(days=n) for n in range((window.last_day - first).days + 1)]
    open_days = [(d, b) for d in days if (b := _day_bounds(offer.hours, d)) is not None]
    if not open_days or offer.capacity <= 0:
        return []
    kept = await taken(session, office_id=offer.office.id, start=open_days[0][1][0], end=open_days[-1][1][1], now=now)
    found: list[Slot] = []
    for day, _bounds in open_days:
        slots = day_slots(
            offer.hours, offer.timing, day, capacity=offer.capacity, taken=kept, not_before=window.not_before
        )
        found += [s for s in slots if s.free > 0]
        if len(found) >= count:
            break
    return found[:count]


async def bookable(session: AsyncSession) -> list[tuple[Office, list[Service]]]:
    """Every active office with the services it takes appointments for, by office name then service name."""
    result: list[tuple[Office, list[Service]]] = []
    for office in await offices.list_offices(session):
        services = [s for _, s in await offices.offered(session, office_id=office.id, bookable=True)]
        if services:
            result.append((office, services))
    return result


def free_only(slots: Sequence[Slot]) -> list[Slot]:
    return [s for s in slots if s.free > 0]
