"""Teams and wrap-up codes as administrators keep them: a team's name, members (staff of its agency) and whether it
is active; an agency's wrap-up codes with labels in English and French.

A team an active queue is served by cannot be deactivated (the queue would be left with nobody); nothing is ever
deleted, history points to it. Never committing; every change audited with its values before and after.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.errors import not_found
from townsquare.routing.admin_common import (
    Refusals,
    agencies_of,
    audit_change,
    chosen_agency,
    in_scope,
    name,
    plain,
    slug_of,
)
from townsquare.routing.models import Queue, Team, TeamMember, WrapUpCode
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffAgency

WRAP_UP_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class TeamForm:
    agency_id: str = ""
    name: str = ""
    member_ids: set[str] = field(default_factory=set)
    active: bool = True


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    agency_ids: frozenset[uuid.UUID]


@dataclass
class TeamsView:
    teams: list[tuple[Team, list[str]]]  # each team with its members' names
    agencies: list[Agency]
    agency_names: dict[uuid.UUID, str]


async def staff_of(session: AsyncSession, agency_ids: set[uuid.UUID]) -> list[Person]:
    """Active staff of these agencies, by name, with the agencies each works for."""
    rows = await session.execute(
        select(StaffAccount.id, StaffAccount.display_name, StaffAgency.agency_id)
        .join(StaffAgency, StaffAgency.staff_id == StaffAccount.id)
        .where(StaffAgency.agency_id.in_(agency_ids), StaffAccount.active.is_(True))
        .order_by(StaffAccount.display_name)
    )
    found: dict[uuid.UUID, tuple[str, set[uuid.UUID]]] = {}
    for staff_id, display_name, agency_id in rows:
        found.setdefault(staff_id, (display_name, set()))[1].add(agency_id)
    return [Person(k, n, frozenset(a)) for k, (n, a) in found.items()]


async def teams_view(session: AsyncSession, me: Principal) -> TeamsView:
    choices = await agencies_of(session, me)
    ids = [a.id for a in choices]
    teams = list((await session.scalars(select(Team).where(Team.agency_id.in_(ids)).order_by(Team.name))).all())
    members: dict[uuid.UUID, list[str]] = {t.id: [] for t in teams}
    rows = await session.execute(
        select(TeamMember.team_id, StaffAccount.display_name)
        .join(StaffAccount, StaffAccount.id == TeamMember.staff_id)
        .where(TeamMember.team_id.in_(members))
        .order_by(StaffAccount.display_name)
    )
    for team_id, display_name in rows:
        members[team_id].append(display_name)
    return TeamsView([(t, members[t.id]) for t in teams], choices, {a.id: a.name for a in choices})


async def team_in_scope(session: AsyncSession, me: Principal, team_id: uuid.UUID) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise not_found("Team")
    in_scope(me, team.agency_id, "Team")
    return team


async def member_ids(session: AsyncSession, team_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.scalars(select(TeamMember.staff_id).where(TeamMember.team_id == team_id))).all())


async def _team_values(session: AsyncSession, team: Team) -> dict[str, object]:
    members = sorted(str(m) for m in await member_ids(session, team.id))
    return plain({"agency_id": team.agency_id, "name": team.name, "active": team.active, "members": members})


async def _checked_team(
    session: AsyncSession, me: Principal, sent: TeamForm, team: Team | None
) -> tuple[uuid.UUID, str, set[uuid.UUID]]:
    refusals = Refusals()
    agency_id = chosen_agency(me, sent.agency_id, await agencies_of(session, me), refusals)
    team_name = name(sent.name, "name", refusals)
    members: set[uuid.UUID] = set()
    if agency_id is not None:
        allowed = {p.id for p in await staff_of(session, {agency_id})}
        for value in sent.member_ids:
            try:
                members.add(uuid.UUID(value))
            except ValueError:
                refusals.add("members", "That choice of members is damaged; reload the page.")
        if members - allowed:
            refusals.add("members", "Choose members among the staff of the team's agency.")
    if team is not None and not sent.active:
        used = await session.scalar(
            select(Queue.name).where(Queue.team_id == team.id, Queue.active.is_(True)).order_by(Queue.name).limit(1)
        )
        if used is not None:
            refusals.add("active", f"The active queue {used} is served by this team: give it another team first.")
    refusals.check()
    assert agency_id is not None
    return agency_id, team_name, members


async def _set_members(session: AsyncSession, team_id: uuid.UUID, members: set[uuid.UUID]) -> None:
    current = await member_ids(session, team_id)
    if current - members:
        await session.execute(
            delete(TeamMember).where(TeamMember.team_id == team_id, TeamMember.staff_id.in_(current - members))
        )
    session.add_all(TeamMember(team_id=team_id, staff_id=m) for m in members - current)
    await session.flush()


async def create_team(session: AsyncSession, *, me: Principal, sent: TeamForm) -> Team:
    agency_id, team_name, members = await _checked_team(session, me, sent, None)
    taken = set((await session.scalars(select(Team.slug).where(Team.agency_id == agency_id))).all())
    slug, n = slug_of(team_name), 2
    base = slug
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    team = Team(agency_id=agency_id, slug=slug, name=team_name, active=sent.active)
    session.add(team)
    await session.flush()
    await _set_members(session, team.id, members)
    after = await _team_values(session, team)
    audit_change(
        session,
        me,
        action="team.create",
        kind="team",
        subject_id=team.id,
        agency_id=agency_id,
        before=None,
        after=after,
    )
    return team


async def update_team(session: AsyncSession, *, me: Principal, team_id: uuid.UUID, sent: TeamForm) -> Team:
    team = await team_in_scope(session, me, team_id)
    before = await _team_values(session, team)
    agency_id, team_name, members = await _checked_team(session, me, sent, team)
    if agency_id != team.agency_id:
        await session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    team.agency_id, team.name, team.active = agency_id, team_name, sent.active
    await session.flush()
    await _set_members(session, team.id, members)
    after = await _team_values(session, team)
    audit_change(
        session,
        me,
        action="team.update",
        kind="team",
        subject_id=team.id,
        agency_id=agency_id,
        before=before,
        after=after,
    )
    return team


async def team_form(session: AsyncSession, team: Team) -> TeamForm:
    members = {str(m) for m in await member_ids(session, team.id)}
    return TeamForm(agency_id=str(team.agency_id), name=team.name, member_ids=members, active=team.active)


# Wrap-up codes


@dataclass
class WrapUpForm:
    agency_id: str = ""
    code: str = ""
    label: str = ""
    label_fr: str = ""
    active: bool = True


async def wrap_up_codes(session: AsyncSession, me: Principal) -> tuple[list[WrapUpCode], list[Agency]]:
    choices = await agencies_of(session, me)
    stmt = select(WrapUpCode).where(WrapUpCode.agency_id.in_([a.id for a in choices]))
    return list((await session.scalars(stmt.order_by(WrapUpCode.agency_id, WrapUpCode.code))).all()), choices


async def wrap_up_in_scope(session: AsyncSession, me: Principal, wrap_up_id: uuid.UUID) -> WrapUpCode:
    row = await session.get(WrapUpCode, wrap_up_id)
    if row is None:
        raise not_found("Wrap-up code")
    in_scope(me, row.agency_id, "Wrap-up code")
    return row


def _wrap_values(row: WrapUpCode) -> dict[str, object]:
    return plain(
        {
            "agency_id": row.agency_id,
            "code": row.code,
            "label": row.label,
            "label_fr": row.label_fr,
            "active": row.active,
        }
    )


async def _checked_wrap_up(
    session: AsyncSession, me: Principal, sent: WrapUpForm, row_id: uuid.UUID | None
) -> tuple[uuid.UUID, str, str, str]:
    refusals = Refusals()
    agency_id = chosen_agency(me, sent.agency_id, await agencies_of(session, me), refusals)
    code = sent.code.strip().lower()
    if not WRAP_UP_CODE.fullmatch(code):
        refusals.add("code", "Enter a code of lower-case letters, digits and dashes, like resolved-first-contact.")
    elif agency_id is not None:
        clash = select(WrapUpCode.id).where(WrapUpCode.agency_id == agency_id, WrapUpCode.code == code)
        if row_id is not None:
            clash = clash.where(WrapUpCode.id != row_id)
        if await session.scalar(clash) is not None:
            refusals.add("code", f"The agency already has the wrap-up code {code}.")
    label = name(sent.label, "label", refusals)
    label_fr = name(sent.label_fr, "label_fr", refusals, required=False)
    refusals.check()
    assert agency_id is not None
    return agency_id, code, label, label_fr


async def create_wrap_up(session: AsyncSession, *, me: Principal, sent: WrapUpForm) -> WrapUpCode:
    agency_id, code, label, label_fr = await _checked_wrap_up(session, me, sent, None)
    row = WrapUpCode(agency_id=agency_id, code=code, label=label, label_fr=label_fr, active=sent.active)
    session.add(row)
    await session.flush()
    audit_change(
        session,
        me,
        action="wrap_up_code.create",
        kind="wrap_up_code",
        subject_id=row.id,
        agency_id=agency_id,
        before=None,
        after=_wrap_values(row),
    )
    return row


async def update_wrap_up(
    session: AsyncSession, *, me: Principal, wrap_up_id: uuid.UUID, sent: WrapUpForm
) -> WrapUpCode:
    row = await wrap_up_in_scope(session, me, wrap_up_id)
    before = _wrap_values(row)
    agency_id, code, label, label_fr = await _checked_wrap_up(session, me, sent, row.id)
    row.agency_id, row.code, row.label, row.label_fr, row.active = agency_id, code, label, label_fr, sent.active
    await session.flush()
    audit_change(
        session,
        me,
        action="wrap_up_code.update",
        kind="wrap_up_code",
        subject_id=row.id,
        agency_id=agency_id,
        before=before,
        after=_wrap_values(row),
    )
    return row


def wrap_up_form(row: WrapUpCode) -> WrapUpForm:
    return WrapUpForm(str(row.agency_id), row.code, row.label, row.label_fr, row.active)
