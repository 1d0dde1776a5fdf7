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
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.counters.kinds import CheckIn
from townsquare.engagement.counter import CheckedIn, Visit, check_in
from townsquare.engagement.pipeline import Pipeline
from townsquare.offices.models import Office


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


async def _phone_of(session: AsyncSession, citizen_id: uuid.UUID) -> uuid.UUID | None:
    """The person's phone to text when they are called: a verified one first, never one that said STOP."""
    stmt = (
        select(Identity.id)
        .where(Identity.citizen_id == citizen_id, Identity.kind == IdentityKind.phone, Identity.opted_out_at.is_(None))
        .order_by(Identity.verified.desc(), Identity.created_at)
        .limit(1)
    )
    return await session.scalar(stmt)
