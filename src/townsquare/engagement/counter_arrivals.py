"""Arriving for an appointment: the person is checked in, then joins the office's line as a visit through the one
flow, on the case the appointment continues, and is called ahead of walk-ins from their booked time on.

Never commits; the greeter's desk and the kiosk own the transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.appointments import arrival
from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.offering import hours_of
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.counters.kinds import CheckIn
from townsquare.engagement.counter import CheckedIn, Visit, check_in
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, invalid
from townsquare.offices.models import Office

NO_APPOINTMENT = "no-appointment-today"


async def arrive(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    appointment_id: uuid.UUID,
    now: datetime,
    via: CheckIn = CheckIn.appointment,
    staff_id: uuid.UUID | None = None,
) -> CheckedIn:
    """Check the appointment in and give its person a ticket in the office's line, as a visit on their timeline
    (in the appointment's case when it continues one), texted "it's your turn" on their phone if they have one."""
    arrived = await arrival.arrive(session, appointment_id=appointment_id, at=now, staff_id=staff_id)
    office = await session.get_one(Office, arrived.office_id)
    service = await session.get_one(Service, arrived.service_id)
    citizen = await session.get_one(Citizen, arrived.citizen_id)
    case = await session.get(Case, arrived.case_id) if arrived.case_id else None
    visit = Visit(
        office=office,
        service_code=service.code,
        language=citizen.language if citizen.language in ("en", "fr") else "en",
        via=via,
        token=f"appointment-{arrived.id}",
        staff_id=staff_id,
        booked_for=arrived.starts_at,
        appointment_id=arrived.id,
        citizen_id=citizen.id,
        case_reference=case.reference if case else None,
        sms_identity_id=await _phone_of(session, citizen.id),
    )
    return await check_in(session, pipeline, visit, now=now)


async def booked_by_phone(
    session: AsyncSession, *, office: Office, phone: str, now: datetime, region: str
) -> uuid.UUID:
    """Today's booked appointment at this office of the person holding this phone (the kiosk's "I have an
    appointment"): the earliest still to come, else the latest begun. Refused, saying what to do, when none is."""
    try:
        number = citizens.normalise_phone(phone.strip()[:40], region=region)
    except Problem:
        raise invalid(
            "That phone number cannot be read; check it.", FieldError("phone", "not a phone number")
        ) from None
    hours = await hours_of(session, office)
    day = hours.day_of(now)
    stmt = (
        select(Appointment.id, Appointment.starts_at)
        .join(Identity, Identity.citizen_id == Appointment.citizen_id)
        .where(
            Identity.kind == IdentityKind.phone,
            Identity.value == number,
            Appointment.office_id == office.id,
            Appointment.status.in_((AppointmentStatus.booked, AppointmentStatus.arrived)),
        )
        .order_by(Appointment.starts_at)
    )
    today = [(i, at) for i, at in (await session.execute(stmt)).all() if hours.day_of(at) == day]
    if not today:
        raise Problem(404, "No appointment", "No appointment here today for that number.", NO_APPOINTMENT)
    coming = [i for i, at in today if at >= now]
    return coming[0] if coming else today[-1][0]


async def _phone_of(session: AsyncSession, citizen_id: uuid.UUID) -> uuid.UUID | None:
    """The person's phone to text when they are called: a verified one first, never one that said STOP."""
    stmt = (
        select(Identity.id)
        .where(Identity.citizen_id == citizen_id, Identity.kind == IdentityKind.phone, Identity.opted_out_at.is_(None))
        .order_by(Identity.verified.desc(), Identity.created_at)
        .limit(1)
    )
    return await session.scalar(stmt)
