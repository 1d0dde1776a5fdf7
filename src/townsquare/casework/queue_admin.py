"""Supervisors and the work that waits: the queued and offered work of their agencies in routing order, and one
piece of it given to themselves, to a named agent (offered, or handed to them directly) or to a team.

The agent's capacity, languages and skills hold (`routing.assigning`); each giving is one audit row
(`work_item.reassign`). Reads write every person shown to the access log and commit before anything is shown; the
actions never commit (the route does, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.casework.desk import staff_names
from townsquare.citizens import service as citizens
from townsquare.clock import utcnow
from townsquare.db import keyset
from townsquare.engagement.access import Seen, audit_reads
from townsquare.errors import FieldError, invalid, not_found
from townsquare.routing import agents, assigning, teams
from townsquare.routing import service as items
from townsquare.routing.dispatch import item_state
from townsquare.routing.matching import unfit
from townsquare.routing.models import Presence, Queue, WorkItem
from townsquare.routing.teams import TeamRef
from townsquare.staff.auth import Principal

SHOWN = 100
REASSIGNED = "work_item.reassign"
HOW = ("offer", "direct")


@dataclass(frozen=True)
class Waiting:
    """One piece of waiting work as the queue page shows it (never what the person said)."""

    id: uuid.UUID
    agency_id: uuid.UUID
    channel: str
    kind: str
    status: str
    capacity_class: str  # voice, chat or async: whose room it takes
    who: str | None
    service: str | None
    queue: str | None
    team: str | None
    language: str
    priority: int
    waiting_seconds: int
    due_at: datetime | None
    held_until: datetime | None  # a call-back not to be made before then
    offered_to: str | None
    escalated: bool


@dataclass
class QueueView:
    """The waiting work of the supervisor's agencies (the first `SHOWN` in routing order), and the queues to filter
    it by."""

    items: list[Waiting]
    total: int
    capped: bool
    queues: list[tuple[uuid.UUID, str]]
    queue_id: uuid.UUID | None
    channel: str


@dataclass(frozen=True)
class Candidate:
    """An agent of the work's agency: their presence, what they hold of each class and their room, and why they
    could not take this work now (empty when they could)."""

    staff_id: uuid.UUID
    name: str
    presence: Presence
    load: dict[str, int]
    capacity: dict[str, int]
    reasons: list[str]


@dataclass
class WaitingView:
    """One piece of work and whom it may go to while it waits: the agents of its agency and its teams (none once
    someone is handling it or it is finished)."""

    item: Waiting
    waiting: bool
    candidates: list[Candidate]
    teams: list[TeamRef]


def _filtered(me: Principal, queue_id: uuid.UUID | None, channel: str) -> Select[WorkItem]:
    stmt = select(WorkItem).where(WorkItem.status.in_(assigning.WAITING))
    scope = me.visible()
    if scope is not None:
        stmt = stmt.where(WorkItem.agency_id.in_(scope))
    if queue_id is not None:
        stmt = stmt.where(WorkItem.queue_id == queue_id)
    if channel:
        stmt = stmt.where(WorkItem.channel == channel[:16])
    return stmt


async def _views(session: AsyncSession, found: list[WorkItem]) -> list[Waiting]:
    """The rows in words: people, services, queues, teams and who it is offered to, one query each."""
    people = await citizens.display_names(session, ids={i.citizen_id for i in found if i.citizen_id})
    service_ids = {i.service_id for i in found if i.service_id}
    services = dict((await session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))).all())
    queue_ids = {i.queue_id for i in found if i.queue_id}
    queues = dict((await session.execute(select(Queue.id, Queue.name).where(Queue.id.in_(queue_ids)))).all())
    team_names = await teams.names(session, ids={i.target_team_id for i in found if i.target_team_id})
    holders = await staff_names(session, ids={i.assigned_to_id for i in found if i.assigned_to_id})
    now = utcnow()
    return [
        Waiting(
            id=i.id,
            agency_id=i.agency_id,
            channel=i.channel,
            kind=i.kind,
            status=i.status.value,
            capacity_class=i.capacity_class.value,
            who=people.get(i.citizen_id) if i.citizen_id else None,
            service=services.get(i.service_id) if i.service_id else None,
            queue=queues.get(i.queue_id) if i.queue_id else None,
            team=team_names.get(i.target_team_id) if i.target_team_id else None,
            language=i.language,
            priority=i.priority,
            waiting_seconds=max(0, int((now - i.created_at).total_seconds())),
            due_at=i.sla_due_at,
            held_until=i.not_before if i.not_before and i.not_before > now else None,
            offered_to=holders.get(i.assigned_to_id) if i.assigned_to_id else None,
            escalated=i.escalated_at is not None,
        )
        for i in found
    ]


async def _seen(session: AsyncSession, me: Principal, request: Request, found: list[WorkItem], action: str) -> None:
    seen = [Seen("work_item", str(i.id), i.citizen_id, i.agency_id) for i in found if i.citizen_id]
    await audit_reads(session, me, request, action, seen)


async def read_queue(
    session: AsyncSession, *, me: Principal, request: Request, queue_id: uuid.UUID | None, channel: str
) -> QueueView:
    """The waiting work (first `SHOWN` in routing order), every person shown written to the access log first."""
    stmt = _filtered(me, queue_id, channel)
    found = list((await session.execute(stmt.order_by(*items.routing_order(), WorkItem.id).limit(SHOWN))).scalars())
    total, capped = await keyset.count_up_to(session, stmt)
    scope = me.visible()
    queue_stmt = select(Queue.id, Queue.name).order_by(Queue.name)
    if scope is not None:
        queue_stmt = queue_stmt.where(Queue.agency_id.in_(scope))
    queue_rows = [(row[0], row[1]) for row in await session.execute(queue_stmt)]
    views = await _views(session, found)
    await _seen(session, me, request, found, "work_item.list")
    return QueueView(views, total, capped, queue_rows, queue_id, channel)


async def waiting_in_scope(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> WorkItem:
    """The work if it waits in one of the supervisor's agencies; anything else answers as one that does not."""
    item = await session.get(WorkItem, item_id)
    if item is None or not me.may_see(item.agency_id):
        raise not_found("Work item", "No waiting work has that id; someone may have taken it.")
    return item


async def read_waiting(session: AsyncSession, *, me: Principal, request: Request, item_id: uuid.UUID) -> WaitingView:
    """One piece of work with the agents and teams it may go to while it waits, its person written to the access
    log."""
    item = await waiting_in_scope(session, me=me, item_id=item_id)
    (view,) = await _views(session, [item])
    waiting = item.status in assigning.WAITING
    wanted = item_state(item)
    found = [
        Candidate(staff_id, name, presence, dict(state.load), dict(state.capacity), unfit(state, wanted))
        for staff_id, name, presence, state in (await assigning.candidates(session, item=item) if waiting else [])
    ]
    their_teams = await teams.of_agencies(session, agency_ids={item.agency_id}) if waiting else []
    await _seen(session, me, request, [item], "work_item.read")
    return WaitingView(view, waiting, found, their_teams)


def _audit(me: Principal, session: AsyncSession, item: WorkItem, how: str, **to: uuid.UUID | None) -> None:
    me.audit(
        session,
        action=REASSIGNED,
        subject_kind="work_item",
        subject_id=str(item.id),
        citizen_id=item.citizen_id,
        agency_id=item.agency_id,
        detail={"how": how} | {k: str(v) for k, v in to.items() if v is not None},
    )


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise invalid("Choose from the list.", FieldError(field, "choose")) from None


async def take(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> WorkItem:
    """The supervisor takes the work for themselves: theirs at once (their routing profile is made if need be)."""
    await waiting_in_scope(session, me=me, item_id=item_id)
    await agents.ensure_agent(session, staff_id=me.id)
    item = await assigning.give(session, item_id=item_id, to_staff_id=me.id, by_staff_id=me.id, direct=True)
    _audit(me, session, item, "take", to_staff=me.id)
    return item


async def give(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, staff_id: str, how: str) -> WorkItem:
    """Offer the work to an agent (`how="offer"`) or hand it to them (`"direct"`)."""
    await waiting_in_scope(session, me=me, item_id=item_id)
    if how not in HOW:
        raise invalid("Choose to offer it or to hand it over.", FieldError("how", "choose"))
    to = _uuid(staff_id, "staff_id")
    item = await assigning.give(session, item_id=item_id, to_staff_id=to, by_staff_id=me.id, direct=how == "direct")
    _audit(me, session, item, how, to_staff=to)
    return item


async def give_team(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, team_id: str) -> WorkItem:
    """Put the work back in the queue for one team of its agency."""
    await waiting_in_scope(session, me=me, item_id=item_id)
    team = _uuid(team_id, "team_id")
    item = await assigning.give_to_team(session, item_id=item_id, team_id=team, by_staff_id=me.id)
    _audit(me, session, item, "team", to_team=team)
    return item
