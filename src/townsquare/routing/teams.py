"""Teams as other parts of the platform read them: whose teams, their names, an agency's teams."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.routing.models import Team, TeamMember


@dataclass(frozen=True)
class TeamRef:
    id: uuid.UUID
    agency_id: uuid.UUID
    name: str


async def teams_of(session: AsyncSession, *, staff_id: uuid.UUID) -> set[uuid.UUID]:
    """The teams a member of staff belongs to."""
    return set((await session.execute(select(TeamMember.team_id).where(TeamMember.staff_id == staff_id))).scalars())


async def names(session: AsyncSession, *, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in await session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))}


async def of_agencies(session: AsyncSession, *, agency_ids: Collection[uuid.UUID] | None) -> list[TeamRef]:
    """The teams of these agencies (None: every agency), by name."""
    query = select(Team.id, Team.agency_id, Team.name).order_by(Team.name)
    if agency_ids is not None:
        query = query.where(Team.agency_id.in_(agency_ids))
    return [TeamRef(*row) for row in await session.execute(query)]


async def get(session: AsyncSession, *, team_id: uuid.UUID) -> TeamRef | None:
    team = await session.get(Team, team_id)
    return None if team is None else TeamRef(team.id, team.agency_id, team.name)
