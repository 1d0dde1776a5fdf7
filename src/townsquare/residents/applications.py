"""Applications on the portal: start or resume a draft, save a page of answers, submit it as one case.

Answers are kept exactly as typed (even when not yet valid) and merged field by field by `drafts.service`;
submitting goes through the one pipeline, once per draft however often it is sent. Never commits halfway
through a merge, and never drops an answer silently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.forms import MAX_TEXT, validate_attributes
from townsquare.agencies.models import Agency, AttributeDatatype, Service, ServiceAttribute
from townsquare.analytics import touches
from townsquare.cases.models import Case
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.engagement import claims
from townsquare.engagement.messages import InboundAttachment, InboundMessage
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, invalid, not_found
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.notify.notifications import named
from townsquare.places import service as places
from townsquare.residents import retyped

DETAILS = "_details"  # "Anything else we should know?"
ADDRESS = "_address"  # the address or place the application is about
LAT, LONG = "_lat", "_long"  # where it is, set from the map or from the address register (open311 services)
PHOTO, PHOTO_PLACE = "_photo", "_photo_place"  # set by the server only: the kept photo, where its file said
FREE_FIELDS = (DETAILS, ADDRESS)
LOCATION_FIELDS = (ADDRESS, LAT, LONG)
MAX_ADDRESS = 500
# A date answer is stored as noon in the agency's timezone: the API wants an offset, and noon keeps the same
# calendar day whatever offset a reader converts it to within ±11 hours.
DATE_HOUR = 12

FormValue = str | list[str] | dict[str, str]
Problem = Literal["required", "number", "date", "too_long", "choice", "coordinates", "file"]
DATES = (AttributeDatatype.datetime, AttributeDatatype.date)


@dataclass(frozen=True)
class FormPage:
    """One page of the form: its number (1-based) and its questions; the last page holds the free fields.

    Services reported through Open311 and the map start with a location page ("Where is it?").
    """

    number: int
    attributes: list[ServiceAttribute]
    details: bool = False
    location: bool = False
    form_page: int = 0  # the page number the form's fields name (its title is kept under it)


@dataclass
class Submitted:
    """The outcome of sending an application: the case, or per-page problems to fix first."""

    case_reference: str | None = None
    problems: list[tuple[int, str, Problem]] = field(default_factory=list)  # (page, field code, problem)


async def service_with_form(session: AsyncSession, *, service_id: uuid.UUID) -> Service:
    """The service with its form attributes loaded."""
    stmt = select(Service).where(Service.id == service_id).options(selectinload(Service.attributes))
    service = (await session.execute(stmt)).scalar_one_or_none()
    if service is None:
        raise not_found("Service")
    return service


def form_pages(service: Service) -> list[FormPage]:
    """The question pages (one per distinct attribute page number, in order), then the details page."""
    numbers = sorted({a.page for a in service.attributes if a.variable})
    first = 2 if service.open311 else 1
    pages = [
        FormPage(
            i + first,
            sorted((a for a in service.attributes if a.variable and a.page == n), key=lambda a: a.order),
            form_page=n,
        )
        for i, n in enumerate(numbers)
    ]
    located = [FormPage(1, [], location=True)] if service.open311 else []
    return [*located, *pages, FormPage(len(pages) + first, [], details=True)]


def _attribute(service: Service, code: str) -> ServiceAttribute | None:
    return next((a for a in service.attributes if a.code == code and a.variable), None)


def allowed_fields(service: Service) -> set[str]:
    """The fields a device may save: the form's questions and the free fields (and the point, when located). A
    file question is answered by the server alone, from an upload (`residents.drafting.keep_file`)."""
    extra = set(LOCATION_FIELDS) if service.open311 else set()
    typed = {a.code for a in service.attributes if a.variable and a.datatype is not AttributeDatatype.file}
    return typed | set(FREE_FIELDS) | extra


def files_of(service: Service, answers: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The files uploaded as answers to the form's file questions: (code, what is kept of the file)."""
    found = []
    for attr in service.attributes:
        kept = answers.get(attr.code)
        if attr.datatype is AttributeDatatype.file and isinstance(kept, dict) and isinstance(kept.get("sha256"), str):
            found.append((attr.code, kept))
    return found


def coordinates(answers: dict[str, Any]) -> tuple[float, float] | None:
    """The point saved with the answers, if there is a valid one."""
    try:
        return places.coordinate(answers.get(LAT, ""), limit=90), places.coordinate(answers.get(LONG, ""), limit=180)
    except ValueError:
        return None


def _location_problems(answers: dict[str, Any]) -> dict[str, Problem]:
    address = str(answers.get(ADDRESS, "")).strip()
    lat, long = str(answers.get(LAT, "")).strip(), str(answers.get(LONG, "")).strip()
    if len(address) > MAX_ADDRESS:
        return {ADDRESS: "too_long"}
    if (lat or long) and coordinates(answers) is None:
        return {ADDRESS: "coordinates"}
    if not address and not lat:
        return {ADDRESS: "required"}
    return {}


async def place(session: AsyncSession, *, answers: dict[str, Any]) -> dict[str, str]:
    """Changes that place a location page's answers: the register's point for a typed address it recognises,
    the nearest address for a point without one. Empty when there is nothing to add (the address is kept as
    typed either way; one the register cannot place is still sent)."""
    address = str(answers.get(ADDRESS, "")).strip()
    point = coordinates(answers)
    if point is None and address:
        found = await places.match(session, text=address)
        return {LAT: f"{found.lat:.6f}", LONG: f"{found.long:.6f}"} if found is not None else {}
    if point is not None and not address:
        near = await places.nearest(session, lat=point[0], long=point[1])
        return {ADDRESS: near.address} if near is not None else {}
    return {}


def photo_of(answers: dict[str, Any]) -> dict[str, Any] | None:
    """The photo kept with the answers (its SHA-256, size and pixels), if there is one."""
    photo = answers.get(PHOTO)
    return photo if isinstance(photo, dict) and isinstance(photo.get("sha256"), str) else None


def photo_place(answers: dict[str, Any]) -> dict[str, str] | None:
    """The point the photo's file said it was taken at, offered to the person (never kept in the photo)."""
    place = answers.get(PHOTO_PLACE)
    if not isinstance(place, dict):
        return None
    found = coordinates({LAT: place.get("lat", ""), LONG: place.get("long", "")})
    return {LAT: f"{found[0]:.6f}", LONG: f"{found[1]:.6f}"} if found else None


def location_metadata(answers: dict[str, Any]) -> dict[str, Any]:
    """What the pipeline is given as `metadata["location"]`: the point and the address as the person gave them."""
    address = str(answers.get(ADDRESS, "")).strip()
    point = coordinates(answers)
    found: dict[str, Any] = {"address_string": address} if address else {}
    if point is not None:
        found |= {"lat": point[0], "long": point[1]}
    return found


def public_answers(draft: Draft) -> dict[str, Any]:
    """The answers without reserved bookkeeping."""
    return {k: v for k, v in draft.answers.items() if k != drafts.DEVICES_KEY}


def _parse_date(parts: dict[str, str]) -> date | None:
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except (KeyError, ValueError, OverflowError):
        return None


def to_stored(attr: ServiceAttribute | None, raw: Any, *, timezone: str) -> Any:
    """What the draft keeps for a field's form value: exactly what was typed, dates as ISO once they are real."""
    if attr is not None and attr.datatype is AttributeDatatype.multivaluelist:
        items = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        return list(dict.fromkeys(str(v) for v in items if str(v)))
    if attr is not None and attr.datatype in DATES and isinstance(raw, dict):
        parts = {k: str(raw.get(k, "")).strip()[:10] for k in ("day", "month", "year")}
        if not any(parts.values()):
            return ""
        day = _parse_date(parts)
        if day is None or not 1000 <= day.year <= 9999:
            return parts
        if attr.datatype is AttributeDatatype.date:
            return day.isoformat()
        return datetime.combine(day, time(DATE_HOUR), tzinfo=ZoneInfo(timezone)).isoformat()
    if isinstance(raw, (dict, list)):
        raise invalid("This answer must be plain text.", FieldError(getattr(attr, "code", "field"), "Expected text."))
    return "" if raw is None else str(raw).replace("\r\n", "\n")


def to_form(attr: ServiceAttribute | None, stored: Any) -> FormValue:
    """The value as the page's inputs show it (dates as day, month and year)."""
    if attr is not None and attr.datatype is AttributeDatatype.multivaluelist:
        return [str(v) for v in stored] if isinstance(stored, list) else ([str(stored)] if stored else [])
    if attr is not None and attr.datatype in DATES:
        if isinstance(stored, dict):
            return {k: str(stored.get(k, "")) for k in ("day", "month", "year")}
        try:
            when = datetime.fromisoformat(str(stored))
        except ValueError:
            return {"day": "", "month": "", "year": ""}
        return {"day": str(when.day), "month": str(when.month), "year": str(when.year)}
    if isinstance(stored, (list, dict)):
        return ""
    return "" if stored is None else str(stored)


def stored_changes(service: Service, agency_tz: str, form_changes: dict[str, Any]) -> dict[str, Any]:
    """Form values converted for the draft; 422 for a field the form does not have."""
    allowed = allowed_fields(service)
    unknown = [name for name in form_changes if name not in allowed]
    if unknown:
        raise invalid(
            "Some answers are for questions this form does not have.",
            *(FieldError(f"changes.{str(name)[:100]}", "No such question.") for name in unknown[:10]),
        )
    return {name: to_stored(_attribute(service, name), raw, timezone=agency_tz) for name, raw in form_changes.items()}


def problems(service: Service, page: FormPage, answers: dict[str, Any]) -> dict[str, Problem]:
    """What is wrong on one page (field code → problem), from the same checks the case is opened with."""
    found: dict[str, Problem] = {}
    if page.location:
        return _location_problems(answers)
    if page.details:
        if len(str(answers.get(DETAILS, ""))) > MAX_TEXT:
            found[DETAILS] = "too_long"
        if not service.open311 and len(str(answers.get(ADDRESS, ""))) > MAX_ADDRESS:
            found[ADDRESS] = "too_long"
        return found
    codes = {a.code for a in page.attributes}
    # Every answer so far, so a question's condition reads the earlier pages; only this page's problems count.
    _, errors = validate_attributes(service, _answered(answers, {a.code for a in service.attributes if a.variable}))
    for error in errors:
        code = error.field.removeprefix("attribute[").removesuffix("]")
        attr = _attribute(service, code)
        if attr is None or code not in codes:
            continue
        found[code] = _kind(attr, error.message)
    return found


def _answered(answers: dict[str, Any], codes: set[str]) -> dict[str, Any]:
    """The answers to these questions, blank text counting as no answer."""
    return {c: (v.strip() if isinstance(v, str) else v) for c, v in answers.items() if c in codes}


def _kind(attr: ServiceAttribute, message: str) -> Problem:
    if message.startswith("is required"):
        return "required"
    if attr.datatype is AttributeDatatype.number:
        return "number"
    if attr.datatype in DATES:
        return "date"
    if attr.datatype in (AttributeDatatype.singlevaluelist, AttributeDatatype.multivaluelist):
        return "choice"
    if attr.datatype is AttributeDatatype.file:
        return "file"
    return "too_long"


async def agency_timezone(session: AsyncSession, service: Service) -> str:
    """The timezone of the agency that runs the service."""
    agency = await session.get(Agency, service.agency_id)
    return agency.timezone if agency is not None else "America/Toronto"


# What the person's own timeline says they did, in the language they did it in (they read it on their account).
TIMELINE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "first": "Started an application: {service}",
        "device": "Continued the application on another device: {service}",
        "address": "Address or place: {address}",
    },
    "fr": {
        "first": "Demande commencée : {service}",
        "device": "Demande poursuivie sur un autre appareil : {service}",
        "address": "Adresse ou lieu : {address}",
    },
}


def _words(language: str) -> dict[str, str]:
    return TIMELINE_WORDS.get(language, TIMELINE_WORDS["en"])


async def note_visit(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    draft: Draft,
    service: Service,
    device: str,
    language: str = "en",
) -> None:
    """Record on the person's timeline, in `language`, that they started the application, or continued it on
    another device."""
    seen = await drafts.remember_device(session, draft_id=draft.id, citizen_id=draft.citizen_id, device=device)
    if seen == "known":
        await session.commit()
        return
    text = _words(language)["first" if seen == "first" else "device"].format(service=named(service, language))
    external_id = f"draft:{draft.id}:started" if seen == "first" else f"draft:{draft.id}:device:{device}"
    await pipeline.ingest(
        session,
        InboundMessage(
            channel=Channel.web,
            kind=InteractionKind.visit,
            text=text,
            citizen_id=draft.citizen_id,
            service_code=service.code,
            external_id=external_id,
            needs_person=False,
            metadata={"draft_id": str(draft.id)},
        ),
    )
    await session.commit()  # a repeated visit is answered as a duplicate, which does not commit by itself


async def start_or_resume(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    citizen_id: uuid.UUID,
    service: Service,
    device: str,
    language: str = "en",
) -> Draft:
    """The person's open draft for the service (a new one if none), with the visit recorded; commits."""
    draft = await drafts.start_or_resume(session, citizen_id=citizen_id, service_id=service.id)
    await note_visit(session, pipeline, draft=draft, service=service, device=device, language=language)
    return draft


async def check_all(session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID) -> Submitted:
    """What sending the draft now would find wrong, page by page (nothing is sent)."""
    draft = await drafts.get(session, draft_id=draft_id, citizen_id=citizen_id)
    return _check(await service_with_form(session, service_id=draft.service_id), public_answers(draft))


def _check(service: Service, answers: dict[str, Any]) -> Submitted:
    outcome = Submitted()
    for page in form_pages(service):
        outcome.problems += [(page.number, code, kind) for code, kind in problems(service, page, answers).items()]
    return outcome


async def submit(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    draft_id: uuid.UUID,
    citizen_id: uuid.UUID,
    language: str = "en",
    provenance: dict[str, dict[str, Any]] | None = None,
) -> Submitted:
    """Check every answer, then open one case through the pipeline (idempotent per draft); commits. The words
    around the answers are in `language`; `provenance` says where prefilled answers came from (kept on the case),
    and when staff filled some answers in with the person, the case keeps who entered each."""
    draft = await drafts.get(session, draft_id=draft_id, citizen_id=citizen_id)
    if draft.submitted_at is not None and draft.case_id is not None:
        case = await session.get(Case, draft.case_id)
        return Submitted(case_reference=case.reference if case else None)
    service = await service_with_form(session, service_id=draft.service_id)
    answers = public_answers(draft)
    outcome = _check(service, answers)
    if outcome.problems:
        return outcome
    clean, _ = validate_attributes(service, _answered(answers, {a.code for a in service.attributes if a.variable}))
    details, address = str(answers.get(DETAILS, "")).strip(), str(answers.get(ADDRESS, "")).strip()
    text = details + ("\n\n" + _words(language)["address"].format(address=address) if address else "")
    located = {"location": location_metadata(answers)} if service.open311 else {}
    photo = photo_of(answers)
    attachments: tuple[InboundAttachment, ...] = (
        (InboundAttachment("photo.jpg", "image/jpeg", data=pipeline.store.read(str(photo["sha256"]))),) if photo else ()
    )
    attachments += tuple(  # the form's files, as uploaded (only those of questions still asked)
        InboundAttachment(str(kept["filename"]), str(kept["content_type"]), data=pipeline.store.read(kept["sha256"]))
        for code, kept in files_of(service, answers)
        if code in clean
    )
    owner = await claims.current_citizen(session, citizen_id=citizen_id)  # a guest folded into the contact's holder
    result = await pipeline.handle(
        session,
        InboundMessage(
            channel=Channel.web,
            kind=InteractionKind.form_submission,
            citizen_id=owner.id,
            service_code=service.code,
            text=text.strip(),
            subject=service.name,
            attachments=attachments,
            metadata={
                "attributes": clean,
                "draft_id": str(draft_id),
                **({"address": address} if address else {}),
                **located,
            },
            # One case per draft: a double click or two devices sending at once meet the pipeline's dedupe.
            external_id=f"draft:{draft_id}",
        ),
    )
    if result.case_id is None:
        raise invalid("The application could not be opened as a case.")
    entered = drafts.entered_by(draft, [*clean, *(c for c in FREE_FIELDS if str(answers.get(c, "")).strip())])
    if provenance or entered:
        case = await session.get_one(Case, uuid.UUID(result.case_id))
        case.provenance = {code: dict(entry) for code, entry in (provenance or {}).items()}
        case.entered_by = entered  # filled in together with staff: who entered each answer
    again = await retyped.count(
        session, citizen_id=owner.id, service=service, answered=clean, prefilled=(provenance or {}).keys()
    )
    if again:
        await touches.asked_again(session, interaction_id=uuid.UUID(result.interaction_id), times=again)
    await drafts.mark_submitted(session, draft_id=draft_id, citizen_id=citizen_id, case_id=uuid.UUID(result.case_id))
    await session.commit()
    return Submitted(case_reference=result.case_reference)
