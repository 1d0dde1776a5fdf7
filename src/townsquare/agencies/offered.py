"""The services offered on Open311 and the agencies' names, as plain values remembered per process for a few
seconds (`db.remembered`): Open311's public list names a service and an agency on each of up to 1,000 rows, and
reads them here instead of joining two tables for every row. Configuration only, never a person's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.db import remembered

remembered.watch(Agency, Service)


@dataclass(frozen=True)
class OfferedService:
    """What Open311 says of a service on each request."""

    id: uuid.UUID
    code: str
    name: str
    notice: str


async def open311_offered(session: AsyncSession) -> Mapping[uuid.UUID, OfferedService]:
    """The active services offered on Open311, by id."""

    async def load() -> dict[uuid.UUID, OfferedService]:
        rows = await session.execute(
            select(Service.id, Service.code, Service.name, Service.notice)
            .where(Service.open311.is_(True), Service.active.is_(True))
            .order_by(Service.code)
        )
        return {row[0]: OfferedService(row[0], row[1], row[2], row[3] or "") for row in rows}

    return await remembered.recall(session, ("open311_offered",), load)


async def agency_names(session: AsyncSession) -> Mapping[uuid.UUID, str]:
    """Every agency's name, by id."""

    async def load() -> dict[uuid.UUID, str]:
        return {row[0]: row[1] for row in await session.execute(select(Agency.id, Agency.name))}

    return await remembered.recall(session, ("agency_names",), load)
