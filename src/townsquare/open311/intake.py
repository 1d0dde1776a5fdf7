"""Open311 submissions onto the engagement pipeline: new service requests and integrators' updates.

Every argument is checked first and every problem reported at once; only a fully valid submission reaches the
pipeline, whose transaction also holds the Open311 record and the audit entry. Logs ids only, never personal data.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import forms
from townsquare.agencies.models import Service, ServiceType
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseUpdate, Open311Submission
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, invalid
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.open311 import service as o311
from townsquare.open311.params import Params
from townsquare.places.models import Place
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey

log = logging.getLogger(__name__)
# Markup is refused in descriptions (the spec: "not html or code"); a lone "<" in "a < b" is fine.
_MARKUP = re.compile(r"<\s*[A-Za-z!/?]")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def actor(key: ApiKey) -> Principal:
    """The integrator as the audit log names it."""
    scope = None if key.agency_id is None else frozenset({key.agency_id})
    return Principal(kind="api_key", id=key.id, name=key.name, role=None, agency_ids=scope)


def check_text(params: Params, name: str, *, limit: int = o311.MAX_DESCRIPTION) -> str:
    """Free text without markup, within the limit."""
    text = params.get(name) or ""
    if len(text) > limit:
        params.add(400, f"{name} is {len(text)} characters; at most {limit} are accepted")
    if _MARKUP.search(text):
        params.add(400, f"{name} may not contain HTML, XML or code")
    return text


def check_media_url(params: Params) -> str | None:
    url = params.get("media_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        params.add(400, "media_url must be an http or https address of at most 1000 characters")
        return None
    return url


def check_contact(params: Params, *, region: str) -> tuple[str | None, str | None]:
    """The reporter's email and phone, normalised; malformed ones are problems."""
    email = params.get("email")
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            params.add(400, "email is not an email address")
            email = None
    phone = params.get("phone")
    if phone is not None:
        try:
            number = phonenumbers.parse(phone, region)
            ok = phonenumbers.is_possible_number(number)
        except phonenumbers.NumberParseException:
            ok = False
        if ok:
            phone = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        else:
            params.add(400, "phone is not a phone number")
            phone = None
    return email, phone


def sender(params: Params, key: ApiKey, email: str | None, phone: str | None) -> Sender | None:
    """Who reported it: their email, else their phone, else their account in the integrator's app, else nobody."""
    name = " ".join(p for p in (params.get("first_name"), params.get("last_name")) if p)[:200] or None
    if email:
        return Sender(kind=IdentityKind.email, value=email, display_name=name)
    if phone:
        return Sender(kind=IdentityKind.phone, value=phone, display_name=name)
    account = params.get("account_id")
    if account:
        return Sender(kind=IdentityKind.app_account, value=account[:200], namespace=str(key.id), display_name=name)
    return None


async def check_location(session: AsyncSession, params: Params) -> dict[str, Any]:
    """lat & long, address_string or address_id: at least one, coordinates in range and in pairs."""
    lat = params.number("lat", low=-90, high=90)
    long = params.number("long", low=-180, high=180)
    has_lat, has_long = params.get("lat") is not None, params.get("long") is not None
    if has_lat != has_long:
        params.add(400, "lat and long must be sent together")
    address = params.get("address_string")
    address_id = params.get("address_id")
    if address is not None and len(address) > 500:
        params.add(400, "address_string may be at most 500 characters")
    if address_id is not None:
        found = await session.execute(select(Place.id).where(Place.address_id == address_id))
        if found.first() is None:
            params.add(404, "address_id not found")
    if not (has_lat and has_long) and address is None and address_id is None:
        params.add(400, "a location is required: lat and long, address_string or address_id")
    zipcode = params.get("zipcode")
    location = {
        "lat": lat,
        "long": long,
        "address_string": address,
        "address_id": address_id,
        "zipcode": zipcode[:16] if zipcode else None,
    }
    return {k: v for k, v in location.items() if v is not None}


@dataclass(frozen=True)
class NewRequest:
    """A checked POST requests."""

    service: Service
    description: str
    location: dict[str, Any]
    attributes: dict[str, Any]
    sender: Sender | None
    media_url: str | None
    device_id: str | None
    account_id: str | None
    idempotency_key: str | None = None  # the client's `Idempotency-Key`: a retry is answered as the first was


def check_idempotency_key(params: Params, raw: str | None) -> str | None:
    """The `Idempotency-Key` header, if sent: 1 to 200 printable ASCII characters (a UUID, say)."""
    if raw is None:
        return None
    value = raw.strip().strip('"')
    if not IDEMPOTENCY_KEY.fullmatch(value):
        params.add(400, "Idempotency-Key must be 1 to 200 printable ASCII characters")
        return None
    return value


async def check_request(
    session: AsyncSession,
    params: Params,
    *,
    key: ApiKey,
    service: Service | None,
    region: str,
    idempotency_key: str | None = None,
) -> NewRequest | None:
    """Every problem of a POST requests at once (on `params.problems`), else the request.

    Without a known service the form cannot be checked, but everything else still is.
    """
    description = check_text(params, "description")
    location = await check_location(session, params)
    clean: dict[str, Any] = {}
    if service is not None:
        clean, problems = forms.validate_attributes(service, params.attributes())
        for problem in problems:
            params.add(400, f"{problem.field} {problem.message}")
    email, phone = check_contact(params, region=region)
    media_url = check_media_url(params)
    for name in ("first_name", "last_name", "device_id", "account_id"):
        if len(params.get(name) or "") > 200:
            params.add(400, f"{name} may be at most 200 characters")
    if params.problems or service is None:
        return None
    return NewRequest(
        service=service,
        description=description,
        location=location,
        attributes=clean,
        sender=sender(params, key, email, phone),
        media_url=media_url,
        device_id=params.get("device_id"),
        account_id=params.get("account_id"),
        idempotency_key=idempotency_key,
    )


async def submit_request(
    session: AsyncSession, pipeline: Pipeline, *, key: ApiKey, request: NewRequest
) -> tuple[Case, Open311Submission]:
    """Open the case through the engagement flow, with the Open311 record and the audit entry; does not commit.

    A request sent again with the same `Idempotency-Key` by the same key (a client retrying after a timeout) is
    recognised by the flow as a redelivery: the first request's case and record are returned, nothing is added."""
    service = request.service
    redelivery = f"open311:{key.id}:{request.idempotency_key}" if request.idempotency_key else None
    message = InboundMessage(
        channel=Channel.api,
        external_id=redelivery,
        kind=InteractionKind.form_submission,
        service_code=service.code,
        text=request.description,
        subject=service.name,
        sender=request.sender,
        metadata={
            "attributes": request.attributes,
            "location": request.location,
            "media_url": request.media_url,
            "via": "open311",
            "integrator": key.name,
            "device_id": request.device_id,
            "account_id": request.account_id,
        },
    )
    outcome = await pipeline.handle(session, message)
    if outcome.case_id is None:  # pragma: no cover - a form submission for a service always opens one
        raise RuntimeError("the flow opened no case for an Open311 request")
    case = await session.get_one(Case, uuid.UUID(outcome.case_id))
    if outcome.duplicate:
        first = select(Open311Submission).where(Open311Submission.case_id == case.id)
        earlier = (await session.execute(first)).scalar_one_or_none()
        if earlier is not None and earlier.api_key_id == key.id:
            log.info("open311 request %s sent again by key %s; answered as the first time", case.reference, key.id)
            return case, earlier
        raise invalid(
            "That Idempotency-Key was used for another request; send a new one.",
            FieldError("Idempotency-Key", "already used"),
        )
    submission = Open311Submission(
        case_id=case.id,
        api_key_id=key.id,
        token=secrets.token_urlsafe(16) if service.type is ServiceType.batch else None,
        device_id=request.device_id,
        account_id=request.account_id,
    )
    session.add(submission)
    actor(key).audit(
        session,
        action="open311.request",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=case.citizen_id,
        agency_id=case.agency_id,
        detail={"service_code": service.code, "reference": case.reference},
    )
    await session.flush()
    log.info("open311 request %s opened by key %s", case.reference, key.id)
    return case, submission


@dataclass(frozen=True)
class NewUpdate:
    """A checked POST servicerequestupdates."""

    case: Case
    external_id: str
    status: str
    description: str
    sender: Sender | None
    media_url: str | None


async def check_update(session: AsyncSession, params: Params, *, key: ApiKey, region: str) -> NewUpdate | None:
    """Every problem of a POST servicerequestupdates at once, else the update."""
    reference = params.get("service_request_id")
    case = None
    if reference is None:
        params.add(400, "service_request_id was not provided")
    else:
        case = await o311.public_case(session, reference=reference)
        if case is not None and not actor(key).may_see(case.agency_id):
            case = None  # a key of one agency comments on that agency's reports only; others read as unknown
        if case is None:
            params.add(404, "service_request_id not found")
    external_id = params.get("update_id_ext") or params.get("update_id")
    if external_id is None:
        params.add(400, "update_id_ext (or update_id) was not provided")
    elif len(external_id) > 100:
        params.add(400, "update_id_ext may be at most 100 characters")
    status = (params.get("status") or "").lower()
    if not status:
        params.add(400, "status was not provided")
    elif status not in o311.UPDATE_STATUSES:
        params.add(400, f"status must be one of {', '.join(sorted(o311.UPDATE_STATUSES))}")
    params.datetime("updated_datetime")
    description = check_text(params, "description")
    if not description:
        params.add(400, "description was not provided")
    email, phone = check_contact(params, region=region)
    media_url = check_media_url(params)
    if params.problems or case is None or external_id is None:
        return None
    return NewUpdate(
        case=case,
        external_id=external_id,
        status=status,
        description=description,
        sender=sender(params, key, email, phone),
        media_url=media_url,
    )


async def existing_update(session: AsyncSession, *, key: ApiKey, external_id: str) -> CaseUpdate | None:
    stmt = select(CaseUpdate).where(CaseUpdate.api_key_id == key.id, CaseUpdate.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def submit_update(session: AsyncSession, pipeline: Pipeline, *, key: ApiKey, update: NewUpdate) -> CaseUpdate:
    """Put the comment in front of staff on the case and record it as an update; a resend gives the first one.

    The case keeps its status: a reporter's "fixed" or "closed" is a note for staff, never a decision.
    """
    found = await existing_update(session, key=key, external_id=update.external_id)
    if found is not None:
        return found
    case = update.case
    message = InboundMessage(
        channel=Channel.api,
        text=update.description,
        sender=update.sender,
        case_reference=case.reference,
        agency_scope=actor(key).agency_ids,
        subject=f"Update on {case.reference}",
        metadata={
            "via": "open311",
            "integrator": key.name,
            "reported_status": update.status,
            "update_id_ext": update.external_id,
            "media_url": update.media_url,
        },
    )
    await pipeline.handle(session, message)
    try:
        row = await cases.record_update(
            session,
            case=case,
            status=case.status,
            note=update.description,
            source="open311",
            api_key_id=key.id,
            external_id=update.external_id,
            media_url=update.media_url,
        )
        await session.flush()
    except IntegrityError:
        # The same update raced itself; the other delivery won, and this one keeps nothing.
        await session.rollback()
        found = await existing_update(session, key=key, external_id=update.external_id)
        if found is None:
            raise
        return found
    actor(key).audit(
        session,
        action="open311.update",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=case.citizen_id,
        agency_id=case.agency_id,
        detail={"update_id": str(row.id), "reported_status": update.status},
    )
    log.info("open311 update %s on %s from key %s", row.id, case.reference, key.id)
    return row
