"""The routing engine: offer work to the best agent, and the agent's answers to it.

One routing pass (`route`) expires unanswered offers, ends finished wrap-ups, then walks the queued work in
order — priority, then SLA risk (earliest due first), then waiting time — and offers each item to the
eligible agent with the best skill match, longest idle first. Eligible means: a member of the item's agency
(and team, if the queue or a transfer names one), speaks its language, has its required skills at the
required level, and has room in the item's capacity class.

Safe with several routing workers on PostgreSQL: a pass locks the agents it will use and the items it will
offer with `FOR UPDATE SKIP LOCKED`, so two passes never share an agent or an item; every other path that
gives an agent work goes through a pass, and answers (accept, decline, complete) change an item only in
the state the caller saw. On SQLite there is one writer at a time, so the same holds trivially.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.routing import events
from townsquare.routing import service as items
from townsquare.routing.models import (
    HELD_STATUSES,
    Agent,
    AgentSkill,
    CapacityClass,
    OfferOutcome,
    Presence,
    Queue,
    Team,
    TeamMember,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
    WrapUpCode,
)
from townsquare.staff.models import StaffAccount, StaffAgency, StaffRole

SUPERVISOR_ROLES = (StaffRole.supervisor, StaffRole.admin)
ESCALATED_PRIORITY = 90


@dataclass(frozen=True)
class RoutingConfig:
    """How long an offer waits for an answer, per capacity class, and how much one pass looks at."""

    offer_seconds: Mapping[str, int] = field(
        default_factory=lambda: {CapacityClass.voice: 20, CapacityClass.chat: 30, CapacityClass.async_: 120}
    )
    batch: int = 200
    max_pages: int = 10  # how far down the queue one pass looks for work the free agents can take
    decline_cooldown_seconds: int = 120  # an agent who declined is not offered the same item again for this long


DEFAULT_CONFIG = RoutingConfig()


@dataclass
class RoutingReport:
    """What one pass did: offers made (item, agent), offers expired, time spent per decision."""

    offered: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    expired: int = 0
    wrap_ups_ended: int = 0
    considered: int = 0
    decision_seconds: list[float] = field(default_factory=list)


# ---------------------------------------------------------------- the decision, in memory


@dataclass
class AgentState:
    """What a pass knows of one available agent."""

    staff_id: uuid.UUID
    capacity: Mapping[str, Any]
    load: dict[str, int]
    languages: frozenset[str]
    skills: Mapping[str, int]
    agencies: frozenset[uuid.UUID]
    teams: frozenset[uuid.UUID]
    supervisor: bool

    def can_take(self, cls: str) -> bool:
        """Room for one more item of this class: a call is exclusive, and no call while chatting."""
        if self.load.get(CapacityClass.voice, 0) > 0:
            return False
        if cls == CapacityClass.voice and self.load.get(CapacityClass.chat, 0) > 0:
            return False
        return self.load.get(cls, 0) < int(self.capacity.get(cls, 0))

    def has_room(self) -> bool:
        return any(self.can_take(c) for c in CapacityClass)


@dataclass(frozen=True)
class ItemState:
    """What a pass knows of one queued item."""

    id: uuid.UUID
    agency_id: uuid.UUID
    capacity_class: str
    language: str
    required_skills: Mapping[str, int]
    preferred_skill: str | None
    team_id: uuid.UUID | None
    target_staff_id: uuid.UUID | None
    supervisors_only: bool
    excluded: frozenset[uuid.UUID]


def eligible(agent: AgentState, item: ItemState) -> bool:
    """May `agent` be offered `item` now?"""
    if item.target_staff_id is not None and agent.staff_id != item.target_staff_id:
        return False
    return (
        agent.staff_id not in item.excluded
        and item.agency_id in agent.agencies
        and item.language in agent.languages
        and (item.team_id is None or item.team_id in agent.teams)
        and (not item.supervisors_only or agent.supervisor)
        and all(agent.skills.get(skill, 0) >= level for skill, level in item.required_skills.items())
        and agent.can_take(item.capacity_class)
    )


def skill_score(agent: AgentState, item: ItemState) -> int:
    """Higher is a better match: the agent's levels in the required skills and the item's service."""
    score = sum(agent.skills.get(skill, 0) for skill in item.required_skills)
    if item.preferred_skill:
        score += agent.skills.get(item.preferred_skill, 0)
    return score


class Matcher:
    """Chooses agents for items, keeping each agent's load and idle order up to date as it goes.

    Agents are kept per (agency, language) in longest-idle-first order; an agent who is offered work moves
    to the back, so work spreads across equally skilled agents.
    """

    def __init__(self, agents: Iterable[AgentState]) -> None:
        self.pools: dict[tuple[uuid.UUID, str], OrderedDict[uuid.UUID, AgentState]] = defaultdict(OrderedDict)
        for agent in agents:  # given longest idle first
            for agency in agent.agencies:
                for language in agent.languages:
                    self.pools[(agency, language)][agent.staff_id] = agent

    def choose(self, item: ItemState) -> AgentState | None:
        """The best eligible agent for `item` (taking the capacity it needs), or None."""
        pool = self.pools.get((item.agency_id, item.language))
        if not pool:
            return None
        best: AgentState | None = None
        best_score = -1
        top = 5 * (len(item.required_skills) + (1 if item.preferred_skill else 0))
        for agent in pool.values():
            if not eligible(agent, item):
                continue
            score = skill_score(agent, item)
            if score > best_score:  # strictly better: among equals the longest idle (earliest) stays
                best, best_score = agent, score
                if score >= top:
                    break
        if best is None:
            return None
        best.load[item.capacity_class] = best.load.get(item.capacity_class, 0) + 1
        for agency in best.agencies:
            for language in best.languages:
                members = self.pools.get((agency, language))
                if members is None or best.staff_id not in members:
                    continue
                if best.has_room():
                    members.move_to_end(best.staff_id)
                else:
                    del members[best.staff_id]
        return best

    def any_room(self) -> bool:
        return any(pool for pool in self.pools.values())


# ---------------------------------------------------------------- one routing pass


async def route(
    session: AsyncSession, *, now: datetime | None = None, config: RoutingConfig = DEFAULT_CONFIG
) -> RoutingReport:
    """One routing pass; does not commit (the caller commits, which releases the locks)."""
    now = now or utcnow()
    report = RoutingReport()
    report.expired = await _expire_offers(session, now)
    report.wrap_ups_ended = await _end_wrap_ups(session, now)
    agents = await _available_agents(session)
    if not agents:
        return report
    matcher = Matcher(agents)
    by_id = {a.staff_id: a for a in agents}
    # Decide on unlocked reads, page by page, so work the first page's agents cannot take never blocks what
    # idle agents could take further down; then lock just the chosen items (SKIP LOCKED) and offer those
    # still queued. An item another pass took meanwhile gives its agent's capacity back.
    chosen: dict[uuid.UUID, tuple[AgentState, str]] = {}
    team_of_queue: dict[uuid.UUID, uuid.UUID] = {}
    for page in range(config.max_pages):
        queued = await _queued_items(session, now, agents, config.batch, offset=page * config.batch)
        report.considered += len(queued)
        team_of_queue.update(await _queue_teams(session, {i.queue_id for i in queued} - team_of_queue.keys()))
        for item in queued:
            started = perf_counter()
            agent = matcher.choose(_state(item, now, team_of_queue, config))
            report.decision_seconds.append(perf_counter() - started)
            if agent is not None:
                chosen[item.id] = (agent, item.capacity_class.value)
            if not matcher.any_room():
                break
        if len(queued) < config.batch or not matcher.any_room():
            break
    locked = await _lock_queued(session, set(chosen))
    chosen_agents: set[uuid.UUID] = set()
    for item_id, (agent, cls) in chosen.items():
        fresh = locked.get(item_id)
        agent.load[cls] -= 1
        if fresh is None or not eligible(agent, _state(fresh, now, team_of_queue, config)):
            continue  # another pass took it, or it changed since it was read: the agent's room is back
        agent.load[cls] += 1
        _offer(session, fresh, agent.staff_id, now, config)
        chosen_agents.add(agent.staff_id)
        report.offered.append((fresh.id, agent.staff_id))
    if chosen_agents:
        rows = (await session.execute(select(Agent).where(Agent.staff_id.in_(chosen_agents)))).scalars()
        for row in rows:
            row.idle_since = now
            if not by_id[row.staff_id].has_room():
                _set_presence(session, row, Presence.busy, now)
    await session.flush()
    return report


def _state(
    item: WorkItem, now: datetime, team_of_queue: Mapping[uuid.UUID, uuid.UUID], config: RoutingConfig
) -> ItemState:
    cutoff = now - timedelta(seconds=config.decline_cooldown_seconds)
    declined = item.context.get("declined", {}) if isinstance(item.context, dict) else {}
    excluded = frozenset(
        uuid.UUID(staff)
        for staff, at in declined.items()
        if isinstance(at, str) and datetime.fromisoformat(at) > cutoff
    )
    team = item.target_team_id or (team_of_queue.get(item.queue_id) if item.queue_id else None)
    service_code = item.context.get("service_code") if isinstance(item.context, dict) else None
    return ItemState(
        id=item.id,
        agency_id=item.agency_id,
        capacity_class=item.capacity_class.value,
        language=item.language,
        required_skills={str(k): int(v) for k, v in (item.required_skills or {}).items()},
        preferred_skill=service_code.lower() if isinstance(service_code, str) else None,
        team_id=team,
        target_staff_id=item.target_staff_id,
        supervisors_only=item.target_role == "supervisor",
        excluded=excluded,
    )


async def _available_agents(session: AsyncSession) -> list[AgentState]:
    stmt = (
        select(Agent, StaffAccount.role)
        .join(StaffAccount, StaffAccount.id == Agent.staff_id)
        .where(Agent.presence == Presence.available, StaffAccount.active.is_(True))
        .order_by(Agent.idle_since)
        .with_for_update(skip_locked=True, of=Agent)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return []
    ids = [agent.staff_id for agent, _ in rows]
    loads: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    load_rows = await session.execute(
        select(WorkItem.assigned_to_id, WorkItem.capacity_class, func.count())
        .where(WorkItem.assigned_to_id.in_(ids), WorkItem.status.in_(HELD_STATUSES))
        .group_by(WorkItem.assigned_to_id, WorkItem.capacity_class)
    )
    for staff_id, cls, count in load_rows:
        if staff_id is not None:
            loads[staff_id][cls.value] = int(count)
    agencies: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for staff_id, agency_id in await session.execute(
        select(StaffAgency.staff_id, StaffAgency.agency_id).where(StaffAgency.staff_id.in_(ids))
    ):
        agencies[staff_id].add(agency_id)
    teams: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for staff_id, team_id in await session.execute(
        select(TeamMember.staff_id, TeamMember.team_id).where(TeamMember.staff_id.in_(ids))
    ):
        teams[staff_id].add(team_id)
    skills: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for staff_id, skill, level in await session.execute(
        select(AgentSkill.staff_id, AgentSkill.skill, AgentSkill.level).where(AgentSkill.staff_id.in_(ids))
    ):
        skills[staff_id][skill] = level
    states = [
        AgentState(
            staff_id=agent.staff_id,
            capacity=dict(agent.capacity or {}),
            load=loads[agent.staff_id],
            languages=frozenset(agent.languages or ()),
            skills=skills[agent.staff_id],
            agencies=frozenset(agencies[agent.staff_id]),
            teams=frozenset(teams[agent.staff_id]),
            supervisor=role in SUPERVISOR_ROLES,
        )
        for agent, role in rows
    ]
    return [s for s in states if s.has_room() and s.agencies]


async def _queued_items(
    session: AsyncSession, now: datetime, agents: list[AgentState], limit: int, *, offset: int = 0
) -> list[WorkItem]:
    """A page of queued work the available agents might take, in routing order (read without locks)."""
    agencies = {a for agent in agents for a in agent.agencies}
    languages = {lang for agent in agents for lang in agent.languages}
    classes = {c.value for agent in agents for c in CapacityClass if agent.can_take(c)}
    stmt = (
        select(WorkItem)
        .where(
            WorkItem.status == WorkItemStatus.queued,
            or_(WorkItem.not_before.is_(None), WorkItem.not_before <= now),
            WorkItem.agency_id.in_(agencies),
            WorkItem.language.in_(languages),
            WorkItem.capacity_class.in_(classes),
        )
        .order_by(*items.routing_order(), WorkItem.id)
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars())


async def _lock_queued(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, WorkItem]:
    """Lock these items if no other pass holds them and they are still queued (fresh from the database)."""
    if not ids:
        return {}
    stmt = (
        select(WorkItem)
        .where(WorkItem.id.in_(ids), WorkItem.status == WorkItemStatus.queued)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return {item.id: item for item in (await session.execute(stmt)).scalars()}


async def _queue_teams(session: AsyncSession, queue_ids: set[uuid.UUID | None]) -> dict[uuid.UUID, uuid.UUID]:
    ids = {q for q in queue_ids if q is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Queue.id, Queue.team_id).where(Queue.id.in_(ids), Queue.team_id.is_not(None)))
    return {queue_id: team_id for queue_id, team_id in rows if team_id is not None}


def _offer(session: AsyncSession, item: WorkItem, staff_id: uuid.UUID, now: datetime, config: RoutingConfig) -> None:
    item.status = WorkItemStatus.offered
    item.assigned_to_id = staff_id
    item.offer_expires_at = now + timedelta(seconds=config.offer_seconds.get(item.capacity_class.value, 60))
    session.add(
        WorkOffer(
            work_item_id=item.id,
            staff_id=staff_id,
            capacity_class=item.capacity_class,
            offered_at=now,
            expires_at=item.offer_expires_at,
        )
    )
    events.item_changed(session, item)


def _set_presence(session: AsyncSession, agent: Agent, presence: Presence, now: datetime) -> None:
    if agent.presence is not presence:
        agent.presence = presence
        agent.presence_since = now
        events.agent_changed(session, agent)


async def _expire_offers(session: AsyncSession, now: datetime) -> int:
    stmt = (
        select(WorkItem)
        .where(WorkItem.status == WorkItemStatus.offered, WorkItem.offer_expires_at <= now)
        .with_for_update(skip_locked=True)
    )
    expired = list((await session.execute(stmt)).scalars())
    for item in expired:
        staff_id = item.assigned_to_id
        await _close_offer(session, item, outcome=OfferOutcome.timed_out, now=now, released_how="timed_out")
        _requeue(item, now, declined_by=staff_id)
        events.item_changed(session, item, reason="offer_timed_out")
        if staff_id is not None:
            agent = await _lock_agent(session, staff_id)
            if agent is not None and agent.presence in (Presence.available, Presence.busy):
                # A missed offer means the agent is not at their desk: stop offering until they come back.
                _set_presence(session, agent, Presence.away, now)
    return len(expired)


async def _end_wrap_ups(session: AsyncSession, now: datetime) -> int:
    stmt = select(Agent).where(Agent.presence == Presence.wrap_up).with_for_update(skip_locked=True)
    ended = 0
    for agent in (await session.execute(stmt)).scalars():
        if agent.presence_since + timedelta(seconds=agent.wrap_up_seconds) <= now:
            _set_presence(session, agent, Presence.available, now)
            ended += 1
    return ended


# ---------------------------------------------------------------- the agent's answers


async def get_item(session: AsyncSession, *, item_id: uuid.UUID) -> WorkItem:
    """The work item, or a 404 problem."""
    item = await session.get(WorkItem, item_id)
    if item is None:
        raise not_found("Work item", "No work item has that id.")
    return item


async def _lock_item(session: AsyncSession, item_id: uuid.UUID) -> WorkItem:
    item = await session.get(WorkItem, item_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise not_found("Work item", "No work item has that id.")
    return item


async def _lock_agent(session: AsyncSession, staff_id: uuid.UUID) -> Agent | None:
    return await session.get(Agent, staff_id, with_for_update=True, populate_existing=True)


async def _open_offer(session: AsyncSession, item: WorkItem) -> WorkOffer | None:
    stmt = (
        select(WorkOffer)
        .where(WorkOffer.work_item_id == item.id, WorkOffer.released_at.is_(None))
        .order_by(WorkOffer.offered_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _close_offer(
    session: AsyncSession, item: WorkItem, *, outcome: OfferOutcome | None, now: datetime, released_how: str
) -> None:
    offer = await _open_offer(session, item)
    if offer is None:
        return
    if outcome is not None and offer.outcome is OfferOutcome.pending:
        offer.outcome = outcome
        offer.responded_at = now
    offer.released_at = now
    offer.released_how = released_how


def _requeue(item: WorkItem, now: datetime, *, declined_by: uuid.UUID | None = None) -> None:
    item.status = WorkItemStatus.queued
    item.assigned_to_id = None
    item.offer_expires_at = None
    if declined_by is not None:
        declined = dict(item.context.get("declined", {}))
        declined[str(declined_by)] = now.isoformat()
        item.context = {**item.context, "declined": declined}


def _not_yours(item: WorkItem, staff_id: uuid.UUID, *states: WorkItemStatus) -> bool:
    return item.assigned_to_id != staff_id or item.status not in states


async def _after_release(session: AsyncSession, staff_id: uuid.UUID, now: datetime, *, wrap_up: bool) -> None:
    """The agent let an item go: back to available, idle from now; after their last call or chat, into timed
    wrap-up first (not while other live conversations still need them)."""
    agent = await _lock_agent(session, staff_id)
    if agent is None:
        return
    agent.idle_since = now
    if wrap_up and agent.wrap_up_seconds > 0:
        live = select(func.count()).where(
            WorkItem.assigned_to_id == staff_id,
            WorkItem.status.in_(HELD_STATUSES),
            WorkItem.capacity_class.in_((CapacityClass.voice, CapacityClass.chat)),
        )
        wrap_up = not (await session.execute(live)).scalar_one()
    if wrap_up and agent.wrap_up_seconds > 0 and agent.presence in (Presence.available, Presence.busy):
        _set_presence(session, agent, Presence.wrap_up, now)
    elif agent.presence is Presence.busy:
        _set_presence(session, agent, Presence.available, now)


async def _back_to_queue(
    session: AsyncSession, item: WorkItem, staff_id: uuid.UUID, now: datetime, *, how: str, outcome: OfferOutcome
) -> WorkItem:
    """The agent lets the work go back to the queue (declined, transferred, escalated); they are free again."""
    await _close_offer(session, item, outcome=outcome, now=now, released_how=how)
    _requeue(item, now, declined_by=staff_id if outcome is OfferOutcome.declined else None)
    await _after_release(session, staff_id, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason=how, staff_id=str(staff_id))
    return item


async def accept(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime | None = None
) -> WorkItem:
    """The agent takes the work offered to them."""
    now = now or utcnow()
    item = await _lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.offered):
        raise conflict("This offer is no longer yours: it timed out, or someone else has the work now.")
    if item.offer_expires_at is not None and item.offer_expires_at < now:
        raise conflict("This offer timed out; the work goes back to the queue.")
    item.status = WorkItemStatus.assigned
    item.offer_expires_at = None
    if item.first_answered_at is None and item.capacity_class is not CapacityClass.async_:
        item.first_answered_at = now  # a call or chat is answered when a person picks it up
    offer = await _open_offer(session, item)
    if offer is not None:
        offer.outcome = OfferOutcome.accepted
        offer.responded_at = now
    await session.flush()
    events.item_changed(session, item)
    return item


async def decline(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, now: datetime | None = None
) -> WorkItem:
    """The agent passes on an offer; it goes back to the queue, to someone else for a while."""
    now = now or utcnow()
    item = await _lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.offered):
        raise conflict("This offer is no longer yours to decline.")
    return await _back_to_queue(session, item, staff_id, now, how="declined", outcome=OfferOutcome.declined)


async def wrap_up_codes(session: AsyncSession, *, agency_id: uuid.UUID) -> list[WrapUpCode]:
    """The agency's active wrap-up codes, by label."""
    stmt = (
        select(WrapUpCode)
        .where(WrapUpCode.agency_id == agency_id, WrapUpCode.active.is_(True))
        .order_by(WrapUpCode.label)
    )
    return list((await session.execute(stmt)).scalars())


async def complete(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    staff_id: uuid.UUID,
    wrap_up_code: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """The agent is done with the work: record how it ended; a call or chat leaves them in wrap-up a while."""
    now = now or utcnow()
    item = await _lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned):
        raise conflict("Only the person handling this work can complete it.")
    codes = {c.code for c in await wrap_up_codes(session, agency_id=item.agency_id)}
    if codes and wrap_up_code not in codes:
        raise invalid(
            "Choose how the contact ended from the agency's wrap-up codes.",
            FieldError("wrap_up_code", "missing" if not wrap_up_code else f"'{wrap_up_code}' is not a wrap-up code"),
        )
    item.status = WorkItemStatus.done
    item.wrap_up_code = wrap_up_code
    item.outcome = (outcome or "").strip()[:2000] or None
    item.closed_at = now
    item.offer_expires_at = None
    if item.first_answered_at is None:
        item.first_answered_at = now
    await _close_offer(session, item, outcome=None, now=now, released_how="completed")
    await _after_release(session, staff_id, now, wrap_up=item.capacity_class is not CapacityClass.async_)
    await session.flush()
    events.item_changed(session, item, reason="completed", staff_id=str(staff_id))
    return item


async def transfer(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    staff_id: uuid.UUID,
    to_staff_id: uuid.UUID | None = None,
    to_team_id: uuid.UUID | None = None,
    to_agency_id: uuid.UUID | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Hand the work to one agent, a team or another agency; everything gathered so far goes with it."""
    now = now or utcnow()
    if sum(x is not None for x in (to_staff_id, to_team_id, to_agency_id)) != 1:
        raise invalid("Transfer to one agent, one team or one agency.", FieldError("to", "choose exactly one"))
    item = await _lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned, WorkItemStatus.offered):
        raise conflict("Only the person handling this work can transfer it.")
    record: dict[str, Any] = {"at": now.isoformat(), "from_staff_id": str(staff_id), "note": (note or "")[:1000]}
    item.target_staff_id = item.target_team_id = None
    item.target_role = None
    if to_staff_id is not None:
        member = await session.get(StaffAgency, (to_staff_id, item.agency_id))
        if member is None or await session.get(Agent, to_staff_id) is None:
            raise invalid("That person is not an agent of this agency.", FieldError("to", "not an agent here"))
        item.target_staff_id = to_staff_id
        record["to_staff_id"] = str(to_staff_id)
    elif to_team_id is not None:
        team = await session.get(Team, to_team_id)
        if team is None:
            raise invalid("No team has that id.", FieldError("to", "unknown team"))
        await _move_agency(session, item, team.agency_id)
        item.target_team_id = team.id
        record["to_team_id"] = str(team.id)
    elif to_agency_id is not None:
        await _move_agency(session, item, to_agency_id)
        record["to_agency_id"] = str(to_agency_id)
    item.context = {**item.context, "transfers": [*item.context.get("transfers", []), record]}
    return await _back_to_queue(session, item, staff_id, now, how="transferred", outcome=OfferOutcome.accepted)


async def _move_agency(session: AsyncSession, item: WorkItem, agency_id: uuid.UUID) -> None:
    if agency_id == item.agency_id:
        return
    service_code = item.context.get("service_code")
    queue = await items.choose_queue(
        session,
        agency_id=agency_id,
        channel=item.channel,
        service_code=service_code if isinstance(service_code, str) else None,
    )
    item.agency_id = agency_id
    item.queue_id = queue.id if queue else None
    item.required_skills = dict(queue.required_skills) if queue else {}


async def escalate(
    session: AsyncSession, *, item_id: uuid.UUID, staff_id: uuid.UUID, reason: str, now: datetime | None = None
) -> WorkItem:
    """Send the work to a supervisor, ahead of ordinary work, with the reason."""
    now = now or utcnow()
    reason = reason.strip()
    if not reason:
        raise invalid("Say why this needs a supervisor.", FieldError("reason", "empty"))
    item = await _lock_item(session, item_id)
    if _not_yours(item, staff_id, WorkItemStatus.assigned, WorkItemStatus.offered):
        raise conflict("Only the person handling this work can escalate it.")
    item.target_role = "supervisor"
    item.target_staff_id = None
    item.priority = max(item.priority, ESCALATED_PRIORITY)
    item.escalated_at = now
    record = {"at": now.isoformat(), "by_staff_id": str(staff_id), "reason": reason[:1000]}
    item.context = {**item.context, "escalations": [*item.context.get("escalations", []), record]}
    return await _back_to_queue(session, item, staff_id, now, how="escalated", outcome=OfferOutcome.accepted)


async def schedule_callback(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    citizen_id: uuid.UUID,
    phone: str,
    at: datetime,
    case_id: uuid.UUID | None = None,
    note: str | None = None,
    staff_id: uuid.UUID | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> WorkItem:
    """A call-back to `phone` at `at`: held out of the queue until then, then routed like a call."""
    now = now or utcnow()
    if at < now - timedelta(minutes=1):
        raise invalid("A call-back must be scheduled for a time still to come.", FieldError("at", "in the past"))
    item = await items.create(
        session,
        channel="voice",
        kind="callback",
        agency_id=agency_id,
        received_at=now,
        citizen_id=citizen_id,
        case_id=case_id,
        language=language,
        not_before=at,
        context={
            "callback_number": phone,
            "scheduled_for": at.isoformat(),
            "note": (note or "")[:1000],
            "scheduled_by": str(staff_id) if staff_id else None,
        },
    )
    events.item_changed(session, item)
    return item


async def withdraw(session: AsyncSession, *, item_id: uuid.UUID, now: datetime | None = None) -> WorkItem | None:
    """The contact went away before anyone answered (the caller hung up): cancel the work, free the agent."""
    now = now or utcnow()
    item = await _lock_item(session, item_id)
    if item.status not in (WorkItemStatus.queued, WorkItemStatus.offered):
        return None
    holder = item.assigned_to_id
    await _close_offer(session, item, outcome=OfferOutcome.withdrawn, now=now, released_how="withdrawn")
    item.status = WorkItemStatus.cancelled
    item.assigned_to_id = None
    item.offer_expires_at = None
    item.closed_at = now
    if holder is not None:
        await _after_release(session, holder, now, wrap_up=False)
    await session.flush()
    events.item_changed(session, item, reason="withdrawn")
    return item


async def teams_for(session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> list[Team]:
    """Teams of these agencies (all when None), by name."""
    stmt = select(Team).order_by(Team.name)
    if agency_ids is not None:
        stmt = stmt.where(Team.agency_id.in_(agency_ids))
    return list((await session.execute(stmt)).scalars())
