"""A resident's own details (values they gave for attributes agencies hold): listed in their language, given,
changed and removed by them, each change written to the audit log about their own record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from townsquare.agencies.wording import translated
from townsquare.db import Session
from townsquare.sharing import declared
from townsquare.staff import service as staff


@dataclass(frozen=True)
class DetailView:
    key: str
    name: str
    agency: str  # the agency whose attribute it is, in the reader's language
    value: str
    updated_at: datetime | None


async def details(session: Session, *, citizen_id: uuid.UUID, language: str) -> list[DetailView]:
    return [
        DetailView(
            d.key,
            translated(d.attribute.translations, language, "name", d.attribute.name),
            translated(d.agency.translations, language, "name", d.agency.name),
            str(d.value),
            d.row.updated_at,
        )
        for d in await declared.of_person(session, citizen_id=citizen_id)
    ]


async def choices(session: Session, *, language: str) -> list[tuple[str, str]]:
    """(key, "attribute — agency") for every attribute a resident may give a value for."""
    return [
        (
            key,
            " — ".join(translated(x.translations, language, "name", x.name) for x in (a, g)),
        )
        for key, a, g in await declared.declarable(session)
    ]


async def give(session: Session, *, citizen_id: uuid.UUID, key: str, value: str) -> None:
    await declared.declare(session, citizen_id=citizen_id, key=key, raw=value)
    staff.audit_own_record(session, citizen_id, "citizen.detail_declared", {"attribute": key})
    await session.commit()


async def forget(session: Session, *, citizen_id: uuid.UUID, key: str) -> bool:
    gone = await declared.remove(session, citizen_id=citizen_id, key=key)
    if gone:
        staff.audit_own_record(session, citizen_id, "citizen.detail_removed", {"attribute": key})
    await session.commit()
    return gone
