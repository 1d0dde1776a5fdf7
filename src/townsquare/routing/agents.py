"""Agents: a staff account's routing profile, presence, skills and what they hold right now."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import FieldError, invalid
from townsquare.routing import events
from townsquare.routing.models import (
    HELD_STATUSES,
    Agent,
    AgentSkill,
    CapacityClass,
    Presence,
    TeamMember,
    WorkItem,
)
from townsquare.staff.models import StaffAccount, StaffAgency

DEFAULT_CAPACITY: dict[str, int] = {CapacityClass.voice: 1, CapacityClass.chat: 3, CapacityClass.async_: 5}
# States an agent chooses; busy and wrap-up are set by routing.
CHOSEN_PRESENCE = (Presence.available, Presence.away, Presence.offline)
MAX_LEVEL = 5
MAX_CAPACITY = 50


def _check_capacity(capacity: dict[str, Any]) -> dict[str, int]:
    known = {c.value for c in CapacityClass}
    clean: dict[str, int] = {}
    for name, value in capacity.items():
        if name not in known or not isinstance(value, int) or not 0 <= value <= MAX_CAPACITY:
            raise invalid(
                f"Capacity is a count from 0 to {MAX_CAPACITY} for each of {', '.join(sorted(known))}.",
                FieldError("capacity", f"bad entry {name!r}"),
            )
        clean[name] = value
    return clean


async def get_agent(session: AsyncSession, *, staff_id: uuid.UUID) -> Agent | None:
    """The routing profile of a staff account, if it has one."""
    return await session.get(Agent, staff_id)


async def ensure_agent(
    session: AsyncSession,
    *,
    staff_id: uuid.UUID,
    capacity: dict[str, int] | None = None,
    languages: list[str] | None = None,
    skills: dict[str, int] | None = None,
    wrap_up_seconds: int | None = None,
) -> Agent:
    """The staff account's routing profile, created offline with default capacity if missing; given fields set."""
    agent = await session.get(Agent, staff_id)
    if agent is None:
        agent = Agent(staff_id=staff_id, presence=Presence.offline, capacity=dict(DEFAULT_CAPACITY), languages=["en"])
        session.add(agent)
    if capacity is not None:
        agent.capacity = _check_capacity(capacity)
    if languages is not None:
        agent.languages = sorted({lang.strip().lower()[:8] for lang in languages if lang.strip()})
    if wrap_up_seconds is not None:
        agent.wrap_up_seconds = max(0, min(wrap_up_seconds, 3600))
    await session.flush()
    if skills is not None:
        await session.execute(delete(AgentSkill).where(AgentSkill.staff_id == staff_id))
        for skill, level in skills.items():
            if not 1 <= level <= MAX_LEVEL:
                raise invalid(f"Skill levels run from 1 to {MAX_LEVEL}.", FieldError("skills", f"{skill}: {level}"))
            session.add(AgentSkill(staff_id=staff_id, skill=skill.strip().lower()[:64], level=level))
        await session.flush()
    return agent


async def agent_skills(session: AsyncSession, *, staff_id: uuid.UUID) -> dict[str, int]:
    """The agent's skills and levels."""
    rows = await session.execute(select(AgentSkill.skill, AgentSkill.level).where(AgentSkill.staff_id == staff_id))
    return dict(rows.all())


async def set_presence(
    session: AsyncSession, *, staff_id: uuid.UUID, presence: Presence, now: datetime | None = None
) -> Agent:
    """The agent chooses available, away or offline; going available starts their idle time if they hold nothing."""
    if presence not in CHOSEN_PRESENCE:
        raise invalid(
            "Choose available, away or offline; busy and wrap-up are set by the queue.",
            FieldError("presence", f"{presence.value} is set by the queue"),
        )
    now = now or utcnow()
    agent = await ensure_agent(session, staff_id=staff_id)
    # Lock the row so a routing pass never offers work against a presence that just changed.
    await session.refresh(agent, with_for_update=True)
    if agent.presence is not presence:
        if presence is Presence.available and agent.presence in (Presence.offline, Presence.away):
            held = await held_items(session, staff_id=staff_id)
            if not held:
                agent.idle_since = now
        agent.presence = presence
        agent.presence_since = now
        await session.flush()
        events.agent_changed(session, agent)
    return agent


async def held_items(session: AsyncSession, *, staff_id: uuid.UUID) -> list[WorkItem]:
    """What the agent holds now (offered to them or accepted): offers about to expire first (a chat or call
    before written work), then the oldest."""
    stmt = (
        select(WorkItem)
        .where(WorkItem.assigned_to_id == staff_id, WorkItem.status.in_(HELD_STATUSES))
        .order_by(WorkItem.offer_expires_at.asc().nulls_last(), WorkItem.created_at)
    )
    return list((await session.execute(stmt)).scalars())


async def list_agents(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None, staff_id: uuid.UUID | None = None
) -> list[tuple[Agent, str, dict[str, int]]]:
    """Agents of these agencies (all when None; or just one): profile, display name and skills, in two queries."""
    stmt = select(Agent, StaffAccount.display_name).join(StaffAccount, StaffAccount.id == Agent.staff_id)
    if staff_id is not None:
        stmt = stmt.where(Agent.staff_id == staff_id)
    if agency_ids is not None:
        members = select(StaffAgency.staff_id).where(StaffAgency.agency_id.in_(agency_ids))
        stmt = stmt.where(Agent.staff_id.in_(members))
    rows = (await session.execute(stmt.order_by(StaffAccount.display_name))).all()
    ids = [agent.staff_id for agent, _ in rows]
    skills: dict[uuid.UUID, dict[str, int]] = {agent_id: {} for agent_id in ids}
    if ids:
        found = await session.execute(
            select(AgentSkill.staff_id, AgentSkill.skill, AgentSkill.level).where(AgentSkill.staff_id.in_(ids))
        )
        for agent_id, skill, level in found:
            skills[agent_id][skill] = level
    return [(agent, name, skills[agent.staff_id]) for agent, name in rows]


async def agencies_of(session: AsyncSession, *, staff_id: uuid.UUID) -> set[uuid.UUID]:
    """The agencies a staff account works for."""
    rows = await session.execute(select(StaffAgency.agency_id).where(StaffAgency.staff_id == staff_id))
    return set(rows.scalars())


async def set_teams(
    session: AsyncSession, *, staff_id: uuid.UUID, team_ids: set[uuid.UUID], allowed: set[uuid.UUID]
) -> None:
    """Make the agent a member of exactly `team_ids` among the `allowed` teams; memberships elsewhere stay."""
    outside = team_ids - allowed
    if outside:
        raise invalid(
            "Choose teams of the agent's agencies only.", FieldError("teams", f"{len(outside)} team(s) not offered")
        )
    if not allowed:
        return
    rows = await session.execute(
        select(TeamMember.team_id).where(TeamMember.staff_id == staff_id, TeamMember.team_id.in_(allowed))
    )
    current = set(rows.scalars())
    leaving = current - team_ids
    if leaving:
        await session.execute(
            delete(TeamMember).where(TeamMember.staff_id == staff_id, TeamMember.team_id.in_(leaving))
        )
    session.add_all(TeamMember(team_id=team_id, staff_id=staff_id) for team_id in team_ids - current)
    await session.flush()
