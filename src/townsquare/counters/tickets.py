"""Taking a ticket: the office must be open and offer the service to walk-ins; the ticket gets the day's next
number for the service's prefix, its estimated wait, and its first period (waiting).

Check-in through the flow (`engagement.counter`) asks `walk_in` first, then records the visit, then calls `issue`
with what the flow established; an appointment's arrival (or a test) may issue a ticket directly. Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.counters import numbering, periods, waits
from townsquare.counters.hours import OfficeHours, hours_of
from townsquare.counters.kinds import OPEN_STATES, CheckIn, TicketState
from townsquare.counters.models import Ticket
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.offices.models import Office, OfficeService

OFFICE_CLOSED = "office-closed"


def closed(office: Office) -> Problem:
    """409: the office takes no tickets now."""
    return Problem(409, "Office closed", f"{office.name} is closed now: no tickets are given.", OFFICE_CLOSED)


@dataclass(frozen=True)
class WalkIn:
    """An office open now that offers a service to walk-ins."""

    office: Office
    offered: OfficeService
    service: Service
    hours: OfficeHours


async def find_office(session: AsyncSession, *, ref: str) -> Office:
    """An office by its slug (its kiosk's and display's address) or its id; 404 for none or an inactive one."""
    office: Office | None = None
    try:
        office = await session.get(Office, uuid.UUID(ref))
    except ValueError:
        office = await session.scalar(select(Office).where(Office.slug == ref.strip().lower()[:64]))
    if office is None or not office.active:
        raise not_found("Office", "No office takes tickets at that address.")
    return office


async def walk_in(
    session: AsyncSession, *, office: Office, service_code: str, now: datetime, booked: bool = False
) -> WalkIn:
    """The office and service a ticket is asked for, if the office is open and offers it to walk-ins now (to
    bookings, for someone arriving for an appointment: `booked`)."""
    hours = await hours_of(session, office=office)
    if not hours.is_open(now):
        raise closed(office)
    found = (
        await session.execute(
            select(OfficeService, Service)
            .join(Service, Service.id == OfficeService.service_id)
            .where(
                OfficeService.office_id == office.id,
                func.upper(Service.code) == service_code.strip().upper()[:64],
                Service.active.is_(True),
                (OfficeService.bookable if booked else OfficeService.walk_in).is_(True),
            )
        )
    ).first()
    if found is None:
        raise invalid(
            "That service is not offered to walk-ins here; choose one of the services listed.",
            FieldError("service", "not offered here"),
        )
    return WalkIn(office, found[0], found[1], hours)


async def open_ticket_of(session: AsyncSession, *, work_item_id: uuid.UUID) -> Ticket | None:
    """The ticket still open on a work item (a second check-in of the same person joins their open visit)."""
    stmt = select(Ticket).where(Ticket.work_item_id == work_item_id, Ticket.state.in_(OPEN_STATES)).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def issue(
    session: AsyncSession,
    *,
    walk_in: WalkIn,
    via: CheckIn,
    language: str = "en",
    citizen_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    interaction_id: uuid.UUID | None = None,
    work_item_id: uuid.UUID | None = None,
    sms_identity_id: uuid.UUID | None = None,
    booked_for: datetime | None = None,
    appointment_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Ticket:
    """A new ticket in the line, numbered and estimated; an appointment (`booked_for`) is not estimated: it is
    called from its booked time on."""
    now = now or utcnow()
    office, offered = walk_in.office, walk_in.offered
    day = walk_in.hours.day(now)
    number = await numbering.next_number(session, office_id=office.id, day=day, prefix=offered.ticket_prefix)
    line = await waits.read_office(session, office_id=office.id, now=now)
    ticket = Ticket(
        office_id=office.id,
        service_id=walk_in.service.id,
        service_day=day,
        prefix=offered.ticket_prefix,
        number=number,
        label=numbering.label(offered.ticket_prefix, number),
        via=via,
        language=language,
        citizen_id=citizen_id,
        conversation_id=conversation_id,
        interaction_id=interaction_id,
        work_item_id=work_item_id,
        sms_identity_id=sms_identity_id,
        booked_for=booked_for,
        appointment_id=appointment_id,
        ticketed_at=now,
        estimated_wait_seconds=None if booked_for is not None else line.for_new(walk_in.service.id),
    )
    session.add(ticket)
    await session.flush()
    await periods.move(session, ticket, TicketState.waiting, now)
    return ticket


async def get_ticket(session: AsyncSession, *, ticket_id: uuid.UUID) -> Ticket:
    """A ticket by id, or a 404 problem."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise not_found("Ticket", "No ticket has that number.")
    return ticket
