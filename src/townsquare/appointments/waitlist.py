"""The waiting list: a person waits for a slot of a service at an office on a day; when a slot that day frees (a
cancellation, a move, an offer not taken), the first person waiting is offered it.

An offer is a hold on the slot for that person (`offer_minutes`), with a link to take it (`links.offer_url`);
taking it is `booking.confirm`, race-safe like any booking. An offer not taken in time lapses and the next person
is asked. Runs inside the caller's lock on the office. Never commits.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import booking, history, notices
from townsquare.appointments.kinds import AppointmentStatus, BookedVia, WaitStatus
from townsquare.appointments.models import Appointment, WaitlistEntry
from townsquare.appointments.offering import Offer, Window, day_view, free_only, offer, offer_of
from townsquare.appointments.refusals import refused
from townsquare.errors import Problem
from townsquare.settings import Settings

log = logging.getLogger(__name__)


async def join(
    session: AsyncSession,
    settings: Settings,
    *,
    offer: Offer,
    citizen_id: uuid.UUID,
    day: date,
    now: datetime,
    language: str = "en",
) -> WaitlistEntry:
    """Put the person on the day's waiting list for the service; refused when the day has free slots, cannot be
    booked, or they already wait for it."""
    window = Window.of(settings, offer.hours, now)
    if day < offer.hours.day_of(now):
        raise refused("past", "day")
    if day > window.last_day:
        raise refused("too_far", "day")
    if not offer.hours.periods(day):
        raise refused("closed", "day")
    if free_only(await day_view(session, offer=offer, day=day, now=now, settings=settings)):
        raise refused("waitlist_free", "day")
    theirs = select(WaitlistEntry.id).where(
        WaitlistEntry.citizen_id == citizen_id,
        WaitlistEntry.status.in_((WaitStatus.waiting, WaitStatus.offered)),
    )
    same = theirs.where(
        WaitlistEntry.office_id == offer.office.id,
        WaitlistEntry.service_id == offer.service.id,
        WaitlistEntry.day == day,
    )
    if (await session.execute(same.limit(1))).first() is not None:
        raise refused("waitlist_twice", "day")
    count = await session.scalar(select(func.count()).select_from(theirs.subquery()))
    if int(count or 0) >= settings.appointment_max_per_person:
        raise refused("too_many", "day")
    entry = WaitlistEntry(
        office_id=offer.office.id, service_id=offer.service.id, citizen_id=citizen_id, day=day, language=language
    )
    session.add(entry)
    await session.flush()
    return entry


async def freed(session: AsyncSession, settings: Settings, *, office_id: uuid.UUID, day: date, now: datetime) -> int:
    """Offer the day's free slots to the people waiting for them, first come first offered; how many were offered."""
    waiting = await session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.office_id == office_id, WaitlistEntry.day == day, WaitlistEntry.status == WaitStatus.waiting
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    offered = 0
    for entry in list(waiting):
        try:
            offered += await _offer_to(session, settings, entry, now)
        except Problem as refusal:  # this person cannot take one (they booked meanwhile): the next may
            log.info("waitlist entry %s passed over: %s", entry.id, refusal.extra.get("reason"))
    return offered


async def _offer_to(session: AsyncSession, settings: Settings, entry: WaitlistEntry, now: datetime) -> int:
    wanted = await offer(session, office_id=entry.office_id, service_id=entry.service_id)
    free = free_only(await day_view(session, offer=wanted, day=entry.day, now=now, settings=settings))
    if not free:
        return 0
    hold = booking.Booking(citizen_id=entry.citizen_id, starts_at=free[0].starts_at, via=BookedVia.waitlist)
    until = now + timedelta(minutes=settings.appointment_offer_minutes)
    held = await booking.book(
        session, settings, offer=wanted, booking=hold, now=now, hold_until=until, waitlist_entry_id=entry.id
    )
    entry.status = WaitStatus.offered
    zone = wanted.hours.timezone
    await history.note(session, held, "offered", at=now, timezone=zone)
    await notices.tell(session, settings, held, "offered", timezone=zone)
    return 1


async def lapse_holds(session: AsyncSession, settings: Settings, *, now: datetime, limit: int = 100) -> int:
    """End the holds nobody confirmed in time; an offer not taken goes to the next person waiting that day."""
    stmt = (
        select(Appointment.id, Appointment.office_id)
        .where(Appointment.status == AppointmentStatus.held, Appointment.hold_until <= now)
        .order_by(Appointment.hold_until)
        .limit(limit)
    )
    ended = 0
    for appointment_id, office_id in (await session.execute(stmt)).all():
        await booking.lock_office(session, office_id)
        held = await booking.fresh(session, appointment_id)
        if held.status is not AppointmentStatus.held or held.hold_until is None or held.hold_until > now:
            continue  # confirmed (or renewed) meanwhile
        held.status = AppointmentStatus.lapsed
        ended += 1
        if held.waitlist_entry_id is not None:
            entry = await session.get_one(WaitlistEntry, held.waitlist_entry_id)
            entry.status = WaitStatus.lapsed
        booking.changed(session, held, "lapsed")
        day = (await offer_of(session, held)).hours.day_of(held.starts_at)
        await freed(session, settings, office_id=office_id, day=day, now=now)
    return ended


async def close_past_days(session: AsyncSession, *, today_before: date) -> int:
    """People still waiting for a day that has gone by leave the list."""
    stmt = select(WaitlistEntry).where(WaitlistEntry.status == WaitStatus.waiting, WaitlistEntry.day < today_before)
    rows = list(await session.scalars(stmt.limit(500)))
    for entry in rows:
        entry.status = WaitStatus.left
    return len(rows)
