"""What a resident tells us about themselves for an attribute an agency holds (household size, a mailing address):
kept as theirs, changed or removed by them, never shown as verified nor shared with another agency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.errors import FieldError, invalid, not_found
from townsquare.sharing.holdings import clean_value
from townsquare.sharing.models import DeclaredValue, HeldAttribute


@dataclass(frozen=True)
class Declared:
    """One value the person gave, with the attribute it is for."""

    key: str  # "agency.code"
    attribute: HeldAttribute
    agency: Agency
    value: Any
    row: DeclaredValue


async def declarable(session: AsyncSession) -> list[tuple[str, HeldAttribute, Agency]]:
    """Every active attribute a person may give a value for, by agency then name."""
    rows = await session.execute(
        select(HeldAttribute, Agency)
        .join(Agency, Agency.id == HeldAttribute.agency_id)
        .where(HeldAttribute.active.is_(True))
        .order_by(Agency.slug, HeldAttribute.code)
    )
    return [(f"{agency.slug}.{attribute.code}", attribute, agency) for attribute, agency in rows]


async def of_person(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[Declared]:
    rows = await session.execute(
        select(DeclaredValue, HeldAttribute, Agency)
        .join(HeldAttribute, HeldAttribute.id == DeclaredValue.attribute_id)
        .join(Agency, Agency.id == HeldAttribute.agency_id)
        .where(DeclaredValue.citizen_id == citizen_id)
        .order_by(Agency.slug, HeldAttribute.code)
    )
    return [Declared(f"{a.slug}.{h.code}", h, a, d.value, d) for d, h, a in rows]


async def _attribute(session: AsyncSession, key: str) -> HeldAttribute:
    for found, attribute, _ in await declarable(session):
        if found == key:
            return attribute
    raise not_found("Attribute", f"No attribute is called '{key}'.")


async def declare(session: AsyncSession, *, citizen_id: uuid.UUID, key: str, raw: str) -> DeclaredValue:
    """Keep (or change) what the person says for this attribute; a value of the wrong kind is refused."""
    attribute = await _attribute(session, key)
    value, problem = clean_value(attribute, raw)
    if problem:
        raise invalid(f"{attribute.name}: {problem}.", FieldError("value", problem))
    row = await session.scalar(
        select(DeclaredValue).where(DeclaredValue.citizen_id == citizen_id, DeclaredValue.attribute_id == attribute.id)
    )
    if row is None:
        row = DeclaredValue(citizen_id=citizen_id, attribute_id=attribute.id, value=value)
        session.add(row)
    else:
        row.value = value
    await session.flush()
    return row


async def remove(session: AsyncSession, *, citizen_id: uuid.UUID, key: str) -> bool:
    """Forget what the person said for this attribute; False when they had said nothing."""
    attribute = await _attribute(session, key)
    gone = await session.execute(
        delete(DeclaredValue).where(DeclaredValue.citizen_id == citizen_id, DeclaredValue.attribute_id == attribute.id)
    )
    return bool(getattr(gone, "rowcount", 0))
