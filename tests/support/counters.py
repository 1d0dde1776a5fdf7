"""A service office to test the counters with: an agency's office open every day all day (or on the hours asked),
two walk-in services (P: permits, 10 minutes; L: licences, 20 minutes), two counters, and clerks at them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_service
from townsquare.agencies.models import Agency, Service
from townsquare.clock import utcnow
from townsquare.counters import staffing, tickets
from townsquare.counters.kinds import CheckIn
from townsquare.counters.models import Ticket
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing import setup as routing_setup
from townsquare.staff.models import StaffAccount

ALWAYS = {str(day): [["00:00", "23:59"]] for day in range(7)}


@dataclass
class SomeOffice:
    agency: Agency
    office: Office
    permit: Service
    licence: Service
    counters: list[Counter]
    clerks: list[StaffAccount]


async def make_office(
    session: AsyncSession,
    *,
    hours: dict[str, Any] | None = None,
    clerks: int = 2,
    slug: str = "service-centre",
    agency: Agency | None = None,
    languages: list[str] | None = None,
) -> SomeOffice:
    """The office, its services and counters, and `clerks` agents of its agency (not yet at a counter)."""
    agency = agency or await create_agency(session)
    calendar, _ = await routing_setup.put_calendar(
        session,
        agency_id=agency.id,
        name=f"{slug} hours",
        timezone="America/Toronto",
        hours=hours or ALWAYS,
        holidays=[],
    )
    permit = await create_service(session, agency=agency, code=f"PERMIT-{slug[:8]}".upper(), name="Parking permit")
    licence = await create_service(session, agency=agency, code=f"LICENCE-{slug[:8]}".upper(), name="Driver's licence")
    office = await offices.put_office(
        session,
        agency_id=agency.id,
        slug=slug,
        name="Service Centre",
        address=["100 Queen St W"],
        calendar_id=calendar.id,
    )
    counters = [Counter(office_id=office.id, label=str(n)) for n in (1, 2)]
    session.add_all(
        [
            OfficeService(office_id=office.id, service_id=permit.id, ticket_prefix="P", duration_minutes=10),
            OfficeService(office_id=office.id, service_id=licence.id, ticket_prefix="L", duration_minutes=20),
            *counters,
        ]
    )
    people = [
        await create_agent(
            session, email=f"clerk{n}.{slug}@city.example", agencies=[agency], languages=languages or ["en", "fr"]
        )
        for n in range(clerks)
    ]
    await session.flush()
    return SomeOffice(agency, office, permit, licence, counters, people)


async def seat(session: AsyncSession, place: SomeOffice, *, at: datetime | None = None) -> None:
    """Each clerk at the counter of their number."""
    for clerk, counter in zip(place.clerks, place.counters, strict=False):
        await staffing.open_counter(session, counter=counter, staff_id=clerk.id, now=at or utcnow())


async def ticket(
    session: AsyncSession,
    place: SomeOffice,
    *,
    service: Service | None = None,
    at: datetime | None = None,
    booked_for: datetime | None = None,
) -> Ticket:
    """A ticket made directly (no visit through the flow, no work item)."""
    service = service or place.permit
    walk = await tickets.walk_in(session, office=place.office, service_code=service.code, now=at or utcnow())
    return await tickets.issue(
        session,
        walk_in=walk,
        via=CheckIn.appointment if booked_for else CheckIn.kiosk,
        booked_for=booked_for,
        now=at,
    )
