"""What agencies hold about people: the attributes each declares (with a classification and whether it checks
them), a value checked against its attribute's type, and the values held for a person, newest first.

Records arrive through `sharing.records`; they are linked to people by `sharing.linking`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.citizens import service as citizens
from townsquare.db import Change, assign
from townsquare.errors import Problem
from townsquare.sharing.models import AgencyRecord, Classification, HeldAttribute, RecordValue, ValueType

MAX_TEXT = 1000


async def put_attribute(
    session: AsyncSession,
    *,
    agency_id: uuid.UUID,
    code: str,
    name: str,
    description: str = "",
    value_type: ValueType = ValueType.text,
    classification: Classification = Classification.protected_a,
    verified: bool = True,
    active: bool = True,
    translations: dict[str, Any] | None = None,
) -> Change:
    """Declare (or update) an attribute the agency is the source of; never deletes one values point to."""
    values = {
        "name": name,
        "description": description,
        "value_type": value_type,
        "classification": classification,
        "verified": verified,
        "active": active,
        "translations": dict(translations or {}),
    }
    row = await session.scalar(
        select(HeldAttribute).where(HeldAttribute.agency_id == agency_id, HeldAttribute.code == code)
    )
    if row is None:
        session.add(HeldAttribute(agency_id=agency_id, code=code, **values))
        await session.flush()
        return Change.created
    changed = assign(row, **values)
    await session.flush()
    return Change.updated if changed else Change.unchanged


async def attributes_of(session: AsyncSession, *, agency_id: uuid.UUID) -> dict[str, HeldAttribute]:
    """The attributes an agency declared it holds, by code (active or not)."""
    rows = await session.execute(select(HeldAttribute).where(HeldAttribute.agency_id == agency_id))
    return {a.code: a for a in rows.scalars()}


async def attribute_owners(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """Which agency (slug) declared each of these codes, for a clear refusal of another agency's attribute."""
    if not codes:
        return {}
    rows = await session.execute(
        select(HeldAttribute.code, Agency.slug)
        .join(Agency, Agency.id == HeldAttribute.agency_id)
        .where(HeldAttribute.code.in_(codes))
    )
    return {str(code): str(slug) for code, slug in rows}


def clean_value(attribute: HeldAttribute, raw: Any) -> tuple[Any, str | None]:
    """The value as stored for the attribute's type, or why it is not one."""
    if attribute.value_type is ValueType.number:
        if isinstance(raw, bool):
            return None, "must be a number"
        try:
            number = float(str(raw).replace(",", "").strip())
        except ValueError:
            return None, "must be a number"
        if number != number or number in (float("inf"), float("-inf")):
            return None, "must be a number"
        return (int(number) if number.is_integer() else number), None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None, "must be text"
    text = str(raw).strip()
    if attribute.value_type is ValueType.date:
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, "must be a date like 1980-04-30"
    if attribute.value_type is ValueType.address:
        try:
            return citizens.normalise_postal(text), None
        except Problem:
            return None, "must be a postal address of 2 to 6 lines"
    if not text or len(text) > MAX_TEXT:
        return None, f"must be 1 to {MAX_TEXT} characters"
    return text, None


@dataclass(frozen=True)
class HeldValue:
    """One verified value an agency holds about a person, with where it came from."""

    attribute: HeldAttribute
    agency_slug: str
    value: Any
    last_updated: datetime
    record_id: uuid.UUID
    source: str


async def held_values(
    session: AsyncSession, *, citizen_id: uuid.UUID, attribute_ids: set[uuid.UUID]
) -> dict[uuid.UUID, HeldValue]:
    """The newest value of each attribute among the records linked to the person (an agency may hold two)."""
    if not attribute_ids:
        return {}
    # The person's few records first, by the citizen index: joined in one query, a planner may walk every value of
    # the attribute instead (thousands per agency) and the read would grow with the register.
    records = list(
        (await session.execute(select(AgencyRecord.id).where(AgencyRecord.citizen_id == citizen_id))).scalars()
    )
    if not records:
        return {}
    rows = await session.execute(
        select(RecordValue, AgencyRecord, HeldAttribute, Agency.slug)
        .join(AgencyRecord, AgencyRecord.id == RecordValue.record_id)
        .join(HeldAttribute, HeldAttribute.id == RecordValue.attribute_id)
        .join(Agency, Agency.id == HeldAttribute.agency_id)
        .where(RecordValue.record_id.in_(records), RecordValue.attribute_id.in_(attribute_ids))
        .order_by(RecordValue.last_updated)
    )
    newest: dict[uuid.UUID, HeldValue] = {}
    for value, record, attribute, slug in rows:
        newest[attribute.id] = HeldValue(attribute, slug, value.value, value.last_updated, record.id, record.source)
    return newest
