"""What a resident does with appointments on the portal: find an office and a time, book it (signed in, or as a
guest who proves a phone or an email first, the slot kept meanwhile), see their appointments, and — by the signed
link every confirmation carries, without signing in — move or cancel one, take its calendar file, or take a slot
offered from the waiting list.

Every change is audited as the person's own. Never commits: the route does, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.appointments import booking, changes, ics, links, offering, views, waitlist
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.appointments.refusals import refused
from townsquare.appointments.views import AppointmentView, OfficeView, ServiceView, SlotView
from townsquare.errors import not_found
from townsquare.residents import guests
from townsquare.settings import Settings
from townsquare.staff import service as staff

GONE = "This link does not work: it was altered, or it was never ours."


@dataclass(frozen=True)
class DayPage:
    """One day of a service at an office, as the booking page shows it."""

    office: OfficeView
    service: ServiceView
    day: date
    slots: list[SlotView]  # the free ones
    open: bool  # the office takes appointments that day
    next_free: SlotView | None  # the first free slot from today
    earlier: date | None  # the day before, if it can still be booked
    later: date | None  # the day after, if within the horizon


async def offices(session: AsyncSession, *, language: str) -> list[tuple[OfficeView, list[ServiceView]]]:
    """Every office taking appointments, with what can be booked there."""
    found = []
    for office, services in await offering.bookable(session):
        hours = await offering.hours_of(session, office)
        offers = [await offering.offer(session, office_id=office.id, service_id=s.id) for s in services]
        found.append(
            (views.office_view(office, hours.timezone, language), [views.service_view(o, language) for o in offers])
        )
    return found


async def day_page(
    session: AsyncSession,
    settings: Settings,
    *,
    office_id: uuid.UUID,
    service_code: str,
    day: date | None,
    now: datetime,
    language: str,
) -> DayPage:
    """The service's free times on `day` (default: the day of the next free time, else today)."""
    offer = await offering.offer(session, office_id=office_id, service_code=service_code)
    first = await offering.next_available(session, offer=offer, now=now, settings=settings)
    today = offer.hours.day_of(now)
    chosen = day or (offer.hours.day_of(first[0].starts_at) if first else today)
    slots = offering.free_only(await offering.day_view(session, offer=offer, day=chosen, now=now, settings=settings))
    window = offering.Window.of(settings, offer.hours, now)
    zone = offer.hours.timezone
    return DayPage(
        office=views.office_view(offer.office, zone, language),
        service=views.service_view(offer, language),
        day=chosen,
        slots=views.slot_views(slots, zone),
        open=bool(offer.hours.periods(chosen)) and today <= chosen <= window.last_day,
        next_free=views.slot_views(first, zone)[0] if first else None,
        earlier=chosen - timedelta(days=1) if chosen > today else None,
        later=chosen + timedelta(days=1) if chosen < window.last_day else None,
    )


async def book(
    session: AsyncSession,
    settings: Settings,
    *,
    citizen_id: uuid.UUID,
    office_id: uuid.UUID,
    service_code: str,
    starts_at: datetime,
    now: datetime,
) -> tuple[uuid.UUID, bool]:
    """Book the slot for a resident we can reach; for anyone else (a guest, or a resident with no proved phone or
    email) keep it while they prove one. Returns the appointment and whether it is only held."""
    offer = await offering.offer(session, office_id=office_id, service_code=service_code)
    reachable = await guests.reachable(session, citizen_id=citizen_id)
    hold_until = None if reachable else now + timedelta(minutes=settings.appointment_hold_minutes)
    wanted = Booking(citizen_id=citizen_id, starts_at=starts_at, via=BookedVia.portal)
    made = await booking.book(session, settings, offer=offer, booking=wanted, now=now, hold_until=hold_until)
    if reachable:
        _audit(session, citizen_id, "appointment.booked", made)
    return made.id, not reachable


async def held_for(session: AsyncSession, *, appointment_id: uuid.UUID, citizen_id: uuid.UUID) -> bool:
    """Whether this person has this slot kept for them (the guest's page asking for their contact)."""
    held = await session.get(Appointment, appointment_id)
    return held is not None and held.citizen_id == citizen_id and held.status is AppointmentStatus.held


async def confirm_held(
    session: AsyncSession, settings: Settings, *, appointment_id: uuid.UUID, citizen_id: uuid.UUID, now: datetime
) -> str:
    """The guest proved a contact: the slot kept becomes their booking (in the name of whoever the contact
    belongs to). Returns the path of its page."""
    made = await booking.confirm(session, settings, appointment_id=appointment_id, citizen_id=citizen_id, now=now)
    _audit(session, citizen_id, "appointment.booked", made)
    return links.manage_path(settings, made.id)


async def theirs(
    session: AsyncSession, settings: Settings, *, citizen_id: uuid.UUID, language: str, now: datetime
) -> list[AppointmentView]:
    """The resident's appointments, latest first."""
    return await views.of_citizen(session, settings, citizen_id=citizen_id, language=language, now=now)


async def _by_token(session: AsyncSession, settings: Settings, token: str, purpose: str) -> Appointment:
    appointment_id = links.read(settings.secret_key, purpose, token)
    appointment = await session.get(Appointment, appointment_id) if appointment_id else None
    if appointment is None:
        raise not_found("Appointment", GONE)
    return appointment


async def by_link(
    session: AsyncSession, settings: Settings, *, token: str, language: str, now: datetime
) -> AppointmentView:
    """The appointment a manage link names (an altered or foreign link: 404)."""
    appointment = await _by_token(session, settings, token, links.MANAGE)
    return await views.view(session, settings, appointment, language=language, now=now)


async def move_page(
    session: AsyncSession, settings: Settings, *, token: str, day: date | None, language: str, now: datetime
) -> tuple[AppointmentView, DayPage]:
    """The appointment and a day of its service's free times to move it to (a past or cancelled one: 409)."""
    appointment = await _by_token(session, settings, token, links.MANAGE)
    if not booking.changeable(appointment, now):
        raise refused("not_changeable")
    code = (await views.view(session, settings, appointment, language=language, now=now)).service.code
    page = await day_page(
        session, settings, office_id=appointment.office_id, service_code=code, day=day, now=now, language=language
    )
    return await views.view(session, settings, appointment, language=language, now=now), page


async def move(session: AsyncSession, settings: Settings, *, token: str, starts_at: datetime, now: datetime) -> None:
    """Move the appointment the link names."""
    appointment = await _by_token(session, settings, token, links.MANAGE)
    moved = await changes.move(session, settings, appointment_id=appointment.id, starts_at=starts_at, now=now)
    _audit(session, moved.citizen_id, "appointment.moved", moved)


async def cancel(session: AsyncSession, settings: Settings, *, token: str, now: datetime) -> None:
    """Cancel the appointment the link names."""
    appointment = await _by_token(session, settings, token, links.MANAGE)
    cancelled = await changes.cancel(session, settings, appointment_id=appointment.id, now=now)
    _audit(session, cancelled.citizen_id, "appointment.cancelled", cancelled)


async def calendar(session: AsyncSession, settings: Settings, *, token: str, language: str, now: datetime) -> bytes:
    """The appointment the link names as a calendar file."""
    appointment = await _by_token(session, settings, token, links.MANAGE)
    shown = await views.view(session, settings, appointment, language=language, now=now)
    agency = await session.get_one(Agency, appointment.agency_id)
    manage = links.manage_url(settings, appointment.id)
    described = ics.Described(
        summary=shown.service.name,
        location=", ".join([shown.office.name, *shown.office.address]),
        description=manage,
        url=manage,
        organizer=agency.name,
        organizer_email=agency.email,
        timezone=shown.office.timezone,
    )
    return ics.calendar_file(appointment, described, public_url=settings.public_url, now=now)


async def offered(
    session: AsyncSession, settings: Settings, *, token: str, language: str, now: datetime
) -> AppointmentView:
    """The slot an offer link holds (taken, or run out: 409 with the reason)."""
    appointment = await _by_token(session, settings, token, links.OFFER)
    if appointment.status is not AppointmentStatus.held or appointment.hold_until is None:
        raise refused("hold_gone")
    return await views.view(session, settings, appointment, language=language, now=now)


async def claim(session: AsyncSession, settings: Settings, *, token: str, now: datetime) -> str:
    """Take the slot offered from the waiting list; returns the path of the appointment's page."""
    appointment = await _by_token(session, settings, token, links.OFFER)
    made = await booking.confirm(
        session, settings, appointment_id=appointment.id, citizen_id=appointment.citizen_id, now=now
    )
    _audit(session, made.citizen_id, "appointment.booked", made)
    return links.manage_path(settings, made.id)


async def join_waitlist(
    session: AsyncSession,
    settings: Settings,
    *,
    citizen_id: uuid.UUID,
    office_id: uuid.UUID,
    service_code: str,
    day: date,
    now: datetime,
    language: str,
) -> None:
    """Wait for a slot of a full day; a freed one is offered by their usual channel."""
    offer = await offering.offer(session, office_id=office_id, service_code=service_code)
    entry = await waitlist.join(
        session, settings, offer=offer, citizen_id=citizen_id, day=day, now=now, language=language
    )
    staff.audit_own_record(session, citizen_id, "appointment.waitlist_joined", {"entry": str(entry.id)})


def _audit(session: AsyncSession, citizen_id: uuid.UUID, action: str, appointment: Appointment) -> None:
    staff.audit_own_record(session, citizen_id, action, {"appointment": str(appointment.id)})
