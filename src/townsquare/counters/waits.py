"""The estimated wait: what a ticket's line still has to be served before it, spread over the counters serving it.

The method (also in docs/channels/counter.md): the counters of one agency serve one line at an office — the
waiting tickets whose service is that agency's, in line order (`order.in_line`). A ticket's estimate is the work
ahead of it — for each ticket ahead, its service's recent mean service time — divided by the counters serving the
line now (staffed by someone of the agency; at least one). A service's recent mean service time at an office is the
mean time at the counter (holds excluded) of its last `SAMPLE` tickets finished there within `WINDOW`; with fewer
than `MIN_MEASURED` of them, the duration configured for the service at the office. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import CounterStaffing, Ticket
from townsquare.counters.order import InLine, in_line
from townsquare.offices.models import Counter, OfficeService
from townsquare.staff.models import StaffAgency

SAMPLE = 20
WINDOW = timedelta(days=30)
MIN_MEASURED = 3
UNCONFIGURED_MINUTES = 15  # a ticket whose service the office no longer offers


def estimate(work_ahead: Iterable[float], counters: int) -> int:
    """Seconds: the work ahead (seconds of service, one per ticket ahead) shared by the counters serving."""
    return round(sum(work_ahead) / max(1, counters))


@dataclass(frozen=True)
class Office:
    """What estimating reads of an office at one moment: its line, its services' mean times and agencies, and how
    many counters of each agency are staffed."""

    line: list[tuple[InLine, uuid.UUID]]  # waiting tickets in line order, each with its service
    mean_seconds: Mapping[uuid.UUID, float]  # by service
    agency_of: Mapping[uuid.UUID, uuid.UUID]  # service → agency
    serving: Mapping[uuid.UUID, int]  # agency → staffed counters

    def waiting(self, service_id: uuid.UUID | None = None) -> int:
        """How many wait in the line of `service_id`'s agency (everyone, when None)."""
        return len(self._line_of(service_id))

    def _line_of(self, service_id: uuid.UUID | None) -> list[tuple[InLine, uuid.UUID]]:
        if service_id is None:
            return self.line
        agency = self.agency_of.get(service_id)
        return [(t, s) for t, s in self.line if self.agency_of.get(s) == agency]

    def for_new(self, service_id: uuid.UUID) -> int:
        """Seconds a ticket for `service_id` taken now would wait: behind everyone in its line."""
        line = self._line_of(service_id)
        counters = self.serving.get(self.agency_of.get(service_id, uuid.UUID(int=0)), 0)
        return estimate((self.mean_seconds.get(s, 0.0) for _, s in line), counters)

    def ahead_of(self, ticket_id: uuid.UUID, service_id: uuid.UUID) -> tuple[int, int]:
        """How many are ahead of this waiting ticket in its line, and its estimate in seconds."""
        line = self._line_of(service_id)
        ids = [t.ticket_id for t, _ in line]
        ahead = line[: ids.index(ticket_id)] if ticket_id in ids else line
        counters = self.serving.get(self.agency_of.get(service_id, uuid.UUID(int=0)), 0)
        return len(ahead), estimate((self.mean_seconds.get(s, 0.0) for _, s in ahead), counters)


async def mean_service_seconds(
    session: AsyncSession, *, office_id: uuid.UUID, configured: Mapping[uuid.UUID, int], now: datetime
) -> dict[uuid.UUID, float]:
    """Each service's recent mean service time at the office (seconds), else its configured duration."""
    means: dict[uuid.UUID, float] = {}
    for service_id, minutes in configured.items():
        stmt = (
            select(Ticket.service_seconds)
            .where(
                Ticket.office_id == office_id,
                Ticket.service_id == service_id,
                Ticket.finished_at >= now - WINDOW,
                Ticket.state == TicketState.finished,
                Ticket.service_seconds.is_not(None),
            )
            .order_by(Ticket.finished_at.desc())
            .limit(SAMPLE)
        )
        measured = [int(s) for s in (await session.scalars(stmt)) if s is not None]
        means[service_id] = sum(measured) / len(measured) if len(measured) >= MIN_MEASURED else minutes * 60.0
    return means


async def counters_serving(session: AsyncSession, *, office_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Staffed counters of the office, counted for each agency their person works for."""
    rows = await session.execute(
        select(StaffAgency.agency_id, func.count())
        .select_from(CounterStaffing)
        .join(Counter, Counter.id == CounterStaffing.counter_id)
        .join(StaffAgency, StaffAgency.staff_id == CounterStaffing.staff_id)
        .where(Counter.office_id == office_id, Counter.active.is_(True))
        .group_by(StaffAgency.agency_id)
    )
    return {agency_id: int(n) for agency_id, n in rows}


async def read_office(session: AsyncSession, *, office_id: uuid.UUID, now: datetime) -> Office:
    """The office as estimating sees it now (a fixed number of queries, one more per service offered)."""
    offered = (
        await session.execute(
            select(OfficeService.service_id, OfficeService.duration_minutes, Service.agency_id)
            .join(Service, Service.id == OfficeService.service_id)
            .where(OfficeService.office_id == office_id)
        )
    ).all()
    configured = {service_id: minutes for service_id, minutes, _ in offered}
    agency_of = {service_id: agency_id for service_id, _, agency_id in offered}
    waiting = (
        await session.execute(
            select(Ticket.id, Ticket.service_id, Ticket.ticketed_at, Ticket.booked_for).where(
                Ticket.office_id == office_id, Ticket.state == TicketState.waiting
            )
        )
    ).all()
    service_of = {tid: sid for tid, sid, _, _ in waiting}
    tickets = in_line((InLine(tid, at, booked) for tid, _, at, booked in waiting), now)
    missing = set(service_of.values()) - configured.keys()  # a service no longer offered still has its line
    if missing:
        found = await session.execute(select(Service.id, Service.agency_id).where(Service.id.in_(missing)))
        for sid, agency_id in found:
            configured[sid], agency_of[sid] = UNCONFIGURED_MINUTES, agency_id
    return Office(
        line=[(t, service_of[t.ticket_id]) for t in tickets],
        mean_seconds=await mean_service_seconds(session, office_id=office_id, configured=configured, now=now),
        agency_of=agency_of,
        serving=await counters_serving(session, office_id=office_id),
    )
