"""Tell us once, for agency systems: `/api/v1/agency-records` (an agency's own system sends what it holds about
people, one record at a time or as a CSV file) and `/api/v1/persons/{id}` (another agency's system reads a person's
attributes, only under an agreement in force and the person's consent, MyInfo style).

Every record received and every read or refusal is written to the access log the person sees.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.api.deps import SettingsDep
from townsquare.citizens import service as citizens
from townsquare.db.deps import SessionDep
from townsquare.engagement import record_intake
from townsquare.engagement.access import purpose as route_purpose
from townsquare.errors import FieldError, Problem, forbidden, invalid
from townsquare.sharing import access
from townsquare.sharing.records import Identifier, IncomingRecord, import_csv, put_record
from townsquare.sharing.schemas import (
    AgencyRecordIn,
    AgencyRecordOut,
    DatedValueIn,
    ImportOut,
    PersonOut,
    SharedValueOut,
)
from townsquare.staff.auth import CurrentPrincipal, Principal, Rule, enforces

router = APIRouter(tags=["tell us once"])

AGENCY_SYSTEM = Rule("agency-system", 2, "the agency's own system: a key (or staff) of that agency and no other")
READER = Rule("reader-agency", 2, "a key (or staff) of the reading agency; reads only under an agreement and consent")
CSV_LIMIT = 20 * 1024 * 1024


@enforces(AGENCY_SYSTEM)
async def agency_system(agency: str, session: SessionDep, principal: CurrentPrincipal) -> tuple[Principal, Agency]:
    """The agency named in the path, if the caller is that agency's own (not an all-agency key or an admin)."""
    row = await agencies.get_agency(session, slug=agency)  # 404 for an unknown slug
    if principal.agency_ids is None or row.id not in principal.agency_ids:
        raise forbidden(f"Only {row.slug}'s own systems may send its records; this key does not belong to it.")
    return principal, row


AgencySystem = Annotated[tuple[Principal, Agency], Depends(agency_system)]


def _incoming(external_id: str, body: AgencyRecordIn) -> IncomingRecord:
    values: dict[str, Any] = {}
    dates = {}
    for code, given in body.values.items():
        if isinstance(given, DatedValueIn):
            values[code] = given.value
            if given.last_updated is not None:
                dates[code] = given.last_updated
        else:
            values[code] = given
    named = [Identifier(i.kind, i.value) for i in body.identifiers]
    return IncomingRecord(external_id, body.last_updated, named, values, dates)


@router.put(
    "/api/v1/agency-records/{agency}/{record_id}",
    response_model=AgencyRecordOut,
    responses={201: {"model": AgencyRecordOut, "description": "A record the platform did not hold yet"}},
)
async def put_agency_record(
    record_id: str,
    body: AgencyRecordIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    system: AgencySystem,
) -> AgencyRecordOut:
    """Create or replace the agency's record of one person (values left out are removed). Refused: another
    agency's attribute (403), an unknown one or a bad value (422), a record older than the one held (409)."""
    principal, agency = system
    incoming = _incoming(record_id, body)
    stored = await put_record(
        session,
        agency,
        incoming,
        source=body.source or principal.name,
        provenance={"via": "api", "actor": principal.kind, "actor_id": principal.actor_id},
        region=settings.default_region,
    )
    principal.audit(
        session,
        action="agency_record.put",
        subject_kind="agency_record",
        subject_id=str(stored.record_id),
        citizen_id=stored.citizen_id,
        agency_id=agency.id,
        detail={"attributes": sorted(body.values), "link": stored.link},
        purpose=f"PUT /api/v1/agency-records/{agency.slug}",
    )
    # One person, one record: the record also joins the citizen base's linking (its own link is unchanged).
    await record_intake.agency_record(
        session, settings, agency_slug=agency.slug, record=incoming, citizen_id=stored.citizen_id
    )
    await session.commit()
    response.status_code = status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK
    return AgencyRecordOut(
        record_id=stored.record_id,
        agency=agency.slug,
        external_id=record_id,
        citizen_id=stored.citizen_id,
        link=stored.link,
        created=stored.created,
    )


@router.post(
    "/api/v1/agency-records/{agency}/import",
    response_model=ImportOut,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
)
async def import_agency_records(
    request: Request, session: SessionDep, settings: SettingsDep, system: AgencySystem
) -> ImportOut:
    """A CSV file of records: `record_id`, `last_updated`, optional `email` and `phone`, then one column per
    attribute the agency holds (an empty cell: no value). All or nothing: one bad line refuses the file (422,
    every problem listed by line)."""
    principal, agency = system
    if not request.headers.get("content-type", "").startswith("text/csv"):
        raise Problem(415, "Unsupported media type", "Send the file as text/csv (UTF-8).", "unsupported-media-type")
    raw = await request.body()
    if len(raw) > CSV_LIMIT:
        raise Problem(413, "Content too large", f"A file may be at most {CSV_LIMIT // 1024 // 1024} MB.", "too-large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("The file is not UTF-8 text.", FieldError("file", "not UTF-8")) from None
    result = await import_csv(
        session,
        agency,
        text,
        source=principal.name,
        provenance={"via": "csv", "actor": principal.kind, "actor_id": principal.actor_id},
        region=settings.default_region,
    )
    principal.audit(
        session,
        action="agency_record.import",
        subject_kind="agency",
        subject_id=str(agency.id),
        agency_id=agency.id,
        detail=asdict(result),
        purpose=f"POST /api/v1/agency-records/{agency.slug}/import",
    )
    await session.commit()
    return ImportOut(**asdict(result))


@enforces(READER)
async def reader_agency(
    session: SessionDep,
    principal: CurrentPrincipal,
    agency: str | None = Query(None, description="The reading agency, for a caller who works for several"),
) -> tuple[Principal, Agency]:
    """The agency the caller reads for: its only one, or the one it names among its own."""
    if agency is None:
        if principal.agency_ids is None or len(principal.agency_ids) != 1:
            raise invalid(
                "Name the agency you read for (?agency=slug).", FieldError("agency", "needed for this caller")
            )
        (agency_id,) = principal.agency_ids
        found = await agencies.agencies_by_id(session, ids={agency_id})
        return principal, found[agency_id]
    row = await agencies.get_agency(session, slug=agency)
    if not principal.may_see(row.id):
        raise forbidden(f"This caller does not work for {row.slug}.")
    return principal, row


@router.get("/api/v1/persons/{person_id}", response_model=PersonOut)
async def read_person(
    person_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    reader: Annotated[tuple[Principal, Agency], Depends(reader_agency)],
    attributes: str = Query(
        min_length=3, max_length=2000, description="Comma-separated agency.code, e.g. revenue.household_income"
    ),
    purpose: str = Query(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]+$"),
) -> PersonOut:
    """The person's attributes the reading agency may see for this purpose, each with its source, classification
    and last change. One attribute not covered by an agreement in force and the person's consent refuses the
    whole read (403, logged); nothing is revealed."""
    principal, consumer = reader
    keys = list(dict.fromkeys(k.strip() for k in attributes.split(",") if k.strip()))
    if not keys or len(keys) > 50:
        raise invalid("Name 1 to 50 attributes.", FieldError("attributes", "1 to 50, comma-separated"))
    person = await citizens.get(session, citizen_id=person_id)  # 404 when there is no such person
    grants = await access.read(
        session,
        reader=access.Reader(principal.kind, principal.actor_id, consumer.id, "api", route_purpose(request)),
        consumer=consumer,
        citizen_id=person.id,
        keys=keys,
        purpose=purpose,
    )
    return PersonOut(
        person_id=person.id,
        purpose=purpose,
        reader_agency=consumer.slug,
        attributes=[
            SharedValueOut(
                attribute=g.key,
                name=g.attribute.name,
                value=g.held.value if g.held else None,
                source_agency=g.key.split(".", 1)[0],
                classification=g.attribute.classification.value,
                verified=g.attribute.verified,
                last_updated=g.held.last_updated if g.held else None,
                agreement=f"{g.agreement.reference} v{g.agreement.version}",
                consent_id=g.consent_id,
            )
            for g in grants
        ],
    )
