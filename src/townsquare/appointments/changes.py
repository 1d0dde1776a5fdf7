"""Moving and cancelling a booked appointment, race-safe like booking (the office's row is locked first).

A move keeps the appointment (its links and its calendar entry, whose SEQUENCE goes up) and takes another slot of
the same service at the same office; a cancellation frees the slot. Either is on the person's timeline and told to
them, and the freed slot is offered to the first person waiting for that day. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import booking, history, notices, waitlist
from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.offering import offer_of
from townsquare.appointments.refusals import refused
from townsquare.db.races import guarded
from townsquare.interactions.models import Channel
from townsquare.settings import Settings


async def move(
    session: AsyncSession,
    settings: Settings,
    *,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    now: datetime,
    staff_id: uuid.UUID | None = None,
    channel: Channel = Channel.web,
) -> Appointment:
    """Move a booked appointment to another slot of its service at its office; the old slot goes to the waitlist."""
    current = await session.get_one(Appointment, appointment_id)
    offer = await offer_of(session, current)
    if not offer.bookable:
        raise refused("not_bookable", "service")
    slot = booking.checked_time(offer, starts_at, now=now, settings=settings)
    await booking.lock_office(session, current.office_id)
    appointment = await booking.fresh(session, appointment_id)
    if not booking.changeable(appointment, now):
        raise refused("not_changeable")
    if appointment.starts_at == slot.starts_at:
        return appointment
    await booking.room(session, offer, slot, now, appointment.id)
    await booking.person(session, appointment.citizen_id, slot, now=now, settings=settings, leaving_out=appointment.id)
    old_day = offer.hours.day_of(appointment.starts_at)
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.occupied_from, appointment.occupied_until = slot.occupied_from, slot.occupied_until
    appointment.sequence += 1
    appointment.reminded_at = None
    appointment.reminder_due_at = notices.reminder_due(appointment, settings, offer.hours.timezone, now)
    try:
        async with guarded(session):
            await session.flush()
    except IntegrityError:
        raise refused("double") from None
    zone = offer.hours.timezone
    await history.note(session, appointment, "moved", at=now, timezone=zone, channel=channel, staff_id=staff_id)
    await notices.tell(session, settings, appointment, "moved", timezone=zone)
    booking.changed(session, appointment, "moved")
    await waitlist.freed(session, settings, office_id=appointment.office_id, day=old_day, now=now)
    return appointment


async def cancel(
    session: AsyncSession,
    settings: Settings,
    *,
    appointment_id: uuid.UUID,
    now: datetime,
    staff_id: uuid.UUID | None = None,
    channel: Channel = Channel.web,
) -> Appointment:
    """Cancel a booked appointment that has not begun; its slot goes to the waiting list."""
    current = await session.get_one(Appointment, appointment_id)
    offer = await offer_of(session, current)
    await booking.lock_office(session, current.office_id)
    appointment = await booking.fresh(session, appointment_id)
    if appointment.status is AppointmentStatus.cancelled:
        return appointment
    if not booking.changeable(appointment, now):
        raise refused("not_changeable")
    appointment.status, appointment.cancelled_at = AppointmentStatus.cancelled, now
    appointment.sequence += 1
    zone = offer.hours.timezone
    await history.note(session, appointment, "cancelled", at=now, timezone=zone, channel=channel, staff_id=staff_id)
    await notices.tell(session, settings, appointment, "cancelled", timezone=zone)
    booking.changed(session, appointment, "cancelled")
    day = offer.hours.day_of(appointment.starts_at)
    await waitlist.freed(session, settings, office_id=appointment.office_id, day=day, now=now)
    return appointment
