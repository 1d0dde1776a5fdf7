"""Booking an appointment, and confirming one held, race-safe.

Every change that takes or frees a counter locks the office's row first (`SELECT … FOR UPDATE` on PostgreSQL; on
SQLite a writing transaction holds the database), then counts what is taken and writes: two people racing for the
last slot are served one after the other, and the second hears it has just been taken. A person holds one live
appointment per starting time (a unique index, met inside a savepoint) and none overlapping. Each change is on the
person's timeline and told to them. Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import history, notices
from townsquare.appointments.kinds import OCCUPYING, AppointmentStatus, BookedVia, WaitStatus
from townsquare.appointments.models import Appointment, WaitlistEntry
from townsquare.appointments.offering import Offer, Window, offer_of, taken
from townsquare.appointments.refusals import refused
from townsquare.appointments.slots import Slot, busiest, fits
from townsquare.db.races import guarded
from townsquare.errors import Problem
from townsquare.events import AppointmentChanged, publish_after_commit
from townsquare.notify.notifications import Notifier
from townsquare.offices.models import Office
from townsquare.settings import Settings


@dataclass(frozen=True)
class Booking:
    """What a door asks for: whose appointment, when, how it was asked, and what it continues."""

    citizen_id: uuid.UUID
    starts_at: datetime
    via: BookedVia
    staff_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    letter: bool = False  # confirm by post as well (booked by phone or at the counter)


async def lock_office(session: AsyncSession, office_id: uuid.UUID) -> None:
    """Take the office's row for the rest of the transaction: its bookings change one at a time."""
    await session.execute(select(Office.id).where(Office.id == office_id).with_for_update())


async def fresh(session: AsyncSession, appointment_id: uuid.UUID) -> Appointment:
    """The appointment as committed now (read after taking the office's lock), locked for this transaction."""
    stmt = (
        select(Appointment)
        .where(Appointment.id == appointment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one()


def checked_time(offer: Offer, starts_at: datetime, *, now: datetime, settings: Settings) -> Slot:
    """The slot starting at `starts_at`, or the reason it cannot be booked (past, too soon or far, closed, off-grid)."""
    window = Window.of(settings, offer.hours, now)
    day = offer.hours.day_of(starts_at)
    if starts_at <= now:
        raise refused("past")
    if starts_at < window.not_before:
        raise refused("too_soon")
    if day > window.last_day:
        raise refused("too_far")
    if not offer.hours.periods(day):
        raise refused("closed")
    slot = fits(starts_at, offer.hours, offer.timing)
    if slot is None:
        raise refused("outside_hours")
    return slot


async def room(session: AsyncSession, offer: Offer, slot: Slot, now: datetime, leaving_out: uuid.UUID | None) -> None:
    kept = await taken(
        session,
        office_id=offer.office.id,
        start=slot.occupied_from,
        end=slot.occupied_until,
        now=now,
        leaving_out=leaving_out,
    )
    if busiest(kept, slot.occupied_from, slot.occupied_until) >= offer.capacity:
        raise refused("full")


async def person(
    session: AsyncSession,
    citizen_id: uuid.UUID,
    slot: Slot,
    *,
    now: datetime,
    settings: Settings,
    leaving_out: uuid.UUID | None,
) -> None:
    """No overlapping appointment of theirs, anywhere, and no more upcoming ones than one person may hold."""
    theirs = [Appointment.citizen_id == citizen_id, Appointment.status.in_(OCCUPYING)]
    if leaving_out is not None:
        theirs.append(Appointment.id != leaving_out)
    overlapping = select(Appointment.id).where(
        *theirs, Appointment.starts_at < slot.ends_at, Appointment.ends_at > slot.starts_at
    )
    if (await session.execute(overlapping.limit(1))).first() is not None:
        raise refused("double")
    upcoming = select(func.count()).select_from(Appointment).where(*theirs, Appointment.starts_at > now)
    if int(await session.scalar(upcoming) or 0) >= settings.appointment_max_per_person:
        raise refused("too_many")


def changed(session: AsyncSession, appointment: Appointment, event: str) -> None:
    publish_after_commit(
        session, AppointmentChanged(appointment.id, appointment.office_id, appointment.status.value, event)
    )


async def book(
    session: AsyncSession,
    settings: Settings,
    *,
    offer: Offer,
    booking: Booking,
    now: datetime,
    hold_until: datetime | None = None,
    waitlist_entry_id: uuid.UUID | None = None,
    notifier: Notifier | None = None,
) -> Appointment:
    """Book the slot for the person, or hold it for them until `hold_until` (to be confirmed)."""
    slot = checked_time(offer, booking.starts_at, now=now, settings=settings)
    await lock_office(session, offer.office.id)
    await room(session, offer, slot, now, None)
    await person(session, booking.citizen_id, slot, now=now, settings=settings, leaving_out=None)
    appointment = Appointment(
        agency_id=offer.office.agency_id,
        office_id=offer.office.id,
        service_id=offer.service.id,
        citizen_id=booking.citizen_id,
        case_id=booking.case_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        occupied_from=slot.occupied_from,
        occupied_until=slot.occupied_until,
        status=AppointmentStatus.held if hold_until else AppointmentStatus.booked,
        hold_until=hold_until,
        booked_via=booking.via,
        booked_by_id=booking.staff_id,
        sequence=0,
        waitlist_entry_id=waitlist_entry_id,
    )
    try:
        async with guarded(session):
            session.add(appointment)
            await session.flush()
    except IntegrityError:
        raise refused("double") from None
    if hold_until is None:
        await _confirmed(session, settings, offer, appointment, now, letter=booking.letter, notifier=notifier)
    else:
        changed(session, appointment, "held")
    return appointment


async def _confirmed(
    session: AsyncSession,
    settings: Settings,
    offer: Offer,
    appointment: Appointment,
    now: datetime,
    *,
    letter: bool = False,
    notifier: Notifier | None = None,
) -> None:
    zone = offer.hours.timezone
    appointment.reminder_due_at = notices.reminder_due(appointment, settings, zone, now)
    await history.note(session, appointment, "booked", at=now, timezone=zone, staff_id=appointment.booked_by_id)
    await notices.tell(session, settings, appointment, "booked", timezone=zone, notifier=notifier, letter=letter)
    changed(session, appointment, "booked")


async def confirm(
    session: AsyncSession,
    settings: Settings,
    *,
    appointment_id: uuid.UUID,
    citizen_id: uuid.UUID,
    now: datetime,
    via: BookedVia | None = None,
) -> Appointment:
    """Make a hold a booking for `citizen_id` (who proved a contact, or claims a waitlist offer). A hold run out is
    still theirs if nobody took the slot meanwhile; taking it twice is one booking."""
    current = await session.get_one(Appointment, appointment_id)
    offer = await offer_of(session, current)
    await lock_office(session, current.office_id)
    appointment = await fresh(session, appointment_id)
    if appointment.status is AppointmentStatus.booked and appointment.citizen_id == citizen_id:
        return appointment
    if appointment.status not in (AppointmentStatus.held, AppointmentStatus.lapsed):
        raise refused("not_changeable")
    if appointment.starts_at <= now:
        raise refused("past")
    slot = Slot(appointment.starts_at, appointment.ends_at, appointment.occupied_from, appointment.occupied_until, 0)
    if appointment.hold_until is None or appointment.hold_until <= now:
        try:
            await room(session, offer, slot, now, appointment.id)
        except Problem:
            appointment.status = AppointmentStatus.lapsed
            raise refused("hold_gone") from None
    await person(session, citizen_id, slot, now=now, settings=settings, leaving_out=appointment.id)
    appointment.citizen_id, appointment.status, appointment.hold_until = citizen_id, AppointmentStatus.booked, None
    if via is not None:
        appointment.booked_via = via
    if appointment.waitlist_entry_id is not None:
        entry = await session.get_one(WaitlistEntry, appointment.waitlist_entry_id)
        entry.status = WaitStatus.booked
    await _confirmed(session, settings, offer, appointment, now)
    return appointment


def changeable(appointment: Appointment, now: datetime) -> bool:
    """Whether the person may still move or cancel it: booked, and not begun."""
    return appointment.status is AppointmentStatus.booked and appointment.starts_at > now
