"""The configuration the work page shows beside the contact — the agencies to transfer to, an agency's canned
responses, wrap-up codes and teams, a queue's name, the services a case may be opened for — as plain values,
remembered per process for a few seconds (`db.remembered`): an agent opens a work page many times an hour, and
these change when an administrator edits them. Reads configuration only, never a person's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, CannedResponse, Service
from townsquare.db import remembered
from townsquare.routing.models import Queue, Team, WrapUpCode

# Agency and Queue are watched where ingestion reads them (agencies.service, routing.service).
remembered.watch(CannedResponse, Service, Team, WrapUpCode)


@dataclass(frozen=True)
class AgencyChoice:
    id: uuid.UUID
    name: str
    timezone: str


@dataclass(frozen=True)
class Canned:
    slug: str
    title: str
    body: str
    language: str


@dataclass(frozen=True)
class WrapUp:
    code: str
    label: str
    label_fr: str


@dataclass(frozen=True)
class TeamChoice:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ServiceChoice:
    code: str
    name: str
    agency: str  # the agency's name


async def agencies(session: AsyncSession) -> tuple[AgencyChoice, ...]:
    """Every agency, by name."""

    async def load() -> tuple[AgencyChoice, ...]:
        rows = await session.execute(select(Agency.id, Agency.name, Agency.timezone).order_by(Agency.name))
        return tuple(AgencyChoice(*row) for row in rows)

    return await remembered.recall(session, ("desk_agencies",), load)


async def canned(session: AsyncSession, *, agency_id: uuid.UUID, language: str) -> tuple[Canned, ...]:
    """An agency's active canned responses in a language (the English ones when it has none in that language)."""

    async def load() -> tuple[Canned, ...]:
        c = CannedResponse
        rows = await session.execute(
            select(c.slug, c.title, c.body, c.language)
            .where(c.agency_id == agency_id, c.language.in_({language, "en"}), c.active.is_(True))
            .order_by(c.title, c.slug)
        )
        found = tuple(Canned(*row) for row in rows)
        return tuple(r for r in found if r.language == language) or found

    return await remembered.recall(session, ("desk_canned", agency_id, language), load)


async def wrap_ups(session: AsyncSession, *, agency_id: uuid.UUID) -> tuple[WrapUp, ...]:
    """The agency's active wrap-up codes, by label."""

    async def load() -> tuple[WrapUp, ...]:
        w = WrapUpCode
        rows = await session.execute(
            select(w.code, w.label, w.label_fr).where(w.agency_id == agency_id, w.active.is_(True)).order_by(w.label)
        )
        return tuple(WrapUp(*row) for row in rows)

    return await remembered.recall(session, ("desk_wrap_ups", agency_id), load)


async def teams(session: AsyncSession, *, agency_id: uuid.UUID) -> tuple[TeamChoice, ...]:
    """The agency's teams, by name."""

    async def load() -> tuple[TeamChoice, ...]:
        rows = await session.execute(select(Team.id, Team.name).where(Team.agency_id == agency_id).order_by(Team.name))
        return tuple(TeamChoice(*row) for row in rows)

    return await remembered.recall(session, ("desk_teams", agency_id), load)


async def queue_name(session: AsyncSession, *, queue_id: uuid.UUID | None) -> str | None:
    """A queue's name (None for no queue)."""
    if queue_id is None:
        return None

    async def load() -> str | None:
        return (await session.execute(select(Queue.name).where(Queue.id == queue_id))).scalar_one_or_none()

    return await remembered.recall(session, ("desk_queue_name", queue_id), load)


async def case_services(
    session: AsyncSession, *, agency_ids: Collection[uuid.UUID] | None
) -> tuple[ServiceChoice, ...]:
    """The active services a case may be opened for in these agencies (every agency when None), by agency."""
    key = None if agency_ids is None else frozenset(agency_ids)

    async def load() -> tuple[ServiceChoice, ...]:
        stmt = (
            select(Service.code, Service.name, Agency.name)
            .join(Agency, Agency.id == Service.agency_id)
            .where(Service.active.is_(True))
            .order_by(Agency.name, Service.name)
        )
        if agency_ids is not None:
            stmt = stmt.where(Service.agency_id.in_(agency_ids))
        return tuple(ServiceChoice(*row) for row in await session.execute(stmt))

    return await remembered.recall(session, ("desk_case_services", key), load)
