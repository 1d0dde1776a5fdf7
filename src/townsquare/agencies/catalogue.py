"""Writing the catalogue: put an agency, its contact points, its services with their forms and its canned replies
into the state a city's catalogue files describe, and say what that changed.

Keyword-only, the session first, never committing; a put that finds the row as described changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import form_versions
from townsquare.agencies.models import (
    Agency,
    AttributeDatatype,
    CannedResponse,
    ContactPoint,
    Service,
    ServiceType,
)
from townsquare.db import Change, assign


@dataclass(frozen=True)
class AttributeSpec:
    """One question of a service's form, in the order it is asked."""

    code: str
    datatype: AttributeDatatype
    description: str
    datatype_description: str = ""
    required: bool = False
    values: list[dict[str, str]] = field(default_factory=list)
    page: int = 1
    translations: dict[str, Any] = field(default_factory=dict)
    prefill_from: str | None = None  # "provider.code": another agency's attribute that may fill it in
    condition: dict[str, Any] = field(default_factory=dict)  # {"field": code, "values": [keys]}: asked only then


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    description: str = ""
    group: str = ""
    keywords: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    type: ServiceType = ServiceType.realtime
    sla_target_hours: int | None = None
    active: bool = True
    open311: bool = False
    notice: str = ""
    translations: dict[str, Any] = field(default_factory=dict)
    attributes: list[AttributeSpec] = field(default_factory=list)
    sharing_purpose: str | None = None  # why its form may read other agencies' data
    form_pages: dict[str, Any] = field(default_factory=dict)  # {"1": {"title": …, "translations": {"fr": …}}}


async def put_agency(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    description: str = "",
    email: str | None = None,
    phone: str | None = None,
    timezone: str = "America/Toronto",
    translations: dict[str, dict[str, str]] | None = None,
    active: bool = True,
    short_name: str = "",
    accent_colour: str | None = None,
) -> tuple[Agency, Change]:
    """The agency with this slug, created or updated to these details (`translations`: its name and description
    in other languages; `short_name` and `accent_colour`: its branding)."""
    values = {
        "name": name,
        "description": description,
        "email": email,
        "phone": phone,
        "timezone": timezone,
        "translations": dict(translations or {}),
        "active": active,
        "short_name": short_name,
        "accent_colour": accent_colour,
    }
    agency = await session.scalar(select(Agency).where(Agency.slug == slug))
    if agency is None:
        agency = Agency(slug=slug, **values)
        session.add(agency)
        await session.flush()
        return agency, Change.created
    changed = assign(agency, **values)
    await session.flush()
    return agency, Change.updated if changed else Change.unchanged


async def put_contact_points(
    session: AsyncSession, *, agency_id: uuid.UUID, points: Sequence[tuple[str, str]]
) -> Change:
    """Make the agency's addresses exactly `points` (channel, address); an address is matched lower-cased."""
    wanted = {(channel, address.strip().lower()) for channel, address in points}
    rows = list((await session.scalars(select(ContactPoint).where(ContactPoint.agency_id == agency_id))).all())
    current = {(row.channel, row.address): row for row in rows}
    if set(current) == wanted:
        return Change.unchanged
    for key, row in current.items():
        if key not in wanted:
            await session.delete(row)
    await session.flush()
    session.add_all(
        ContactPoint(agency_id=agency_id, channel=channel, address=address)
        for channel, address in sorted(wanted - set(current))
    )
    await session.flush()
    return Change.created if not current else Change.updated


def _field(spec: AttributeSpec) -> dict[str, Any]:
    return {
        "code": spec.code,
        "datatype": spec.datatype.value,
        "required": spec.required,
        "description": spec.description,
        "datatype_description": spec.datatype_description,
        "values": spec.values,
        "page": spec.page,
        "translations": spec.translations,
        "prefill_from": spec.prefill_from,
        "condition": spec.condition,
    }


async def put_service(session: AsyncSession, *, agency_id: uuid.UUID, spec: ServiceSpec) -> tuple[Service, Change]:
    """The service with this code, created or updated to `spec`; its form becomes a new published version only
    when its questions or page titles differ from the current one."""
    values = {
        "name": spec.name,
        "description": spec.description,
        "agency_id": agency_id,
        "keywords": spec.keywords,
        "synonyms": spec.synonyms,
        "group": spec.group,
        "type": spec.type,
        "sla_target_hours": spec.sla_target_hours,
        "active": spec.active,
        "open311": spec.open311,
        "notice": spec.notice,
        "translations": spec.translations,
        "sharing_purpose": spec.sharing_purpose,
    }
    service = await session.scalar(select(Service).where(Service.code == spec.code))
    created = service is None
    if service is None:
        service = Service(code=spec.code, **values)
        session.add(service)
        await session.flush()
        changed = True
    else:
        changed = assign(service, **values)
    fields = [_field(a) for a in spec.attributes]
    changed = (
        await form_versions.publish_if_changed(session, service=service, fields=fields, pages=spec.form_pages)
        or changed
    )
    await session.flush()
    return service, Change.created if created else Change.updated if changed else Change.unchanged


async def put_canned_response(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    slug: str,
    language: str,
    title: str,
    body: str,
    active: bool = True,
) -> Change:
    """The agency's canned reply with this slug in this language, created or updated."""
    row = await session.scalar(
        select(CannedResponse).where(
            CannedResponse.agency_id == agency_id, CannedResponse.slug == slug, CannedResponse.language == language
        )
    )
    if row is None:
        session.add(
            CannedResponse(agency_id=agency_id, slug=slug, language=language, title=title, body=body, active=active)
        )
        await session.flush()
        return Change.created
    changed = assign(row, title=title, body=body, active=active)
    await session.flush()
    return Change.updated if changed else Change.unchanged
