"""Records an agency's own system sends: whole (an API `PUT`, or a line of a CSV file taken all or nothing), with
the agency's id for the record, the identifiers naming the person and the values of the agency's own attributes.

Another agency's attribute is refused (403), an unknown one or a bad value is invalid (422), a record older than
the one held is refused (409): nothing of a refused record or file is kept. Records are written in bulk, a few
statements for any number; each links to its person through `sharing.linking`.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.db import new_id
from townsquare.errors import FieldError, Problem, conflict, forbidden, invalid
from townsquare.sharing.holdings import attribute_owners, attributes_of, clean_value
from townsquare.sharing.linking import LINKING_KINDS, chunks, link_many
from townsquare.sharing.models import AgencyRecord, HeldAttribute, RecordIdentifier, RecordValue

IMPORT_FIXED = ("record_id", "last_updated", "email", "phone")
MAX_IMPORT_ROWS = 100_000
MAX_ERRORS_SHOWN = 100


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
    for externals in chunks([item.record.external_id for item in items]):
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
    for replaced in chunks([old.id for old in held.values()]):
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


@dataclass
class ImportResult:
    """What a bulk import did: records created and replaced, and how many link to a person."""

    created: int = 0
    updated: int = 0
    linked: int = 0
    unmatched: int = 0
    ambiguous: int = 0


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
