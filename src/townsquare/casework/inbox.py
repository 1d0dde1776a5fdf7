"""The agent's inbox as a read model: their routing profile, the offers waiting for an answer, the work in their
hands, a citizen search and the newest cases of their agencies; and the inbox's actions (presence, accept,
decline).

Acts only on the signed-in staff member's own offers and presence. `read_inbox` and `read_held` commit (the
agent profile made on a first visit, the access log of the records shown) before anything is shown; the actions
never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.casework import finding
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.engagement import connecting
from townsquare.engagement.access import Seen, audit_reads, case_seen
from townsquare.errors import FieldError, invalid
from townsquare.routing import agents, engine
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus
from townsquare.staff.auth import Principal

SEARCH_LIMIT = 25
RECENT_CASES = 15


@dataclass(frozen=True)
class ItemView:
    """One held work item as the inbox shows it."""

    id: uuid.UUID
    channel: str
    kind: str
    who: str | None
    service: str | None
    waiting_seconds: int
    expires_at: datetime | None
    expires_in_seconds: int | None
    status: WorkItemStatus


@dataclass
class HeldView:
    """The agent's profile, the offers waiting for them and the work they accepted."""

    agent: Agent
    offers: list[ItemView]
    mine: list[ItemView]


@dataclass
class InboxView(HeldView):
    """The whole inbox page."""

    q: str = ""
    found: list[Citizen] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    total_cases: int = 0
    more_cases: bool = False  # more than total_cases (a count stops at keyset.COUNT_CAP)


def _view(
    item: WorkItem, names: dict[uuid.UUID, str | None], services: dict[uuid.UUID, str], now: datetime
) -> ItemView:
    expires = item.offer_expires_at
    return ItemView(
        id=item.id,
        channel=item.channel,
        kind=item.kind,
        who=names.get(item.citizen_id) if item.citizen_id else None,
        service=services.get(item.service_id) if item.service_id else None,
        waiting_seconds=int((now - item.created_at).total_seconds()),
        expires_at=expires,
        expires_in_seconds=max(0, int((expires - now).total_seconds())) if expires else None,
        status=item.status,
    )


async def _held(session: AsyncSession, me: Principal) -> tuple[list[ItemView], list[ItemView]]:
    """The offers waiting for this agent and the work they accepted, in three queries."""
    items = await agents.held_items(session, staff_id=me.id)
    citizen_ids = {i.citizen_id for i in items if i.citizen_id}
    service_ids = {i.service_id for i in items if i.service_id}
    names: dict[uuid.UUID, str | None] = {}
    if citizen_ids:
        rows = await session.execute(select(Citizen.id, Citizen.display_name).where(Citizen.id.in_(citizen_ids)))
        names = {row[0]: row[1] for row in rows}
    services: dict[uuid.UUID, str] = {}
    if service_ids:
        found = await session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
        services = {row[0]: row[1] for row in found}
    now = utcnow()
    views = [_view(i, names, services, now) for i in items]
    offers = [v for v in views if v.status is WorkItemStatus.offered]
    mine = [v for v in views if v.status is WorkItemStatus.assigned]
    return offers, mine


async def read_held(session: AsyncSession, *, me: Principal) -> HeldView:
    """The offers and "My work" of this staff member; their routing profile is made (offline, default capacity)
    and committed on their first visit."""
    agent = await agents.get_agent(session, staff_id=me.id)
    if agent is None:
        agent = await agents.ensure_agent(session, staff_id=me.id)
        await session.commit()
    offers, mine = await _held(session, me)
    return HeldView(agent=agent, offers=offers, mine=mine)


async def read_inbox(
    session: AsyncSession, *, me: Principal, request: Request, query: str, region: str, reference_prefix: str
) -> InboxView:
    """The inbox page: the held work, citizens matching `query` and the newest cases of the agent's agencies,
    every person shown written to the access log and committed first."""
    query = query.strip()[:320]
    found = (
        await finding.find_citizens(
            session,
            query=query,
            region=region,
            reference_prefix=reference_prefix,
            agency_ids=me.visible(),
            limit=SEARCH_LIMIT,
        )
        if query
        else []
    )
    recent = await cases.list_cases(session, agency_ids=me.visible(), limit=RECENT_CASES)
    await audit_reads(session, me, request, "case.list", [case_seen(c) for c in recent.items])
    if query:
        seen = [Seen("citizen", str(c.id), c.id) for c in found]
        await audit_reads(session, me, request, "citizen.search", seen)
    held = await read_held(session, me=me)
    return InboxView(
        agent=held.agent,
        offers=held.offers,
        mine=held.mine,
        q=query,
        found=list(found),
        cases=recent.items,
        total_cases=recent.total,
        more_cases=recent.capped,
    )


async def set_presence(session: AsyncSession, *, me: Principal, presence: str) -> None:
    """The agent chooses available, away or offline (`presence` as the form sent it)."""
    try:
        chosen = Presence(presence)
    except ValueError:
        raise invalid(
            "Choose one of available, away or offline.", FieldError("presence", "not a status you can choose")
        ) from None
    await agents.set_presence(session, staff_id=me.id, presence=chosen)


async def accept(
    session: AsyncSession, *, me: Principal, item_id: uuid.UUID, connect_calls: bool = True, record_calls: bool = False
) -> uuid.UUID:
    """Take the offered work; its id. A call's own caller is put through to this agent (`engagement.connecting`),
    recorded after a notice when `record_calls`; not when calls are transferred to a number instead
    (`connect_calls` False: the caller is on that line, not waiting in a queue)."""
    item = await engine.accept(session, item_id=item_id, staff_id=me.id)
    if connect_calls:
        await connecting.connect(session, item=item, staff_id=me.id, record=record_calls)
    return item.id


async def decline(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> None:
    """Pass on the offer; it goes back to the queue."""
    await engine.decline(session, item_id=item_id, staff_id=me.id)


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused action before the page is shown again."""
    await session.rollback()
