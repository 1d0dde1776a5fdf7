"""What staff do with appointments on the desk: an office's day (who is expected, checking them in, cancelling),
one appointment (moving it), and booking for a person — by phone, for a caller, or at the counter — from their
record or the case it continues.

Staff reach the offices and appointments of their agencies (administrators: all); another agency's appointment
answers as an unknown one. Every person shown is on the access log (committed before the page is drawn); every
change is audited as the staff member's, in the caller's transaction. Never commits otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import booking, changes, offering, views
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.models import Appointment
from townsquare.appointments.refusals import refused
from townsquare.appointments.views import AppointmentView, OfficeView, ServiceView, SlotView
from townsquare.cases.models import Case
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.engagement import counter_arrivals
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import not_found
from townsquare.interactions.models import Channel
from townsquare.offices import service as offices
from townsquare.settings import Settings
from townsquare.staff.auth import Principal

WAYS = {"phone": BookedVia.phone, "counter": BookedVia.counter}


@dataclass(frozen=True)
class BookingForm:
    """What the desk's booking page offers for one person: offices and services, the chosen day's free times, their
    open cases, and whether a letter can confirm it."""

    offices: list[tuple[OfficeView, list[ServiceView]]]
    office_id: uuid.UUID | None
    service_code: str
    day: date | None
    slots: list[SlotView]
    next_free: SlotView | None
    cases: list[tuple[str, str]]  # (reference, title)
    postal: bool


async def desk_offices(
    session: AsyncSession, *, me: Principal, language: str
) -> list[tuple[OfficeView, list[ServiceView]]]:
    """The offices of the staff member's agencies that take appointments, with their services."""
    found = []
    for office in await offices.list_offices(session, agency_ids=me.visible()):
        services = [s for _, s in await offices.offered(session, office_id=office.id, bookable=True)]
        if not services:
            continue
        hours = await offering.hours_of(session, office)
        offers = [await offering.offer(session, office_id=office.id, service_id=s.id) for s in services]
        found.append(
            (views.office_view(office, hours.timezone, language), [views.service_view(o, language) for o in offers])
        )
    return found


async def office_day(
    session: AsyncSession,
    settings: Settings,
    *,
    me: Principal,
    office_id: uuid.UUID,
    day: date,
    now: datetime,
    language: str,
    purpose: str,
) -> list[AppointmentView]:
    """Who is expected at the office on `day`, each person shown on the access log (committed)."""
    office = await offices.get_office(session, office_id=office_id)
    if not me.may_see(office.agency_id):
        raise not_found("Office")
    shown = await views.of_office_day(session, settings, office=office, day=day, language=language, now=now)
    for row in shown:
        me.audit(
            session,
            action="appointment.list",
            subject_kind="appointment",
            subject_id=str(row.id),
            citizen_id=row.citizen_id,
            agency_id=row.agency_id,
            purpose=purpose,
        )
    await session.commit()
    return shown


async def of_person(
    session: AsyncSession, settings: Settings, *, me: Principal, citizen_id: uuid.UUID, now: datetime, language: str
) -> list[AppointmentView]:
    """The person's appointments at the staff member's agencies' offices, latest first (their page's panel; the
    page's own read is on the access log)."""
    shown = await views.of_citizen(session, settings, citizen_id=citizen_id, language=language, now=now, limit=20)
    return [row for row in shown if me.may_see(row.agency_id)]


async def in_scope(session: AsyncSession, *, me: Principal, appointment_id: uuid.UUID) -> Appointment:
    """The appointment if the staff member's agencies hold it, else 404 as for one that does not exist."""
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or not me.may_see(appointment.agency_id):
        raise refused("unknown_appointment", "appointment")
    return appointment


async def read_one(
    session: AsyncSession,
    settings: Settings,
    *,
    me: Principal,
    appointment_id: uuid.UUID,
    day: date | None,
    now: datetime,
    language: str,
    purpose: str,
) -> tuple[AppointmentView, list[SlotView]]:
    """One appointment and, while it can be moved, the free times of `day` (default: its own day) to move it to;
    its reading is on the access log (committed)."""
    appointment = await in_scope(session, me=me, appointment_id=appointment_id)
    shown = await views.view(session, settings, appointment, language=language, now=now)
    slots: list[SlotView] = []
    if shown.changeable:
        offer = await offering.offer_of(session, appointment)
        wanted = day or shown.local_start.date()
        free = offering.free_only(await offering.day_view(session, offer=offer, day=wanted, now=now, settings=settings))
        slots = views.slot_views(free, offer.hours.timezone)
    me.audit(
        session,
        action="appointment.read",
        subject_kind="appointment",
        subject_id=str(appointment.id),
        citizen_id=appointment.citizen_id,
        agency_id=appointment.agency_id,
        purpose=purpose,
    )
    await session.commit()
    return shown, slots


def _audit(me: Principal, session: AsyncSession, action: str, appointment: Appointment) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="appointment",
        subject_id=str(appointment.id),
        citizen_id=appointment.citizen_id,
        agency_id=appointment.agency_id,
    )


async def arrive(
    session: AsyncSession, pipeline: Pipeline, *, me: Principal, appointment_id: uuid.UUID, now: datetime
) -> Appointment:
    """Check the person in (staff at the office's desk): they join the office's line with a ticket, called ahead of
    walk-ins from their booked time, their visit on the case the appointment continues."""
    await in_scope(session, me=me, appointment_id=appointment_id)
    await counter_arrivals.arrive(session, pipeline, appointment_id=appointment_id, now=now, staff_id=me.id)
    arrived = await session.get_one(Appointment, appointment_id)
    _audit(me, session, "appointment.arrived", arrived)
    return arrived


async def cancel(
    session: AsyncSession, settings: Settings, *, me: Principal, appointment_id: uuid.UUID, now: datetime
) -> Appointment:
    """Cancel for the person (they asked by phone or at the counter)."""
    await in_scope(session, me=me, appointment_id=appointment_id)
    done = await changes.cancel(
        session, settings, appointment_id=appointment_id, now=now, staff_id=me.id, channel=Channel.voice
    )
    _audit(me, session, "appointment.cancelled", done)
    return done


async def move(
    session: AsyncSession,
    settings: Settings,
    *,
    me: Principal,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    now: datetime,
) -> Appointment:
    """Move it to another free time of its service at its office."""
    await in_scope(session, me=me, appointment_id=appointment_id)
    moved = await changes.move(
        session,
        settings,
        appointment_id=appointment_id,
        starts_at=starts_at,
        now=now,
        staff_id=me.id,
        channel=Channel.voice,
    )
    _audit(me, session, "appointment.moved", moved)
    return moved


async def _their_cases(session: AsyncSession, me: Principal, citizen_id: uuid.UUID) -> list[Case]:
    stmt = select(Case).where(Case.citizen_id == citizen_id, Case.closed_at.is_(None)).order_by(Case.created_at.desc())
    visible = me.visible()
    if visible is not None:
        stmt = stmt.where(Case.agency_id.in_(visible))
    return list(await session.scalars(stmt.limit(50)))


async def booking_form(
    session: AsyncSession,
    settings: Settings,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    office_id: uuid.UUID | None,
    service_code: str,
    day: date | None,
    now: datetime,
    language: str,
) -> BookingForm:
    """The booking page for a person: once an office and service are chosen, the free times of the day asked
    (default: the day of the next free time)."""
    choices = await desk_offices(session, me=me, language=language)
    slots: list[SlotView] = []
    first: list[SlotView] = []
    if office_id is not None and service_code:
        offer = await _offer(session, me, office_id, service_code)
        zone = offer.hours.timezone
        first = views.slot_views(await offering.next_available(session, offer=offer, now=now, settings=settings), zone)
        day = day or (first[0].local_start.date() if first else offer.hours.day_of(now))
        free = offering.free_only(await offering.day_view(session, offer=offer, day=day, now=now, settings=settings))
        slots = views.slot_views(free, zone)
    postal = await session.scalar(
        select(Identity.id).where(Identity.citizen_id == citizen_id, Identity.kind == IdentityKind.postal).limit(1)
    )
    cases = [(c.reference, c.title) for c in await _their_cases(session, me, citizen_id)]
    return BookingForm(
        choices, office_id, service_code, day, slots, first[0] if first else None, cases, postal is not None
    )


async def _offer(session: AsyncSession, me: Principal, office_id: uuid.UUID, service_code: str) -> offering.Offer:
    offer = await offering.offer(session, office_id=office_id, service_code=service_code)
    if not me.may_see(offer.office.agency_id):
        raise refused("unknown_office", "office")
    return offer


async def book_for(
    session: AsyncSession,
    settings: Settings,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    office_id: uuid.UUID,
    service_code: str,
    starts_at: datetime,
    way: str,
    case_reference: str,
    letter: bool,
    now: datetime,
) -> Appointment:
    """Book for the person, as they asked (`way`: phone or counter), continuing one of their open cases if named."""
    if way not in WAYS:
        raise refused("no_way", "way")
    offer = await _offer(session, me, office_id, service_code)
    case_id = None
    if case_reference:
        case = next((c for c in await _their_cases(session, me, citizen_id) if c.reference == case_reference), None)
        if case is None:
            raise refused("not_their_case", "case")
        case_id = case.id
    wanted = Booking(citizen_id, starts_at, WAYS[way], staff_id=me.id, case_id=case_id, letter=letter)
    made = await booking.book(session, settings, offer=offer, booking=wanted, now=now)
    _audit(me, session, "appointment.booked", made)
    return made
