"""Queues and their routing rules as administrators keep them: names in English and French, the channels and
services whose work they take, the skills (and levels) asked of agents, a priority boost, a team and office hours.

A queue that is made or kept active must have office hours and at least one active agent of its agency who has
every required skill at its level (and, when the queue names a team, is in it): otherwise its work would wait for
nobody. Refusals name the field. Never committing; every change audited with its values before and after.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.errors import not_found
from townsquare.interactions.kinds import Channel
from townsquare.routing.admin_common import (
    Refusals,
    agencies_of,
    audit_change,
    chosen_agency,
    in_scope,
    name,
    optional_id,
    plain,
    slug_of,
)
from townsquare.routing.models import Agent, AgentSkill, BusinessCalendar, Queue, Team, TeamMember
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffAgency

MAX_LEVEL = 5
MAX_BOOST = 100
NOBODY = (
    "No active agent of the agency has every required skill at its level: nobody could serve this queue. Lower the "
    "levels, give agents the skills, or leave the queue inactive."
)
NOBODY_IN_TEAM = (
    "No active agent of the chosen team has every required skill at its level: nobody could serve this queue. Lower "
    "the levels, choose another team, or leave the queue inactive."
)
QUEUE_CHANNELS = tuple(c.value for c in Channel if c is not Channel.push)


@dataclass
class QueueForm:
    agency_id: str = ""
    name: str = ""
    name_fr: str = ""
    channels: set[str] = field(default_factory=set)
    service_codes: set[str] = field(default_factory=set)
    skills: list[tuple[str, str]] = field(default_factory=list)  # (code, level) as typed
    priority_boost: str = "0"
    team_id: str = ""
    calendar_id: str = ""
    active: bool = True


@dataclass(frozen=True)
class Option:
    id: uuid.UUID
    agency_id: uuid.UUID
    name: str
    active: bool


@dataclass
class QueueChoices:
    """What the queue form offers: agencies, and per agency its services, teams and office hours."""

    agencies: list[Agency]
    services: list[tuple[uuid.UUID, str, str]]  # agency, code, name
    teams: list[Option]
    calendars: list[Option]


@dataclass
class QueueRow:
    queue: Queue
    agency: str
    team: str | None
    calendar: str | None


def _by_name(rows: Iterable[Any]) -> list[Option]:
    return sorted((Option(*row) for row in rows), key=lambda o: o.name)


async def queue_choices(session: AsyncSession, me: Principal) -> QueueChoices:
    choices = await agencies_of(session, me)
    ids = [a.id for a in choices]
    services = [(s.agency_id, s.code, s.name) for s in await agencies.list_services(session) if s.agency_id in set(ids)]
    teams = await session.execute(
        select(Team.id, Team.agency_id, Team.name, Team.active).where(Team.agency_id.in_(ids))
    )
    calendars = await session.execute(
        select(BusinessCalendar.id, BusinessCalendar.agency_id, BusinessCalendar.name, BusinessCalendar.active).where(
            BusinessCalendar.agency_id.in_(ids)
        )
    )
    return QueueChoices(choices, services, _by_name(teams), _by_name(calendars))


async def queues_view(session: AsyncSession, me: Principal) -> tuple[list[QueueRow], QueueChoices]:
    offered = await queue_choices(session, me)
    names = {a.id: a.name for a in offered.agencies}
    teams = {t.id: t.name for t in offered.teams}
    calendars = {c.id: c.name for c in offered.calendars}
    rows = await session.scalars(select(Queue).where(Queue.agency_id.in_(names)).order_by(Queue.name))
    return [
        QueueRow(
            q,
            names[q.agency_id],
            teams.get(q.team_id) if q.team_id else None,
            calendars.get(q.calendar_id) if q.calendar_id else None,
        )
        for q in rows
    ], offered


async def queue_in_scope(session: AsyncSession, me: Principal, queue_id: uuid.UUID) -> Queue:
    queue = await session.get(Queue, queue_id)
    if queue is None:
        raise not_found("Queue")
    in_scope(me, queue.agency_id, "Queue")
    return queue


async def agents_who_could_serve(
    session: AsyncSession, *, agency_id: uuid.UUID, required: dict[str, int], team_id: uuid.UUID | None
) -> int:
    """How many active agents of the agency have every required skill at its level (and are in the team)."""
    stmt = (
        select(func.count(func.distinct(Agent.staff_id)))
        .join(StaffAccount, StaffAccount.id == Agent.staff_id)
        .join(StaffAgency, StaffAgency.staff_id == Agent.staff_id)
        .where(StaffAgency.agency_id == agency_id, StaffAccount.active.is_(True))
    )
    for skill, level in required.items():
        has = select(AgentSkill.staff_id).where(AgentSkill.skill == skill, AgentSkill.level >= level)
        stmt = stmt.where(Agent.staff_id.in_(has))
    if team_id is not None:
        stmt = stmt.where(Agent.staff_id.in_(select(TeamMember.staff_id).where(TeamMember.team_id == team_id)))
    return int(await session.scalar(stmt) or 0)


def _skills(sent: QueueForm, refusals: Refusals) -> dict[str, int]:
    required: dict[str, int] = {}
    for code, level in sent.skills:
        code = code.strip().lower()[:64]
        if not code:
            continue
        try:
            wanted = int(level)
        except ValueError:
            wanted = 0
        if not 1 <= wanted <= MAX_LEVEL:
            refusals.add("skills", f"Skill levels run from 1 to {MAX_LEVEL}.")
            break
        required[code] = max(wanted, required.get(code, 0))
    return required


def _option(value: str, options: list[Option], agency_id: uuid.UUID | None) -> Option | None:
    wanted = optional_id(value)
    return next((o for o in options if o.id == wanted and o.agency_id == agency_id), None)


async def _checked(session: AsyncSession, me: Principal, sent: QueueForm, queue: Queue | None) -> dict[str, object]:
    refusals = Refusals()
    offered = await queue_choices(session, me)
    agency_id = chosen_agency(me, sent.agency_id, offered.agencies, refusals)
    queue_name = name(sent.name, "name", refusals)
    name_fr = name(sent.name_fr, "name_fr", refusals, required=False)
    if sent.channels - set(QUEUE_CHANNELS):
        refusals.add("channels", "Choose channels from the list.")
    services = {code for agency, code, _ in offered.services if agency == agency_id}
    if agency_id is not None and sent.service_codes - services:
        refusals.add("service_codes", "Choose services of the queue's agency.")
    required = _skills(sent, refusals)
    try:
        boost = int(sent.priority_boost or "0")
    except ValueError:
        boost = -1
    if not 0 <= boost <= MAX_BOOST:
        refusals.add("priority_boost", f"The priority boost is a whole number from 0 to {MAX_BOOST}.")
    team = _option(sent.team_id, offered.teams, agency_id)
    if sent.team_id and team is None:
        refusals.add("team_id", "Choose one of the agency's teams, or none.")
    elif team is not None and not team.active and sent.active:
        refusals.add("team_id", f"The team {team.name} is not active: choose an active team, or none.")
    calendar = _option(sent.calendar_id, offered.calendars, agency_id)
    if sent.calendar_id and calendar is None:
        refusals.add("calendar_id", "Choose one of the agency's office hours.")
    elif sent.active and calendar is None and agency_id is not None:
        refusals.add("calendar_id", "An active queue needs office hours: choose when its work is answered.")
    elif sent.active and calendar is not None and not calendar.active:
        refusals.add("calendar_id", f"The office hours {calendar.name} are not active: choose active hours.")
    if sent.active and agency_id is not None and not refusals.errors:
        team_id = team.id if team else None
        if not await agents_who_could_serve(session, agency_id=agency_id, required=required, team_id=team_id):
            refusals.add("skills", NOBODY_IN_TEAM if team else NOBODY)
    refusals.check()
    return {
        "agency_id": agency_id,
        "name": queue_name,
        "name_fr": name_fr,
        "channels": sorted(sent.channels),
        "service_codes": sorted(sent.service_codes),
        "required_skills": required,
        "priority_boost": boost,
        "team_id": team.id if team else None,
        "calendar_id": calendar.id if calendar else None,
        "active": sent.active,
    }


AUDITED = (
    "agency_id",
    "slug",
    "name",
    "name_fr",
    "channels",
    "service_codes",
    "required_skills",
    "priority_boost",
    "team_id",
    "calendar_id",
    "active",
)


def _values(queue: Queue) -> dict[str, object]:
    return plain({key: getattr(queue, key) for key in AUDITED})


async def create(session: AsyncSession, *, me: Principal, sent: QueueForm) -> Queue:
    values = await _checked(session, me, sent, None)
    taken = set((await session.scalars(select(Queue.slug).where(Queue.agency_id == values["agency_id"]))).all())
    base = slug = slug_of(str(values["name"]))
    n = 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    queue = Queue(slug=slug, **values)
    session.add(queue)
    await session.flush()
    audit_change(
        session,
        me,
        action="queue.create",
        kind="queue",
        subject_id=queue.id,
        agency_id=queue.agency_id,
        before=None,
        after=_values(queue),
    )
    return queue


async def update(session: AsyncSession, *, me: Principal, queue_id: uuid.UUID, sent: QueueForm) -> Queue:
    queue = await queue_in_scope(session, me, queue_id)
    before = _values(queue)
    for key, value in (await _checked(session, me, sent, queue)).items():
        setattr(queue, key, value)
    await session.flush()
    audit_change(
        session,
        me,
        action="queue.update",
        kind="queue",
        subject_id=queue.id,
        agency_id=queue.agency_id,
        before=before,
        after=_values(queue),
    )
    return queue


def form_of(queue: Queue) -> QueueForm:
    return QueueForm(
        agency_id=str(queue.agency_id),
        name=queue.name,
        name_fr=queue.name_fr,
        channels=set(queue.channels or []),
        service_codes=set(queue.service_codes or []),
        skills=[(code, str(level)) for code, level in sorted((queue.required_skills or {}).items())],
        priority_boost=str(queue.priority_boost),
        team_id=str(queue.team_id or ""),
        calendar_id=str(queue.calendar_id or ""),
        active=queue.active,
    )
