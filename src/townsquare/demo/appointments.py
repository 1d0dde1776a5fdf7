"""The demo city's service centre: an office of Transport & Licensing, open its office hours, with three counters,
where a driver's licence renewal and a vehicle registration can be booked; and a few residents' appointments in the
coming days, booked through the same functions as the portal and the desk.

Demo data only. Kept by slug: seeding twice adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.appointments import booking, offering
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import BookedVia
from townsquare.demo.contacts import Resident
from townsquare.errors import Problem
from townsquare.notify.models import Notification
from townsquare.notify.notifications import Notifier, Request
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, OfficeService
from townsquare.routing.models import BusinessCalendar
from townsquare.settings import Settings

SLUG = "service-centre"
# (service code, ticket prefix, minutes, buffer after)
BOOKABLE = (("DL-RENEW", "L", 20, 10), ("VEH-REG", "V", 15, 5))
COUNTERS = ("1", "2", "3")
BOOKED = 4  # residents with an appointment in the coming days


class Told(Notifier):
    """The demo's bookings were confirmed when they were made: seeding sends no confirmation again (a link in one
    would name an appointment id that differs from one seeding to the next)."""

    async def send(self, session: AsyncSession, request: Request) -> Notification:
        raise Problem(422, "Not sent", "The demo seeds appointments without their confirmations.")


async def seed_service_centre(session: AsyncSession) -> None:
    """The service centre, its counters and what can be booked there (each kept if it is there already)."""
    agency = await agencies.get_agency(session, slug="transport-licensing")
    calendar = await session.scalar(select(BusinessCalendar).where(BusinessCalendar.agency_id == agency.id).limit(1))
    office = await offices.put_office(
        session,
        agency_id=agency.id,
        slug=SLUG,
        name="Service Centre",
        name_fr="Centre de services",
        address=["110 Laurier Ave W", "Ottawa ON K1P 1J1"],
        calendar_id=calendar.id if calendar else None,
    )
    have = {c.label for c in await offices.counters(session, office_id=office.id, include_inactive=True)}
    session.add_all(Counter(office_id=office.id, label=label) for label in COUNTERS if label not in have)
    for code, prefix, minutes, after in BOOKABLE:
        service = await agencies.get_service(session, code=code)
        if await session.get(OfficeService, (office.id, service.id)) is None:
            session.add(
                OfficeService(
                    office_id=office.id,
                    service_id=service.id,
                    ticket_prefix=prefix,
                    duration_minutes=minutes,
                    buffer_after_minutes=after,
                )
            )
    await session.flush()


async def seed_appointments(
    session: AsyncSession, settings: Settings, *, residents: list[Resident], now: datetime
) -> int:
    """Book the next free times for a few residents who have a phone (some by phone with an agent); how many."""
    await seed_service_centre(session)
    agency = await agencies.get_agency(session, slug="transport-licensing")
    office = next(o for o in await offices.list_offices(session, agency_ids={agency.id}) if o.slug == SLUG)
    offer = await offering.offer(session, office_id=office.id, service_code=BOOKABLE[0][0])
    tomorrow = offer.hours.day_of(now) + timedelta(days=1)  # whole days: the same times whenever it is seeded
    free = await offering.next_available(
        session, offer=offer, now=now, settings=settings, count=BOOKED * 3, after=tomorrow
    )
    callers = [r for r in residents if r.phone][:BOOKED]
    made = 0
    for n, (resident, slot) in enumerate(zip(callers, free[::3], strict=False)):
        via = BookedVia.phone if n % 2 else BookedVia.portal
        try:
            wanted = Booking(resident.citizen.id, slot.starts_at, via)
            await booking.book(session, settings, offer=offer, booking=wanted, now=now, notifier=Told(settings))
        except Problem:
            continue  # the demo's residents may not all be bookable (a merged record): the others are
        made += 1
    return made
