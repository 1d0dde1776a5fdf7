"""Writing how an agency's contact centre runs: its business calendar and holidays, teams, queues, SLA targets and
wrap-up codes, put into the state a city's catalogue files describe.

Keyword-only, the session first, never committing; each put says whether it created, updated or left the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db import Change, assign
from townsquare.routing.models import BusinessCalendar, Holiday, Queue, Skill, SlaTarget, Team, WrapUpCode


def _outcome(created: bool, changed: bool) -> Change:
    return Change.created if created else Change.updated if changed else Change.unchanged


async def put_calendar(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    name: str,
    timezone: str,
    hours: dict[str, list[list[str]]],
    holidays: Sequence[tuple[date, str]],
    active: bool = True,
) -> tuple[BusinessCalendar, Change]:
    """The agency's calendar called `name`, with these opening hours ("0" Monday … "6" Sunday) and exactly these
    holidays."""
    calendar = await session.scalar(
        select(BusinessCalendar).where(BusinessCalendar.agency_id == agency_id, BusinessCalendar.name == name)
    )
    created = calendar is None
    if calendar is None:
        calendar = BusinessCalendar(agency_id=agency_id, name=name, timezone=timezone, hours=hours, active=active)
        session.add(calendar)
        await session.flush()
        changed = True
    else:
        changed = assign(calendar, timezone=timezone, hours=hours, active=active)
    rows = {h.day: h for h in (await session.scalars(select(Holiday).where(Holiday.calendar_id == calendar.id)))}
    wanted = dict(holidays)
    gone = [day for day in rows if day not in wanted]
    if gone:
        await session.execute(delete(Holiday).where(Holiday.calendar_id == calendar.id, Holiday.day.in_(gone)))
        changed = True
    for day, label in sorted(wanted.items()):
        row = rows.get(day)
        if row is None:
            session.add(Holiday(calendar_id=calendar.id, day=day, name=label))
            changed = True
        else:
            changed = assign(row, name=label) or changed
    await session.flush()
    return calendar, _outcome(created, changed)


async def put_team(
    session: AsyncSession, *, agency_id: uuid.UUID, slug: str, name: str, active: bool = True
) -> tuple[Team, Change]:
    """The agency's team with this slug."""
    team = await session.scalar(select(Team).where(Team.agency_id == agency_id, Team.slug == slug))
    if team is None:
        team = Team(agency_id=agency_id, slug=slug, name=name, active=active)
        session.add(team)
        await session.flush()
        return team, Change.created
    changed = assign(team, name=name, active=active)
    await session.flush()
    return team, _outcome(False, changed)


async def put_queue(session: AsyncSession, *, agency_id: uuid.UUID, slug: str, **fields: Any) -> tuple[Queue, Change]:
    """The agency's queue with this slug; `fields` are the queue's columns (name, channels, service_codes,
    required_skills, priority_boost, team_id, calendar_id, active)."""
    queue = await session.scalar(select(Queue).where(Queue.agency_id == agency_id, Queue.slug == slug))
    if queue is None:
        queue = Queue(agency_id=agency_id, slug=slug, **fields)
        session.add(queue)
        await session.flush()
        return queue, Change.created
    changed = assign(queue, **fields)
    await session.flush()
    return queue, _outcome(False, changed)


async def put_sla_target(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    service_id: uuid.UUID | None,
    channel: str | None,
    first_response_seconds: int,
    goal_percent: int,
    business_hours: bool,
    active: bool = True,
) -> Change:
    """The agency's first-response target for this service and/or channel (None: any)."""
    target = await session.scalar(
        select(SlaTarget).where(
            SlaTarget.agency_id == agency_id,
            SlaTarget.service_id.is_(None) if service_id is None else SlaTarget.service_id == service_id,
            SlaTarget.channel.is_(None) if channel is None else SlaTarget.channel == channel,
        )
    )
    values = {
        "first_response_seconds": first_response_seconds,
        "goal_percent": goal_percent,
        "business_hours": business_hours,
        "active": active,
    }
    if target is None:
        session.add(SlaTarget(agency_id=agency_id, service_id=service_id, channel=channel, **values))
        await session.flush()
        return Change.created
    changed = assign(target, **values)
    await session.flush()
    return _outcome(False, changed)


async def put_wrap_up_code(
    session: AsyncSession, *, agency_id: uuid.UUID, code: str, label: str, active: bool = True, label_fr: str = ""
) -> Change:
    """One of the agency's wrap-up codes."""
    row = await session.scalar(select(WrapUpCode).where(WrapUpCode.agency_id == agency_id, WrapUpCode.code == code))
    if row is None:
        session.add(WrapUpCode(agency_id=agency_id, code=code, label=label, label_fr=label_fr, active=active))
        await session.flush()
        return Change.created
    changed = assign(row, label=label, label_fr=label_fr, active=active)
    await session.flush()
    return _outcome(False, changed)


async def put_skill(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID | None,
    code: str,
    label: str,
    label_fr: str = "",
    active: bool = True,
) -> Change:
    """A skill of the catalogue: the agency's own, or every agency's (`agency_id` None)."""
    row = await session.scalar(
        select(Skill).where(
            Skill.code == code, Skill.agency_id.is_(None) if agency_id is None else Skill.agency_id == agency_id
        )
    )
    if row is None:
        session.add(Skill(agency_id=agency_id, code=code, label=label, label_fr=label_fr, active=active))
        await session.flush()
        return Change.created
    changed = assign(row, label=label, label_fr=label_fr, active=active)
    await session.flush()
    return _outcome(False, changed)


async def team(session: AsyncSession, *, agency_id: uuid.UUID, slug: str) -> Team | None:
    """The agency's team with this slug, if there is one."""
    return await session.scalar(select(Team).where(Team.agency_id == agency_id, Team.slug == slug))
