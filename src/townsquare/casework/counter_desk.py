"""What counter staff see: the offices of their agencies with their counters and who is at each, and one counter's
page — the ticket at it, the tickets on hold at the office, and the line — as typed views, with no resident's
name or contact on them (the visit's work page shows who it is, and logs that read).

Offices, counters and tickets of another agency answer as unknown ones. Read only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.counters import staffing, work
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket, TicketPeriod
from townsquare.counters.views import Names, service_names
from townsquare.errors import not_found
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount

LINE_SHOWN = 12
LINE_READ = 200  # read to find the appointments due among them


@dataclass(frozen=True)
class CounterRow:
    id: uuid.UUID
    label: str
    staff_name: str | None  # who is at it
    mine: bool


@dataclass(frozen=True)
class OfficeRow:
    id: uuid.UUID
    slug: str
    name: Names
    waiting: int
    counters: list[CounterRow]


@dataclass(frozen=True)
class TicketRow:
    id: uuid.UUID
    label: str
    service: Names
    state: TicketState
    ticketed_at: datetime
    since: datetime  # in its state since
    booked_for: datetime | None
    recalls: int
    counter: str | None
    sent_to: str | None  # the counter it was transferred to
    identified: str  # how the visitor was identified: "phone", "anonymous", …
    verified: bool
    work_item_id: uuid.UUID | None
    staff_name: str | None


@dataclass(frozen=True)
class CounterPage:
    office: OfficeRow
    counter: CounterRow
    current: TicketRow | None
    held: list[TicketRow]
    waiting: list[TicketRow]
    waiting_count: int
    wrap_up_codes: list[tuple[str, str, str]]  # code, label, French label
    services: list[tuple[uuid.UUID, Names]]
    counters: list[tuple[uuid.UUID, str]]  # the office's other open counters
    recalls_needed: int

    @property
    def no_show_allowed(self) -> bool:
        return self.current is not None and self.current.recalls >= self.recalls_needed


async def office_in_scope(session: AsyncSession, me: Principal, office_id: uuid.UUID) -> Office:
    """The office if the caller works for its agency, else 404 as for one that does not exist."""
    office = await session.get(Office, office_id)
    if office is None or not me.may_see(office.agency_id):
        raise not_found("Office")
    return office


async def counter_in_scope(session: AsyncSession, me: Principal, counter_id: uuid.UUID) -> Counter:
    """The counter if the caller works for its office's agency, else 404."""
    counter = await session.get(Counter, counter_id)
    if counter is None or not me.may_see((await session.get_one(Office, counter.office_id)).agency_id):
        raise not_found("Counter")
    return counter


async def ticket_in_scope(session: AsyncSession, me: Principal, ticket_id: uuid.UUID) -> Ticket:
    """The ticket if the caller works for its office's agency, else 404."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or not me.may_see((await session.get_one(Office, ticket.office_id)).agency_id):
        raise not_found("Ticket")
    return ticket


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return await _pairs(session, select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(ids)))


async def _pairs(session: AsyncSession, stmt: Select[Any, Any]) -> dict[Any, Any]:
    """The first column of each row, mapped to the second."""
    return {row[0]: row[1] for row in await session.execute(stmt)}


async def _counter_rows(session: AsyncSession, me: Principal, office_id: uuid.UUID) -> list[CounterRow]:
    counters = list(
        await session.scalars(
            select(Counter).where(Counter.office_id == office_id, Counter.active.is_(True)).order_by(Counter.label)
        )
    )
    at = await staffing.staffed_by(session, counter_ids=[c.id for c in counters])
    names = await _names(session, set(at.values()))
    return [
        CounterRow(c.id, c.label, names.get(at[c.id]) if c.id in at else None, at.get(c.id) == me.id) for c in counters
    ]


async def _office_row(session: AsyncSession, me: Principal, office: Office) -> OfficeRow:
    waiting = await session.scalar(
        select(func.count()).where(Ticket.office_id == office.id, Ticket.state == TicketState.waiting)
    )
    return OfficeRow(
        office.id,
        office.slug,
        Names(office.name, office.name_fr),
        int(waiting or 0),
        await _counter_rows(session, me, office.id),
    )


async def offices_for(session: AsyncSession, me: Principal) -> list[OfficeRow]:
    """The active offices of the caller's agencies (every one for an administrator), by name."""
    stmt = select(Office).where(Office.active.is_(True)).order_by(Office.name)
    if me.agency_ids is not None:
        stmt = stmt.where(Office.agency_id.in_(me.agency_ids))
    return [await _office_row(session, me, office) for office in await session.scalars(stmt)]


async def _rows(session: AsyncSession, tickets: list[Ticket]) -> list[TicketRow]:
    """Tickets as the counter page lists them: four queries however many."""
    if not tickets:
        return []
    services = {
        s.id: s for s in await session.scalars(select(Service).where(Service.id.in_({t.service_id for t in tickets})))
    }
    counter_ids = {c for t in tickets for c in (t.counter_id, t.target_counter_id) if c is not None}
    labels = await _pairs(session, select(Counter.id, Counter.label).where(Counter.id.in_(counter_ids)))
    items = {
        i.id: i
        for i in await session.scalars(
            select(WorkItem).where(WorkItem.id.in_({t.work_item_id for t in tickets if t.work_item_id}))
        )
    }
    since = await _pairs(
        session,
        select(TicketPeriod.ticket_id, func.max(TicketPeriod.started_at))
        .where(TicketPeriod.ticket_id.in_([t.id for t in tickets]))
        .group_by(TicketPeriod.ticket_id),
    )
    names = await _names(session, {t.staff_id for t in tickets if t.staff_id})
    rows = []
    for t in tickets:
        item = items.get(t.work_item_id) if t.work_item_id else None
        identified = dict((item.context or {}).get("identified_by") or {}) if item else {}
        rows.append(
            TicketRow(
                t.id,
                t.label,
                service_names(services[t.service_id]),
                t.state,
                t.ticketed_at,
                since.get(t.id) or t.ticketed_at,
                t.booked_for,
                t.recalls,
                labels.get(t.counter_id) if t.counter_id else None,
                labels.get(t.target_counter_id) if t.target_counter_id else None,
                str(identified.get("how") or "anonymous"),
                bool(identified.get("verified")),
                t.work_item_id,
                names.get(t.staff_id) if t.staff_id else None,
            )
        )
    return rows


async def counter_page(session: AsyncSession, me: Principal, counter: Counter, settings: Settings) -> CounterPage:
    """One counter: its ticket now, the office's held tickets and line, and what the forms offer."""
    office = await session.get_one(Office, counter.office_id)
    office_row = await _office_row(session, me, office)
    row = next(
        (c for c in office_row.counters if c.id == counter.id), CounterRow(counter.id, counter.label, None, False)
    )
    now = utcnow()
    current = await session.scalar(
        select(Ticket).where(
            Ticket.counter_id == counter.id, Ticket.state.in_((TicketState.called, TicketState.serving))
        )
    )
    held = list(
        await session.scalars(
            select(Ticket)
            .where(Ticket.office_id == office.id, Ticket.state == TicketState.held)
            .order_by(Ticket.ticketed_at)
        )
    )
    line = list(
        await session.scalars(
            select(Ticket)
            .where(Ticket.office_id == office.id, Ticket.state == TicketState.waiting)
            .order_by(Ticket.ticketed_at)
            .limit(LINE_READ)
        )
    )
    line.sort(key=lambda t: (not (t.booked_for is not None and t.booked_for <= now), t.booked_for or t.ticketed_at))
    line = line[:LINE_SHOWN]
    offered = await session.execute(
        select(Service)
        .join(OfficeService, OfficeService.service_id == Service.id)
        .where(OfficeService.office_id == office.id, Service.active.is_(True))
        .order_by(Service.name)
    )
    current_rows = await _rows(session, [current] if current else [])
    return CounterPage(
        office=office_row,
        counter=row,
        current=current_rows[0] if current_rows else None,
        held=await _rows(session, held),
        waiting=await _rows(session, line),
        waiting_count=office_row.waiting,
        wrap_up_codes=await work.wrap_up_codes(session, item_id=current.work_item_id if current else None),
        services=[(s.id, service_names(s)) for s in offered.scalars()],
        counters=[(c.id, c.label) for c in office_row.counters if c.id != counter.id],
        recalls_needed=settings.counter_recalls_before_no_show,
    )
