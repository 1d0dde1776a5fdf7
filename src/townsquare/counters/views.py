"""What the public pages read, with no personal data: an office's kiosk (its services, each with its line and
estimated wait), its display screen (the tickets called and their counters), and one ticket's place in line.

Typed views for the edges, which never hold a row; names come in both languages for the page to choose. Read only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.counters import waits
from townsquare.counters.hours import hours_of
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket
from townsquare.offices.models import Counter, Office, OfficeService

CALLED_SHOWN = 8  # the display's list of recent calls
CALLED_WITHIN = timedelta(hours=2)


@dataclass(frozen=True)
class Names:
    """A name in English and, when there is one, French."""

    en: str
    fr: str = ""

    def in_(self, language: str) -> str:
        return self.fr if language == "fr" and self.fr else self.en


@dataclass(frozen=True)
class ServiceLine:
    code: str
    name: Names
    prefix: str
    waiting: int
    estimate_seconds: int


@dataclass(frozen=True)
class OfficeView:
    """An office as its kiosk shows it."""

    id: uuid.UUID
    slug: str
    name: Names
    address: list[str]
    open: bool
    next_opening: datetime | None
    services: list[ServiceLine]


@dataclass(frozen=True)
class Called:
    label: str
    counter: str
    at: datetime
    walking_up: bool  # called and not at the counter yet: what the screen announces


@dataclass(frozen=True)
class BoardView:
    office: OfficeView
    called: list[Called]
    at: datetime


@dataclass(frozen=True)
class TicketStatus:
    """One ticket as its holder sees it (the kiosk's receipt, the phone's page): never who holds it."""

    id: uuid.UUID
    label: str
    state: TicketState
    service: Names
    office: OfficeView
    counter: str | None
    ahead: int
    estimate_seconds: int | None
    ticketed_at: datetime


def service_names(service: Service) -> Names:
    french = (service.translations or {}).get("fr") or {}
    return Names(service.name, str(french.get("name") or ""))


async def office_view(session: AsyncSession, *, office: Office, now: datetime | None = None) -> OfficeView:
    """The office with each service it offers walk-ins, its line and estimated wait now."""
    now = now or utcnow()
    hours = await hours_of(session, office=office)
    line = await waits.read_office(session, office_id=office.id, now=now)
    offered = (
        await session.execute(
            select(OfficeService, Service)
            .join(Service, Service.id == OfficeService.service_id)
            .where(OfficeService.office_id == office.id, OfficeService.walk_in.is_(True), Service.active.is_(True))
            .order_by(Service.name)
        )
    ).all()
    services = [
        ServiceLine(s.code, service_names(s), o.ticket_prefix, line.waiting(s.id), line.for_new(s.id))
        for o, s in offered
    ]
    return OfficeView(
        id=office.id,
        slug=office.slug,
        name=Names(office.name, office.name_fr),
        address=[str(a) for a in office.address or []],
        open=hours.is_open(now),
        next_opening=None if hours.is_open(now) else hours.next_opening(now),
        services=services,
    )


async def board(session: AsyncSession, *, office: Office, now: datetime | None = None) -> BoardView:
    """The display screen: the latest calls (newest first) and each service's line."""
    now = now or utcnow()
    rows = await session.execute(
        select(Ticket.label, Counter.label, Ticket.last_called_at, Ticket.state)
        .join(Counter, Counter.id == Ticket.counter_id)
        .where(
            Ticket.office_id == office.id,
            Ticket.state.in_((TicketState.called, TicketState.serving)),
            Ticket.last_called_at >= now - CALLED_WITHIN,
        )
        .order_by(Ticket.last_called_at.desc(), Ticket.id)
        .limit(CALLED_SHOWN)
    )
    called = [Called(label, counter, at, state is TicketState.called) for label, counter, at, state in rows if at]
    return BoardView(office=await office_view(session, office=office, now=now), called=called, at=now)


async def ticket_status(session: AsyncSession, *, ticket: Ticket, now: datetime | None = None) -> TicketStatus:
    """Where the ticket stands: its place in line and estimate while it waits, its counter once called."""
    now = now or utcnow()
    office = await session.get_one(Office, ticket.office_id)
    service = await session.get_one(Service, ticket.service_id)
    ahead, estimate = 0, None
    if ticket.state is TicketState.waiting:
        line = await waits.read_office(session, office_id=office.id, now=now)
        ahead, estimate = line.ahead_of(ticket.id, ticket.service_id)
    counter = await session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    return TicketStatus(
        id=ticket.id,
        label=ticket.label,
        state=ticket.state,
        service=service_names(service),
        office=await office_view(session, office=office, now=now),
        counter=counter.label if counter else None,
        ahead=ahead,
        estimate_seconds=estimate,
        ticketed_at=ticket.ticketed_at,
    )
