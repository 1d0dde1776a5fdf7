"""One routing pass: expire unanswered offers, end finished wrap-ups, then offer queued work to the best agents.

The pass walks the queued work in order — priority, then SLA risk (earliest due first), then waiting time — and
offers each item to the eligible agent with the best skill match, longest idle first (`routing.matching`).
Safe with several routing workers on PostgreSQL: it locks the agents it will use and the items it will offer
with `FOR UPDATE SKIP LOCKED`, so two passes never share an agent or an item. It never commits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import perf_counter

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.clock import utcnow
from townsquare.routing import events, offers
from townsquare.routing import service as items
from townsquare.routing.matching import AgentState, ItemState, Matcher, eligible
from townsquare.routing.models import (
    HELD_STATUSES,
    PULLED_CHANNELS,
    Agent,
    AgentSkill,
    CapacityClass,
    OfferOutcome,
    Presence,
    Queue,
    TeamMember,
    WorkItem,
    WorkItemStatus,
    WorkOffer,
)
from townsquare.staff.models import SUPERVISING, StaffAccount, StaffAgency, StaffRole

SUPERVISOR_ROLES = SUPERVISING


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
    facts = _Facts(cutoff=now - timedelta(seconds=config.decline_cooldown_seconds))
    for page in range(config.max_pages):
        queued = await _queued_items(session, now, agents, config.batch, offset=page * config.batch)
        report.considered += len(queued)
        await facts.learn(session, queued)
        for item in queued:
            started = perf_counter()
            agent = matcher.choose(facts.state(item))
            report.decision_seconds.append(perf_counter() - started)
            if agent is not None:
                chosen[item.id] = (agent, item.capacity_class.value)
            if not matcher.any_room():
                break
        if len(queued) < config.batch or not matcher.any_room():
            break
    locked = await _lock_queued(session, set(chosen))
    await facts.learn(session, list(locked.values()))  # declines since the unlocked read count too
    chosen_agents: set[uuid.UUID] = set()
    for item_id, (agent, cls) in chosen.items():
        fresh = locked.get(item_id)
        agent.load[cls] -= 1
        if fresh is None or not eligible(agent, facts.state(fresh)):
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
                offers.set_presence(session, row, Presence.busy, now)
    await session.flush()
    return report


@dataclass
class _Facts:
    """What a pass reads about queued items besides their rows, for every page: the team of each queue, the
    service code of each service (the preferred skill) and who declined or missed each item recently."""

    cutoff: datetime
    team_of_queue: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    code_of_service: dict[uuid.UUID, str] = field(default_factory=dict)
    declined: dict[uuid.UUID, frozenset[uuid.UUID]] = field(default_factory=dict)

    async def learn(self, session: AsyncSession, items: Sequence[WorkItem]) -> None:
        """Read what these items need (three queries at most), refreshing their declines."""
        if not items:
            return
        queues = {i.queue_id for i in items if i.queue_id is not None} - self.team_of_queue.keys()
        if queues:
            rows = await session.execute(
                select(Queue.id, Queue.team_id).where(Queue.id.in_(queues), Queue.team_id.is_not(None))
            )
            self.team_of_queue.update({queue_id: team_id for queue_id, team_id in rows if team_id is not None})
        services = {i.service_id for i in items if i.service_id is not None} - self.code_of_service.keys()
        if services:
            codes = await session.execute(select(Service.id, Service.code).where(Service.id.in_(services)))
            self.code_of_service.update({service_id: code.lower() for service_id, code in codes})
        ids = [i.id for i in items]
        declined: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for item_id, staff_id in await session.execute(
            select(WorkOffer.work_item_id, WorkOffer.staff_id).where(
                WorkOffer.work_item_id.in_(ids),
                WorkOffer.outcome.in_((OfferOutcome.declined, OfferOutcome.timed_out)),
                WorkOffer.responded_at > self.cutoff,
            )
        ):
            declined[item_id].add(staff_id)
        self.declined.update({item_id: frozenset(declined.get(item_id, ())) for item_id in ids})

    def state(self, item: WorkItem) -> ItemState:
        """The item as the matcher sees it."""
        team = item.target_team_id or (self.team_of_queue.get(item.queue_id) if item.queue_id else None)
        return item_state(
            item,
            preferred_skill=self.code_of_service.get(item.service_id) if item.service_id else None,
            team_id=team,
            target_staff_id=item.target_staff_id,
            supervisors_only=item.target_role == "supervisor",
            excluded=self.declined.get(item.id, frozenset()),
        )


def item_state(
    item: WorkItem,
    *,
    preferred_skill: str | None = None,
    team_id: uuid.UUID | None = None,
    target_staff_id: uuid.UUID | None = None,
    supervisors_only: bool = False,
    excluded: frozenset[uuid.UUID] = frozenset(),
) -> ItemState:
    """The item as the matcher sees it: its own agency, class, language and skills, and what a pass adds (the
    preferred skill, the team, a named agent, supervisors only, recent declines); a supervisor's choice leaves
    those out."""
    return ItemState(
        id=item.id,
        agency_id=item.agency_id,
        capacity_class=item.capacity_class.value,
        language=item.language,
        required_skills={str(k): int(v) for k, v in (item.required_skills or {}).items()},
        preferred_skill=preferred_skill,
        team_id=team_id,
        target_staff_id=target_staff_id,
        supervisors_only=supervisors_only,
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
    rows = [(agent, role) for agent, role in (await session.execute(stmt)).all()]
    return [s for s in await agent_states(session, rows) if s.has_room() and s.agencies]


async def agent_states(session: AsyncSession, rows: Sequence[tuple[Agent, StaffRole]]) -> list[AgentState]:
    """These agents as the matcher sees them (load, languages, skills, agencies, teams), in the order given: four
    queries however many."""
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
    return [
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
            WorkItem.channel.not_in(PULLED_CHANNELS),
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


async def _expire_offers(session: AsyncSession, now: datetime) -> int:
    stmt = (
        select(WorkItem)
        .where(WorkItem.status == WorkItemStatus.offered, WorkItem.offer_expires_at <= now)
        .with_for_update(skip_locked=True)
    )
    expired = list((await session.execute(stmt)).scalars())
    for item in expired:
        staff_id = item.assigned_to_id
        await offers.close_offer(session, item, outcome=OfferOutcome.timed_out, now=now, released_how="timed_out")
        offers.requeue(item)
        events.item_changed(session, item, reason="offer_timed_out")
        if staff_id is not None:
            agent = await offers.lock_agent(session, staff_id)
            if agent is not None and agent.presence in (Presence.available, Presence.busy):
                # A missed offer means the agent is not at their desk: stop offering until they come back.
                offers.set_presence(session, agent, Presence.away, now)
    return len(expired)


async def _end_wrap_ups(session: AsyncSession, now: datetime) -> int:
    stmt = select(Agent).where(Agent.presence == Presence.wrap_up).with_for_update(skip_locked=True)
    ended = 0
    for agent in (await session.execute(stmt)).scalars():
        if agent.presence_since + timedelta(seconds=agent.wrap_up_seconds) <= now:
            offers.set_presence(session, agent, Presence.available, now)
            ended += 1
    return ended
