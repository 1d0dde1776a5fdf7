"""Keyword-only helpers that create real rows through the same service functions the app uses."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, AttributeDatatype, ContactPoint, Service, ServiceAttribute
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind, VerificationMethod
from townsquare.db import Base
from townsquare.staff import service as staff
from townsquare.staff.models import StaffAccount, StaffRole

PASSWORD = "correct horse battery"


async def create_agency(
    session: AsyncSession, *, slug: str = "city-works", name: str = "City Works", contact: tuple[str, str] | None = None
) -> Agency:
    agency = Agency(slug=slug, name=name)
    session.add(agency)
    await session.flush()
    if contact:
        session.add(ContactPoint(agency_id=agency.id, channel=contact[0], address=contact[1]))
        await session.flush()
    return agency


async def create_service(
    session: AsyncSession,
    *,
    agency: Agency,
    code: str = "POTHOLE",
    name: str = "Report a pothole",
    sla_target_hours: int | None = 72,
    attributes: list[dict[str, Any]] | None = None,
) -> Service:
    service = Service(code=code, name=name, agency_id=agency.id, sla_target_hours=sla_target_hours, keywords=[])
    session.add(service)
    await session.flush()
    for order, spec in enumerate(attributes or []):
        session.add(
            ServiceAttribute(
                service_id=service.id,
                code=spec["code"],
                order=order,
                datatype=AttributeDatatype(spec.get("datatype", "string")),
                required=spec.get("required", False),
                description=spec.get("description", spec["code"]),
                values=spec.get("values", []),
            )
        )
    await session.flush()
    return service


async def create_citizen(
    session: AsyncSession,
    *,
    name: str = "Maria Lopez",
    phone: str | None = None,
    email: str | None = None,
    phone_verified: bool = False,
) -> Citizen:
    citizen = await citizens.create(session, display_name=name)
    if phone:
        await citizens.add_identity(
            session,
            citizen_id=citizen.id,
            kind=IdentityKind.phone,
            value=phone,
            region="CA",
            verification_method=VerificationMethod.sms_code if phone_verified else None,
        )
    if email:
        await citizens.add_identity(session, citizen_id=citizen.id, kind=IdentityKind.email, value=email, region="CA")
    return citizen


async def create_staff(
    session: AsyncSession,
    *,
    email: str = "agent@city.example",
    role: StaffRole = StaffRole.agent,
    agencies: list[Agency] | None = None,
) -> StaffAccount:
    return await staff.create_staff(
        session,
        email=email,
        display_name=email.split("@")[0].title(),
        password=PASSWORD,
        role=role,
        agency_ids=[a.id for a in agencies or []],
    )


async def api_key_headers(session: AsyncSession, *, agency: Agency | None = None) -> dict[str, str]:
    key, _ = await staff.create_api_key(session, name="test integration", agency_id=agency.id if agency else None)
    return {"Authorization": f"Bearer {key}"}


async def count(session: AsyncSession, model: type[Base], *where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for clause in where:
        stmt = stmt.where(clause)
    return int((await session.execute(stmt)).scalar_one())


async def counts(session: AsyncSession) -> dict[str, int]:
    """Rows in every table: to prove a refused request stored nothing."""
    return {
        t.name: int((await session.execute(select(func.count()).select_from(t))).scalar_one())
        for t in Base.metadata.sorted_tables
    }


def new_uuid() -> str:
    return str(uuid.uuid4())
