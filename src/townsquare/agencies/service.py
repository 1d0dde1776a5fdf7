"""Reading the agency directory and service catalogue, and routing an inbound address to its agency."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import Agency, CannedResponse, ContactPoint, Service
from townsquare.errors import not_found


async def list_agencies(session: AsyncSession) -> list[Agency]:
    """Every agency, by name."""
    return list((await session.execute(select(Agency).order_by(Agency.name))).scalars())


async def get_agency(session: AsyncSession, *, slug: str) -> Agency:
    """One agency by its slug, or a 404 problem."""
    agency = (await session.execute(select(Agency).where(Agency.slug == slug))).scalar_one_or_none()
    if agency is None:
        raise not_found("Agency")
    return agency


async def agencies_by_id(session: AsyncSession, *, ids: set[uuid.UUID]) -> dict[uuid.UUID, Agency]:
    """Agencies keyed by id, in one query."""
    if not ids:
        return {}
    rows = (await session.execute(select(Agency).where(Agency.id.in_(ids)))).scalars()
    return {a.id: a for a in rows}


async def list_services(
    session: AsyncSession, *, agency_id: uuid.UUID | None = None, include_inactive: bool = False
) -> list[Service]:
    """The catalogue (with form attributes), optionally for one agency."""
    stmt = select(Service).options(selectinload(Service.attributes)).order_by(Service.group, Service.name)
    if agency_id is not None:
        stmt = stmt.where(Service.agency_id == agency_id)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list((await session.execute(stmt)).scalars())


async def get_service(session: AsyncSession, *, code: str) -> Service:
    """One service with its form attributes, or a 404 problem."""
    stmt = select(Service).where(Service.code == code).options(selectinload(Service.attributes))
    service = (await session.execute(stmt)).scalar_one_or_none()
    if service is None:
        raise not_found("Service", f"There is no service with code '{code}'.")
    return service


async def get_service_by_id(session: AsyncSession, *, service_id: uuid.UUID) -> Service:
    """One service by id (without attributes)."""
    return await session.get_one(Service, service_id)


async def agency_for_address(session: AsyncSession, *, channel: str, address: str | None) -> Agency | None:
    """The agency that owns an inbound address (a phone number, a mailbox) on a channel."""
    if not address:
        return None
    stmt = (
        select(Agency)
        .join(ContactPoint, ContactPoint.agency_id == Agency.id)
        .where(ContactPoint.channel == channel, ContactPoint.address == address.strip().lower())
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def default_agency(session: AsyncSession, *, slug: str | None = None) -> Agency:
    """The agency that receives contact no address or case points elsewhere: the named one, else the first."""
    stmt = select(Agency).order_by(Agency.created_at, Agency.slug).limit(1)
    if slug:
        stmt = select(Agency).where(Agency.slug == slug)
    agency = (await session.execute(stmt)).scalar_one_or_none()
    if agency is None:
        raise not_found("Agency", "No agency is configured yet; create one before accepting contact.")
    return agency


async def contact_points(session: AsyncSession, *, channel: str) -> list[tuple[str, str]]:
    """Every agency address on one channel as (address, agency name), by agency."""
    rows = await session.execute(
        select(ContactPoint.address, Agency.name)
        .join(Agency, Agency.id == ContactPoint.agency_id)
        .where(ContactPoint.channel == channel)
        .order_by(Agency.name, ContactPoint.address)
    )
    return [(str(address), str(name)) for address, name in rows.all()]


async def canned_responses(session: AsyncSession, *, agency_id: uuid.UUID, language: str) -> list[CannedResponse]:
    """An agency's canned responses in a language (the English ones when it has none in that language)."""
    stmt = (
        select(CannedResponse)
        .where(CannedResponse.agency_id == agency_id, CannedResponse.language.in_({language, "en"}))
        .order_by(CannedResponse.title, CannedResponse.slug)
    )
    rows = list((await session.execute(stmt)).scalars())
    wanted = [r for r in rows if r.language == language]
    return wanted or rows
