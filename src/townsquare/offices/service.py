"""Reading service offices: which offices an agency has, what each offers, its counters and its hours' calendar."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.errors import not_found
from townsquare.offices.models import Counter, Office, OfficeService


async def list_offices(
    session: AsyncSession, *, agency_ids: set[uuid.UUID] | None = None, include_inactive: bool = False
) -> list[Office]:
    """Offices by name, of some agencies (None: every agency), active ones unless asked."""
    stmt = select(Office).order_by(Office.name)
    if agency_ids is not None:
        stmt = stmt.where(Office.agency_id.in_(agency_ids))
    if not include_inactive:
        stmt = stmt.where(Office.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def get_office(session: AsyncSession, *, office_id: uuid.UUID) -> Office:
    """One office by id, or a 404 problem."""
    office = await session.get(Office, office_id)
    if office is None:
        raise not_found("Office")
    return office


async def offered(
    session: AsyncSession, *, office_id: uuid.UUID, walk_in: bool | None = None, bookable: bool | None = None
) -> list[tuple[OfficeService, Service]]:
    """The active services an office offers, by name, optionally only those open to walk-ins or to booking."""
    stmt = (
        select(OfficeService, Service)
        .join(Service, Service.id == OfficeService.service_id)
        .where(OfficeService.office_id == office_id, Service.active.is_(True))
        .order_by(Service.name)
    )
    if walk_in is not None:
        stmt = stmt.where(OfficeService.walk_in.is_(walk_in))
    if bookable is not None:
        stmt = stmt.where(OfficeService.bookable.is_(bookable))
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def counters(session: AsyncSession, *, office_id: uuid.UUID, include_inactive: bool = False) -> list[Counter]:
    """An office's counters by label."""
    stmt = select(Counter).where(Counter.office_id == office_id).order_by(Counter.label)
    if not include_inactive:
        stmt = stmt.where(Counter.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def put_office(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    slug: str,
    name: str,
    name_fr: str = "",
    address: list[str],
    calendar_id: uuid.UUID | None,
) -> Office:
    """Create or update the agency's office `slug` (the demo and the catalogue files use it)."""
    office = (
        await session.execute(select(Office).where(Office.agency_id == agency_id, Office.slug == slug))
    ).scalar_one_or_none()
    if office is None:
        office = Office(agency_id=agency_id, slug=slug)
        session.add(office)
    office.name, office.name_fr, office.address, office.calendar_id = name, name_fr, list(address), calendar_id
    office.active = True
    await session.flush()
    return office
