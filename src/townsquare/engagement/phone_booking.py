"""Booking an appointment on the phone menu: the service the line books (`TOWNSQUARE_IVR_APPOINTMENTS`, an office's
slug and a service's code), its next free times, and booking one for the caller.

The caller is who the call says (their number's record, as for a call-back); the booking is the one every door
makes (`appointments.booking`: race-safe, told by text or their usual channel, on their timeline). Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import booking, offering
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.offering import Offer
from townsquare.engagement.calls import Caller
from townsquare.errors import Problem
from townsquare.notify.notifications import named
from townsquare.offices.models import Office
from townsquare.settings import Settings

SAID = 3  # times read out at once: a caller remembers three


@dataclass(frozen=True)
class Time:
    """A free time as the menu reads it: UTC for the next step, local for saying it."""

    starts_at: datetime
    local: datetime


@dataclass(frozen=True)
class Times:
    service: str  # in the caller's language
    office: str
    times: list[Time]


async def offer_of_line(session: AsyncSession, settings: Settings) -> Offer | None:
    """The office and service the phone line books, or None (not set, or no longer bookable)."""
    if not settings.ivr_appointments:
        return None
    slug, _, code = settings.ivr_appointments.partition("/")
    office_id = await session.scalar(select(Office.id).where(Office.slug == slug, Office.active.is_(True)).limit(1))
    if office_id is None:
        return None
    try:
        return await offering.offer(session, office_id=office_id, service_code=code)
    except Problem:
        return None


async def next_times(session: AsyncSession, settings: Settings, *, now: datetime, language: str) -> Times | None:
    """The next free times of the line's service (up to three), or None when the line books nothing."""
    offer = await offer_of_line(session, settings)
    if offer is None:
        return None
    free = await offering.next_available(session, offer=offer, now=now, settings=settings, count=SAID)
    zone = ZoneInfo(offer.hours.timezone)
    office = offer.office.name_fr if language == "fr" and offer.office.name_fr else offer.office.name
    times = [Time(slot.starts_at, slot.starts_at.astimezone(zone)) for slot in free]
    return Times(named(offer.service, language), office, times)


@dataclass(frozen=True)
class Booked:
    """What the caller hears once it is booked."""

    local: datetime
    service: str
    office: str


async def book(
    session: AsyncSession, settings: Settings, *, caller: Caller, starts_at: datetime, now: datetime, language: str
) -> Booked:
    """Book the time for the caller (refused as any booking is: taken meanwhile, twice the same person, ...)."""
    offer = await offer_of_line(session, settings)
    if offer is None:
        raise Problem(404, "Not booked here", "This line does not book appointments.", "not-found")
    case_id = caller.offers[0].case_id if caller.offers else None  # the open case the call is about
    wanted = Booking(caller.citizen.id, starts_at, BookedVia.ivr, case_id=case_id)
    made = await booking.book(session, settings, offer=offer, booking=wanted, now=now)
    office = offer.office.name_fr if language == "fr" and offer.office.name_fr else offer.office.name
    local = made.starts_at.astimezone(ZoneInfo(offer.hours.timezone))
    return Booked(local, named(offer.service, language), office)
