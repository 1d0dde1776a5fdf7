"""The day of the appointment: the person arrives (checked in at the counter, ahead of walk-ins at their time), or
is recorded as not having come once the appointment's end and a grace period have passed.

`arrive` is the counters' door into appointments: it refuses, clearly, an appointment cancelled, missed, held but
never confirmed, or on another day. Both lock the appointment's row, so an arrival and the no-show pass never
both win. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import booking, history
from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.offering import hours_of
from townsquare.appointments.refusals import refused
from townsquare.interactions.models import Channel
from townsquare.offices.models import Office

REFUSED = {
    AppointmentStatus.cancelled: "cancelled",
    AppointmentStatus.no_show: "no_show",
    AppointmentStatus.held: "not_changeable",
    AppointmentStatus.lapsed: "not_changeable",
}


async def arrive(
    session: AsyncSession, *, appointment_id: uuid.UUID, at: datetime, staff_id: uuid.UUID | None = None
) -> Appointment:
    """Check the person in for their appointment today (again: no change). Unknown: 404; cancelled, missed, never
    confirmed or another day: 409 with the reason."""
    found = await session.get(Appointment, appointment_id)
    if found is None:
        raise refused("unknown_appointment", "appointment")
    appointment = await booking.fresh(session, appointment_id)
    if appointment.status is AppointmentStatus.arrived:
        return appointment
    if appointment.status in REFUSED:
        raise refused(REFUSED[appointment.status], "appointment")
    hours = await hours_of(session, await session.get_one(Office, appointment.office_id))
    if hours.day_of(at) != hours.day_of(appointment.starts_at):
        raise refused("not_today", "appointment")
    appointment.status, appointment.arrived_at = AppointmentStatus.arrived, at
    await history.note(
        session, appointment, "arrived", at=at, timezone=hours.timezone, channel=Channel.counter, staff_id=staff_id
    )
    booking.changed(session, appointment, "arrived")
    return appointment


async def record_no_shows(session: AsyncSession, *, now: datetime, grace_minutes: int, limit: int = 200) -> int:
    """Booked appointments whose end and grace have passed without an arrival are recorded as missed."""
    stmt = (
        select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.booked, Appointment.ends_at < now - timedelta(minutes=grace_minutes)
        )
        .order_by(Appointment.ends_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    missed = list(await session.scalars(stmt))
    zones: dict[uuid.UUID, str] = {}
    for appointment in missed:
        if appointment.office_id not in zones:
            office = await session.get_one(Office, appointment.office_id)
            zones[appointment.office_id] = (await hours_of(session, office)).timezone
        appointment.status, appointment.no_show_at = AppointmentStatus.no_show, now
        await history.note(
            session, appointment, "no_show", at=now, timezone=zones[appointment.office_id], channel=Channel.counter
        )
        booking.changed(session, appointment, "no_show")
    return len(missed)
