"""What agencies hold about people: the attributes each declares, and the records its own systems send.

A record arrives whole (an API `PUT` or a line of a CSV import) with the agency's id for it, the identifiers that
name the person and the values of the agency's own attributes. It is linked to a citizen by an exact identifier
(a phone or email the person proved, or the agency's record number the person was given) — only when exactly one
person matches; otherwise it is kept unlinked, and linked when that person proves one of its identifiers
(`relink`, run when their data is next used). An agency sends values only for attributes it declared:
another agency's attribute is refused (403), an unknown one is invalid (422), and nothing of that record is kept.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.models import Citizen, CitizenStatus, Identity
from townsquare.db import Change, assign, new_id
from townsquare.errors import FieldError, Problem, conflict, forbidden, invalid
from townsquare.sharing.models import (
    AgencyRecord,
    Classification,
    HeldAttribute,
    RecordIdentifier,
    RecordValue,
    ValueType,
)

T = TypeVar("T")
LINKING_KINDS = (IdentityKind.phone, IdentityKind.email, IdentityKind.agency_record)
MAX_TEXT = 1000


@dataclass(frozen=True)
class Identifier:
    kind: IdentityKind
    value: str


@dataclass(frozen=True)
class IncomingRecord:
    """A record as an agency's system sends it; values are raw, keyed by the agency's attribute codes."""

    external_id: str
    last_updated: datetime
    identifiers: list[Identifier] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    value_dates: dict[str, datetime] = field(default_factory=dict)  # a value's own last change, when it differs


@dataclass(frozen=True)
class Stored:
    """What became of a record: its row, the person it is linked to, and how (linked, unmatched, ambiguous)."""

    record_id: uuid.UUID
    citizen_id: uuid.UUID | None
    link: str
    created: bool


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


def _identifiers(agency: Agency, record: IncomingRecord, region: str) -> tuple[list[dict[str, str]], list[FieldError]]:
    kept: list[dict[str, str]] = [{"kind": IdentityKind.agency_record.value, "namespace": agency.slug,
                                   "value": record.external_id}]  # fmt: skip
    errors: list[FieldError] = []
    for index, given in enumerate(record.identifiers):
        if given.kind not in LINKING_KINDS:
            kinds = ", ".join(k.value for k in LINKING_KINDS)
            errors.append(FieldError(f"identifiers[{index}].kind", f"must be one of {kinds}"))
            continue
        namespace = agency.slug if given.kind is IdentityKind.agency_record else ""
        try:
            value = citizens.normalise(given.kind, given.value, region=region)
        except Problem:
            errors.append(FieldError(f"identifiers[{index}].value", f"not a valid {given.kind.value}"))
            continue
        entry = {"kind": given.kind.value, "namespace": namespace, "value": value}
        if entry not in kept:
            kept.append(entry)
    return kept, errors


CHUNK = 500  # values per IN (…) list: well within every database's limit on bound parameters


def _chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
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
    for values in _chunks(sorted({value for _, _, value in wanted})):
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
    for chunk in _chunks(sorted(set(owner.values()))):
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


async def check_record(
    session: AsyncSession,
    agency: Agency,
    record: IncomingRecord,
    *,
    region: str,
    prefix: str = "",
    held: dict[str, HeldAttribute] | None = None,
) -> tuple[list[dict[str, str]], dict[HeldAttribute, tuple[Any, datetime]], list[FieldError]]:
    """Everything wrong with a record at once (an attribute of another agency raises 403 at once); `held`: the
    agency's attributes, when the caller has them already."""
    held = held if held is not None else await attributes_of(session, agency_id=agency.id)
    unknown = {code for code in record.values if code not in held or not held[code].active}
    owners = await attribute_owners(session, unknown)
    others = sorted(code for code, slug in owners.items() if slug != agency.slug)
    if others:
        named = ", ".join(f"{code} ({owners[code]})" for code in others)
        raise forbidden(f"{agency.slug} may send only the attributes it holds; these belong to other agencies: {named}")
    identifiers, errors = _identifiers(agency, record, region)
    errors = [FieldError(prefix + e.field, e.message) for e in errors]
    if not record.external_id.strip() or len(record.external_id) > 128:
        errors.append(FieldError(prefix + "record_id", "must be 1 to 128 characters"))
    if record.last_updated.tzinfo is None:
        errors.append(FieldError(prefix + "last_updated", "must include a timezone offset"))
    values: dict[HeldAttribute, tuple[Any, datetime]] = {}
    for code, raw in record.values.items():
        if code in unknown:
            errors.append(FieldError(prefix + f"values.{code}", f"{agency.slug} declares no attribute '{code}'"))
            continue
        value, problem = clean_value(held[code], raw)
        when = record.value_dates.get(code, record.last_updated)
        if problem:
            errors.append(FieldError(prefix + f"values.{code}", problem))
        elif when.tzinfo is None:
            errors.append(FieldError(prefix + f"values.{code}.last_updated", "must include a timezone offset"))
        else:
            values[held[code]] = (value, when.astimezone(UTC))
    return identifiers, values, errors


async def put_record(
    session: AsyncSession,
    agency: Agency,
    record: IncomingRecord,
    *,
    source: str,
    provenance: dict[str, Any],
    region: str,
) -> Stored:
    """Create or replace the agency's record (PUT: values left out are removed). Refuses a record older than the
    one held (a late retry must not undo a newer change). Nothing is written when anything is wrong."""
    identifiers, values, errors = await check_record(session, agency, record, region=region)
    if errors:
        raise invalid("The record has values that are not acceptable; nothing was changed.", *errors)
    return await _write(session, agency, record, identifiers, values, source=source, provenance=provenance)


@dataclass(frozen=True)
class Checked:
    """A record that passed its checks, ready to write."""

    record: IncomingRecord
    identifiers: list[dict[str, str]]
    values: dict[HeldAttribute, tuple[Any, datetime]]
    provenance: dict[str, Any]


async def _write(
    session: AsyncSession,
    agency: Agency,
    record: IncomingRecord,
    identifiers: list[dict[str, str]],
    values: dict[HeldAttribute, tuple[Any, datetime]],
    *,
    source: str,
    provenance: dict[str, Any],
) -> Stored:
    return (await _write_many(session, agency, [Checked(record, identifiers, values, provenance)], source=source))[0]


async def _write_many(session: AsyncSession, agency: Agency, items: list[Checked], *, source: str) -> list[Stored]:
    """Create or replace each record with its identifiers and values, in a few statements for any number."""
    held: dict[str, AgencyRecord] = {}
    for externals in _chunks([item.record.external_id for item in items]):
        found = await session.execute(
            select(AgencyRecord).where(AgencyRecord.agency_id == agency.id, AgencyRecord.external_id.in_(externals))
        )
        held.update((old.external_id, old) for old in found.scalars())
    stale = [
        f"{item.record.external_id} (held: {row.last_updated.isoformat()})"
        for item in items
        if (row := held.get(item.record.external_id)) is not None and row.last_updated > item.record.last_updated
    ]
    if stale:
        shown = ", ".join(stale[:20]) + (f" and {len(stale) - 20} more" if len(stale) > 20 else "")
        raise conflict(f"A newer version of these records is already held: {shown}; nothing was changed.")
    links = await link_many(session, [item.identifiers for item in items])
    rows: list[AgencyRecord] = []
    for item, (citizen_id, _) in zip(items, links, strict=True):
        row = held.get(item.record.external_id)
        if row is None:
            row = AgencyRecord(id=new_id(), agency_id=agency.id, external_id=item.record.external_id)
            session.add(row)
        row.citizen_id = citizen_id
        row.source = source[:200]
        row.provenance = item.provenance
        row.last_updated = item.record.last_updated.astimezone(UTC)
        rows.append(row)
    for replaced in _chunks([old.id for old in held.values()]):
        await session.execute(delete(RecordIdentifier).where(RecordIdentifier.record_id.in_(replaced)))
        await session.execute(delete(RecordValue).where(RecordValue.record_id.in_(replaced)))
    for item, row in zip(items, rows, strict=True):
        session.add_all(
            RecordIdentifier(record_id=row.id, kind=IdentityKind(e["kind"]), namespace=e["namespace"], value=e["value"])
            for e in item.identifiers
        )
        session.add_all(
            RecordValue(record_id=row.id, attribute_id=attribute.id, value=value, last_updated=changed)
            for attribute, (value, changed) in item.values.items()
        )
    await session.flush()
    return [
        Stored(record_id=row.id, citizen_id=citizen_id, link=link, created=row.external_id not in held)
        for row, (citizen_id, link) in zip(rows, links, strict=True)
    ]


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


@dataclass
class ImportResult:
    """What a bulk import did: records created and replaced, and how many link to a person."""

    created: int = 0
    updated: int = 0
    linked: int = 0
    unmatched: int = 0
    ambiguous: int = 0


IMPORT_FIXED = ("record_id", "last_updated", "email", "phone")
MAX_IMPORT_ROWS = 100_000
MAX_ERRORS_SHOWN = 100


def _csv_records(text: str) -> tuple[list[str], list[tuple[int, IncomingRecord]], list[FieldError]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    errors: list[FieldError] = []
    if "record_id" not in columns or "last_updated" not in columns:
        return columns, [], [FieldError("header", "needs the columns record_id and last_updated")]
    rows: list[tuple[int, IncomingRecord]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(rows) >= MAX_IMPORT_ROWS:
            errors.append(FieldError("file", f"holds more than {MAX_IMPORT_ROWS:,} records; split it"))
            break
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        external = cells.get("record_id", "")
        if external in seen:
            errors.append(FieldError(f"line {line}: record_id", f"{external} is also on line {seen[external]}"))
            continue
        seen[external] = line
        try:
            changed = datetime.fromisoformat(cells.get("last_updated", "").replace("Z", "+00:00"))
        except ValueError:
            errors.append(FieldError(f"line {line}: last_updated", "must be a date and time like 2026-11-30T09:00Z"))
            continue
        named = [Identifier(IdentityKind(k), cells[k]) for k in ("email", "phone") if cells.get(k)]
        values = {c: cells[c] for c in columns if c not in IMPORT_FIXED and cells.get(c)}
        rows.append((line, IncomingRecord(external, changed, named, values)))
    return columns, rows, errors


async def import_csv(
    session: AsyncSession, agency: Agency, text: str, *, source: str, provenance: dict[str, Any], region: str
) -> ImportResult:
    """Put every record of a CSV file (record_id, last_updated, optional email and phone, then one column per
    attribute the agency holds; an empty cell is no value). All or nothing: every line is checked first, and
    one problem anywhere refuses the whole file with every problem listed by line."""
    columns, rows, errors = _csv_records(text)
    extra = {c for c in columns if c not in IMPORT_FIXED}
    held = await attributes_of(session, agency_id=agency.id)
    owners = await attribute_owners(session, {c for c in extra if c not in held})
    others = sorted(c for c, slug in owners.items() if slug != agency.slug)
    if others:
        raise forbidden(f"{agency.slug} may send only the attributes it holds; these columns belong to other "
                        f"agencies: {', '.join(others)}")  # fmt: skip
    errors += [FieldError(f"header: {c}", f"{agency.slug} declares no attribute '{c}'") for c in sorted(extra)
               if c not in held]  # fmt: skip
    checked: list[Checked] = []
    for line, record in rows:
        identifiers, values, problems = await check_record(session, agency, record, region=region,
                                                           prefix=f"line {line}: ", held=held)  # fmt: skip
        errors += problems
        checked.append(Checked(record, identifiers, values, {**provenance, "line": line}))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" ({len(errors) - len(shown)} more not listed)" if len(errors) > len(shown) else ""
        raise invalid(f"The file has {len(errors)} problem(s){more}; nothing was imported.", *shown)
    result = ImportResult()
    for stored in await _write_many(session, agency, checked, source=source):
        result.created += stored.created
        result.updated += not stored.created
        result.linked += stored.link == "linked"
        result.unmatched += stored.link == "unmatched"
        result.ambiguous += stored.link == "ambiguous"
    return result
