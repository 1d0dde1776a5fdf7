"""Which person an agency record names: exact identifiers, and only those the person proved (a phone or email
confirmed by a code or link, or the record number staff gave them). A record naming no one, or two people, stays
unlinked, and is linked when its person proves one of its identifiers (`relink`, run when their data is next used).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.models import Citizen, CitizenStatus, Identity
from townsquare.sharing.models import AgencyRecord, RecordIdentifier

T = TypeVar("T")
LINKING_KINDS = (IdentityKind.phone, IdentityKind.email, IdentityKind.agency_record)
CHUNK = 500  # values per IN (…) list: well within every database's limit on bound parameters


def chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def link_many(
    session: AsyncSession, records: Sequence[list[dict[str, str]]]
) -> list[tuple[uuid.UUID | None, str]]:
    """For each record's identifiers, the one person they name (following merges), or None and why: unmatched or
    ambiguous. A few queries for any number of records.

    Only a phone or email the person proved counts (anyone can type an address they do not hold), and the
    agency's own record number when staff gave it to the person."""
    wanted = {(e["kind"], e["namespace"], e["value"]) for entries in records for e in entries}
    owner: dict[tuple[str, str, str], uuid.UUID] = {}
    for values in chunks(sorted({value for _, _, value in wanted})):
        identities = await session.execute(
            select(Identity.kind, Identity.namespace, Identity.value, Identity.citizen_id, Identity.verified).where(
                Identity.value.in_(values), Identity.kind.in_(LINKING_KINDS)
            )
        )
        for kind, namespace, value, citizen_id, verified in identities:
            key = (kind.value, namespace, value)
            if key in wanted and (verified or kind is IdentityKind.agency_record):
                owner[key] = citizen_id
    final: dict[uuid.UUID, uuid.UUID] = {}
    for chunk in chunks(sorted(set(owner.values()))):
        rows = await session.execute(
            select(Citizen.id, Citizen.status, Citizen.merged_into_id).where(Citizen.id.in_(chunk))
        )
        for citizen_id, status, merged_into in rows:
            person = citizen_id
            while status is CitizenStatus.merged and merged_into is not None:  # rare: follow the merge one by one
                merged = await session.get_one(Citizen, merged_into)
                person, status, merged_into = merged.id, merged.status, merged.merged_into_id
            final[citizen_id] = person
    answers: list[tuple[uuid.UUID | None, str]] = []
    for entries in records:
        found = {final[owner[k]] for e in entries if (k := (e["kind"], e["namespace"], e["value"])) in owner}
        answers.append((found.pop(), "linked") if len(found) == 1 else (None, "ambiguous" if found else "unmatched"))
    return answers


async def link_for(session: AsyncSession, identifiers: list[dict[str, str]]) -> tuple[uuid.UUID | None, str]:
    """The one person these identifiers name, or None and why (see `link_many`)."""
    return (await link_many(session, [identifiers]))[0]


async def relink(session: AsyncSession, *, citizen_id: uuid.UUID) -> int:
    """Link the unlinked records that now name this person alone (they proved a phone or email since the record
    came); returns how many were linked."""
    proved = await session.execute(
        select(Identity.kind, Identity.namespace, Identity.value).where(
            Identity.citizen_id == citizen_id,
            Identity.kind.in_(LINKING_KINDS),
            Identity.verified.is_(True) | (Identity.kind == IdentityKind.agency_record),
        )
    )
    named = [
        (RecordIdentifier.kind == kind) & (RecordIdentifier.namespace == namespace) & (RecordIdentifier.value == value)
        for kind, namespace, value in proved
    ]
    if not named:
        return 0
    waiting = await session.execute(
        select(AgencyRecord)
        .join(RecordIdentifier, RecordIdentifier.record_id == AgencyRecord.id)
        .where(AgencyRecord.citizen_id.is_(None), or_(*named))
        .distinct()
    )
    linked = 0
    for record in waiting.scalars():
        person, _ = await link_for(session, await identifiers_of(session, record.id))
        if person == citizen_id:
            record.citizen_id = citizen_id
            linked += 1
    await session.flush()
    return linked


async def identifiers_of(session: AsyncSession, record_id: uuid.UUID) -> list[dict[str, str]]:
    """The identifiers a record names its person by."""
    rows = await session.execute(
        select(RecordIdentifier.kind, RecordIdentifier.namespace, RecordIdentifier.value).where(
            RecordIdentifier.record_id == record_id
        )
    )
    return [{"kind": kind.value, "namespace": namespace, "value": value} for kind, namespace, value in rows]
