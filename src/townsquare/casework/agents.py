"""Supervisors managing agents: every agent's routing profile and load, the edit form's read model, saving
capacity, languages, skills, wrap-up time and teams, and setting an agent away or offline.

Supervisors act only on agents who share one of their agencies (admins on everyone); changes are audited and
never committed here (the route does, once).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.errors import FieldError, invalid, not_found
from townsquare.routing import admin_skills, agents
from townsquare.routing.models import HELD_STATUSES, Agent, CapacityClass, Presence, Team, TeamMember, WorkItem
from townsquare.staff.auth import Principal

# The languages the deployment serves, offered as checkboxes; others are typed as codes.
SERVED_LANGUAGES: dict[str, str] = {"en": "English", "fr": "French"}
FORCED_PRESENCE = (Presence.away, Presence.offline)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")


@dataclass(frozen=True)
class TeamChoice:
    id: uuid.UUID
    label: str  # "City Works: Front line": teams of different agencies may share a name


@dataclass
class AgentRow:
    """One agent as the list shows them."""

    agent: Agent
    name: str
    skills: dict[str, int]
    teams: list[str] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)


@dataclass
class ProfileForm:
    """What the edit form shows: the stored profile, or what was just sent when it was refused."""

    capacity: dict[str, str]
    languages: set[str]
    other_languages: str
    skills: list[tuple[str, str]]
    wrap_up_seconds: str
    team_ids: set[uuid.UUID]


@dataclass
class AgentEditView:
    """The edit page: the agent, the form, the teams they may join and skill names to suggest."""

    row: AgentRow
    form: ProfileForm
    teams: list[TeamChoice]
    suggestions: list[str]


async def agent_of_mine(session: AsyncSession, me: Principal, staff_id: uuid.UUID) -> tuple[AgentRow, set[uuid.UUID]]:
    """The agent and the agencies of theirs the supervisor shares (all theirs for admins), else 404."""
    theirs = await agents.agencies_of(session, staff_id=staff_id)
    shared = theirs if me.agency_ids is None else theirs & me.agency_ids
    rows = await agents.list_agents(session, agency_ids=None, staff_id=staff_id)
    if not rows or (me.agency_ids is not None and not shared):
        raise not_found("Agent", "No agent of your agencies has that id.")
    agent, name, skills = rows[0]
    return AgentRow(agent, name, skills), shared


async def agent_rows(session: AsyncSession, *, me: Principal) -> list[AgentRow]:
    """The agents of the supervisor's agencies with skills, teams and load, in four queries however many."""
    rows = [AgentRow(a, n, s) for a, n, s in await agents.list_agents(session, agency_ids=me.visible())]
    by_id = {r.agent.staff_id: r for r in rows}
    if not by_id:
        return rows
    teams = (
        select(TeamMember.staff_id, Team.name, Agency.name)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Agency, Agency.id == Team.agency_id)
        .where(TeamMember.staff_id.in_(list(by_id)))
        .order_by(Agency.name, Team.name)
    )
    if me.agency_ids is not None:
        teams = teams.where(Team.agency_id.in_(me.agency_ids))
    for staff_id, team, agency in await session.execute(teams):
        by_id[staff_id].teams.append(f"{agency}: {team}")
    held = (
        select(WorkItem.assigned_to_id, WorkItem.capacity_class, func.count())
        .where(WorkItem.status.in_(HELD_STATUSES), WorkItem.assigned_to_id.in_(list(by_id)))
        .group_by(WorkItem.assigned_to_id, WorkItem.capacity_class)
    )
    for holder, klass, count in await session.execute(held):
        if holder in by_id:
            by_id[holder].held[getattr(klass, "value", str(klass))] = int(count)
    return rows


def _stored(row: AgentRow, member_of: set[uuid.UUID]) -> ProfileForm:
    agent = row.agent
    return ProfileForm(
        capacity={c.value: str(agent.capacity.get(c.value, 0)) for c in CapacityClass},
        languages={lang for lang in agent.languages if lang in SERVED_LANGUAGES},
        other_languages=", ".join(lang for lang in agent.languages if lang not in SERVED_LANGUAGES),
        skills=[(skill, str(level)) for skill, level in sorted(row.skills.items())],
        wrap_up_seconds=str(agent.wrap_up_seconds),
        team_ids=member_of,
    )


async def edit_view(
    session: AsyncSession, *, me: Principal, staff_id: uuid.UUID, form: ProfileForm | None = None
) -> AgentEditView:
    """The edit page of an agent the supervisor shares an agency with; `form` is what was just refused."""
    row, shared = await agent_of_mine(session, me, staff_id)
    teams = [
        TeamChoice(team_id, f"{agency}: {name}")
        for team_id, name, agency in await session.execute(
            select(Team.id, Team.name, Agency.name)
            .join(Agency, Agency.id == Team.agency_id)
            .where(Team.agency_id.in_(shared))
            .order_by(Agency.name, Team.name)
        )
    ]
    allowed = {t.id for t in teams}
    if form is None:
        found = await session.execute(
            select(TeamMember.team_id).where(TeamMember.staff_id == row.agent.staff_id, TeamMember.team_id.in_(allowed))
        )
        form = _stored(row, set(found.scalars()))
    codes = await session.execute(
        select(Service.code).where(Service.agency_id.in_(shared), Service.active.is_(True)).order_by(Service.code)
    )
    catalogue = {skill.code for skill in await admin_skills.choices(session, me=me)}  # the skills catalogue first
    suggestions = sorted(catalogue) + sorted({c.lower() for c in codes.scalars()} - catalogue)
    return AgentEditView(row=row, form=form, teams=teams, suggestions=suggestions)


def _whole(value: str, what: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise invalid(f"{what} must be a whole number.", FieldError(name, "not a whole number")) from None


def _languages(sent: ProfileForm) -> list[str]:
    others = [code.strip().lower() for code in re.split(r"[,\s]+", sent.other_languages) if code.strip()]
    bad = [code for code in others if not LANGUAGE_CODE.match(code)]
    if bad:
        raise invalid(
            "Type other languages as codes such as es or pt-br, separated by commas.",
            FieldError("languages", f"not a language code: {bad[0][:20]}"),
        )
    chosen = sorted(sent.languages & SERVED_LANGUAGES.keys()) + others
    if not chosen:
        raise invalid(
            "Choose at least one language, or the agent can be offered no work.", FieldError("languages", "none")
        )
    return chosen


def _skills(sent: ProfileForm) -> dict[str, int]:
    skills: dict[str, int] = {}
    for name, level in sent.skills:
        key = name.lower()
        if key in skills:
            raise invalid(f"The skill {key!r} is listed twice.", FieldError("skills", "listed twice"))
        skills[key] = _whole(level, "A skill level", "skills")
    return skills


async def save_profile(session: AsyncSession, *, me: Principal, staff_id: uuid.UUID, sent: ProfileForm) -> None:
    """Save capacity, languages, skills (replacing them), wrap-up time and team memberships, audited."""
    _, shared = await agent_of_mine(session, me, staff_id)
    capacity = {name: _whole(value, "Capacity", "capacity") for name, value in sent.capacity.items()}
    wrap_up = _whole(sent.wrap_up_seconds, "Wrap-up time", "wrap_up_seconds")
    if not 0 <= wrap_up <= 3600:
        raise invalid("Wrap-up time runs from 0 to 3600 seconds.", FieldError("wrap_up_seconds", "out of range"))
    await agents.ensure_agent(
        session,
        staff_id=staff_id,
        capacity=capacity,
        languages=_languages(sent),
        skills=_skills(sent),
        wrap_up_seconds=wrap_up,
    )
    allowed = set((await session.execute(select(Team.id).where(Team.agency_id.in_(shared)))).scalars())
    await agents.set_teams(session, staff_id=staff_id, team_ids=sent.team_ids, allowed=allowed)
    me.audit(
        session,
        action="agent.update",
        subject_kind="agent",
        subject_id=str(staff_id),
        detail={"fields": ["capacity", "languages", "skills", "teams", "wrap_up_seconds"]},
    )


async def force_presence(session: AsyncSession, *, me: Principal, staff_id: uuid.UUID, chosen: str) -> None:
    """Set an agent away or offline (they left without signing out); their held work stays theirs. Audited."""
    await agent_of_mine(session, me, staff_id)
    if chosen not in {p.value for p in FORCED_PRESENCE}:
        raise invalid(
            "A supervisor may set an agent Away or Offline; only the agent makes themselves Available.",
            FieldError("presence", "not away or offline"),
        )
    await agents.set_presence(session, staff_id=staff_id, presence=Presence(chosen))
    me.audit(
        session, action="agent.presence", subject_kind="agent", subject_id=str(staff_id), detail={"presence": chosen}
    )


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused change before the form is shown again."""
    await session.rollback()
