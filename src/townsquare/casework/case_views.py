"""Saved case-list views: a name for a list's filters, kept for oneself or shared with one of one's teams.

A view stores the list's query string as `CaseFilters` writes it, so a view saved today opens the same list
tomorrow and a damaged one is refused when saved, not when opened. Only its owner, or a supervisor of the team's
agency, may remove a shared view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.casework.case_filters import CaseFilters
from townsquare.casework.models import SavedView
from townsquare.errors import FieldError, invalid, not_found
from townsquare.routing import teams
from townsquare.staff.auth import Principal
from townsquare.staff.models import SUPERVISING

MAX_VIEWS = 50  # per person: a menu, not an archive
NAME_MAX = 80


@dataclass(frozen=True)
class ViewLine:
    id: uuid.UUID
    name: str
    query: str
    team: str | None  # the team it is shared with; None: the caller's own
    mine: bool  # the caller may remove it


async def views_for(session: AsyncSession, *, me: Principal) -> list[ViewLine]:
    """The caller's own views and those shared with the caller's teams, own first, by name."""
    mine = await teams.teams_of(session, staff_id=me.id)
    own = (SavedView.owner_id == me.id) & SavedView.team_id.is_(None)
    shown = or_(own, SavedView.team_id.in_(mine)) if mine else own
    rows = list((await session.execute(select(SavedView).where(shown))).scalars())
    names = await teams.names(session, ids={v.team_id for v in rows if v.team_id})
    lines = [
        ViewLine(v.id, v.name, v.query, names.get(v.team_id) if v.team_id else None, v.owner_id == me.id) for v in rows
    ]
    return sorted(lines, key=lambda line: (line.team is not None, line.team or "", line.name.casefold()))


async def save(session: AsyncSession, *, me: Principal, name: str, query: str, team: str) -> SavedView:
    """Keep the list's filters under a name, for the caller alone or for one of the caller's teams (`team`: its id
    as the form sent it, empty for oneself)."""
    name = " ".join(name.split())[:NAME_MAX]
    if not name:
        raise invalid("Give the view a name.", FieldError("name", "required"))
    try:
        team_id = uuid.UUID(team) if team else None
    except ValueError:
        raise invalid("Share the view with one of your teams.", FieldError("team", "not a team")) from None
    filters = CaseFilters.parse(dict(parse_qsl(query[:1000])))  # a 422 for a damaged list
    if team_id is not None and team_id not in await teams.teams_of(session, staff_id=me.id):
        raise invalid("You can share a view only with a team you are in.", FieldError("team", "not your team"))
    count = len(list((await session.execute(select(SavedView.id).where(SavedView.owner_id == me.id))).scalars()))
    if count >= MAX_VIEWS:
        raise invalid(f"You have {MAX_VIEWS} saved views already; remove one first.", FieldError("name", "too many"))
    view = SavedView(owner_id=me.id, team_id=team_id, name=name, query=filters.query_string())
    session.add(view)
    await session.flush()
    return view


async def removable(session: AsyncSession, *, me: Principal, view_id: uuid.UUID) -> SavedView:
    """The view if the caller may remove it: the owner's own, or a shared one by its owner or a supervisor of the
    team's agency; any other answers as one that does not exist."""
    view = await session.get(SavedView, view_id)
    if view is None or not await _may_remove(session, me, view):
        raise not_found("Saved view")
    return view


async def remove(session: AsyncSession, *, me: Principal, view_id: uuid.UUID) -> None:
    """Remove a view the caller may remove (see `removable`)."""
    await session.delete(await removable(session, me=me, view_id=view_id))


async def _may_remove(session: AsyncSession, me: Principal, view: SavedView) -> bool:
    if view.owner_id == me.id:
        return True
    if view.team_id is None or me.role not in SUPERVISING:
        return False
    team = await teams.get(session, team_id=view.team_id)
    return team is not None and me.may_see(team.agency_id)
