"""Reporting and following without an account: start a report signed out, then prove a phone or an email by a
code before it is sent ("How should we tell you about your report?"), or give one to follow a report.

What the person was doing travels as `for`: `draft:<id>` (send that report), `follow:<reference>`,
`metoo:<reference>` or `book:<appointment id>` (confirm the appointment time kept for them); it is finished here as
soon as the code is right, for whoever the contact belongs to (`residents.guests`). Translates only.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.agencies import service as agencies
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.drafts import service as drafts
from townsquare.engagement import resident_limits
from townsquare.errors import Problem, not_found
from townsquare.residents import applications as apps
from townsquare.residents import appointments as booking
from townsquare.residents import following, guests
from townsquare.residents import identities as manage
from townsquare.residents.types import Citizen, IdentityKind
from townsquare.web import cookies, i18n
from townsquare.web.appointment_words import refusal
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, set_citizen_cookie, settings_of
from townsquare.web.portal.identities import worded
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
PURPOSE = re.compile(r"^(draft|follow|metoo|book):([A-Za-z0-9-]{1,40})$")
KINDS = {"phone": IdentityKind.phone, "email": IdentityKind.email}


def _purpose(raw: str) -> tuple[str, str]:
    found = PURPOSE.match(raw.strip())
    if found is None:
        raise not_found("Page", "There is nothing waiting for a contact here.")
    return found.group(1), found.group(2)


async def _followable(session: SessionDep, kind: str, value: str, citizen: Citizen | None = None) -> None:
    """A follow or "me too" is for a public report, a booking for a time kept for this browser's person: anything
    else is not found, before any code is sent."""
    if kind == "book":
        if citizen is None or not await booking.held_for(
            session, appointment_id=_appointment(value), citizen_id=citizen.id
        ):
            raise not_found("Appointment", "No appointment time is being kept for you here.")
        return
    if kind != "draft" and not await following.is_public_report(session, reference=value):
        raise not_found("Report", "No public report has that reference.")


def _appointment(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found("Appointment", "No appointment time is being kept for you here.") from None


def _back(kind: str, value: str) -> str:
    if kind == "book":
        return "/appointments"
    return f"/applications/{value}/check" if kind == "draft" else f"/reports/{value}"


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    errors = context.get("errors") or []
    return templates.TemplateResponse(
        request, f"portal/{name}", {"error_count": len(errors), **context}, status_code=status_code
    )


async def start_guest(request: Request, session: SessionDep) -> tuple[Citizen, str] | int:
    """A guest record and session for this browser, or the seconds to wait when this client started too many."""
    settings = settings_of(request)
    decision = await resident_limits.allow_guest(
        session, limits.limiter_of(request), settings, client=limits.client_of(request)
    )
    if not decision.allowed:
        await session.commit()
        return decision.retry_after
    device = request.headers.get("user-agent", "")[:200]
    return await guests.begin(session, settings=settings, language=i18n.current(), device=device)


@router.get("/contact", response_class=HTMLResponse)
async def contact_form(
    request: Request,
    session: SessionDep,
    citizen: MaybeCitizen,
    purpose: Annotated[str, Query(alias="for", max_length=60)] = "",
) -> Response:
    """Ask how to reach the person: a phone for texts, or an email address."""
    kind, value = _purpose(purpose)
    await _followable(session, kind, value, citizen)
    if kind == "draft" and citizen is None:
        raise not_found("Draft", "No report draft of yours matches that identifier.")
    context = {"purpose": purpose, "what": kind, "how": "", "phone": "", "email": "", "errors": []}
    return _page(request, "guest_contact.html", {**context, "back": _back(kind, value)})


@router.post("/contact", response_class=HTMLResponse)
async def contact_send(
    request: Request,
    session: SessionDep,
    citizen: MaybeCitizen,
    purpose: Annotated[str, Form(alias="for", max_length=60)] = "",
    how: Annotated[str, Form(max_length=10)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Send a code to the contact chosen (starting a guest session when there is none), then ask for it."""
    kind, value = _purpose(purpose)
    await _followable(session, kind, value, citizen)
    context = {"purpose": purpose, "what": kind, "how": how, "phone": phone, "email": email, "back": _back(kind, value)}

    def again(field: str, message: str, status: int) -> Response:
        return _page(request, "guest_contact.html", {**context, "errors": [(field, message)]}, status)

    if how not in KINDS:
        return again("how", _("Choose how we should contact you"), 422)
    raw = phone if how == "phone" else email
    if citizen is None and kind == "draft":
        raise not_found("Draft", "No report draft of yours matches that identifier.")
    # The send limits first: a refused send starts no guest record.
    refused = await limits.send_refused(
        request,
        session,
        purpose="guest_contact",
        kind=KINDS[how],
        raw_value=raw,
        citizen_id=citizen.id if citizen else None,
    )
    if refused:
        return limits.with_retry_after(again(how, limits.too_many_codes(refused), limits.STATUS), refused)
    token = None
    if citizen is None:
        started = await start_guest(request, session)
        if isinstance(started, int):
            return limits.with_retry_after(again(how, limits.too_many_codes(started), limits.STATUS), started)
        citizen, token = started
    try:
        await guests.send_code(
            session, settings=settings_of(request), citizen_id=citizen.id, kind=KINDS[how], raw_value=raw
        )
    except Problem as problem:
        await session.rollback()
        return again(how, worded(problem), problem.status)
    await session.commit()
    response = RedirectResponse(f"/contact/code?for={purpose}", status_code=303)
    if token is not None:
        set_citizen_cookie(response, token, settings_of(request))
    return response


async def _code_page(
    request: Request,
    session: SessionDep,
    citizen: Citizen,
    purpose: str,
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    sent = await guests.pending(session, citizen_id=citizen.id)
    _purpose(purpose)
    context = {
        "purpose": purpose,
        "sent_to": sent[1] if sent else "",
        "by_text": bool(sent and sent[0] is IdentityKind.phone),
        "errors": errors,
        "back": f"/contact?for={purpose}",
    }
    return _page(request, "guest_code.html", context, status)


@router.get("/contact/code", response_class=HTMLResponse)
async def code_form(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    purpose: Annotated[str, Query(alias="for", max_length=60)] = "",
) -> Response:
    """Ask for the code just sent."""
    _purpose(purpose)
    if await guests.pending(session, citizen_id=citizen.id) is None:
        return RedirectResponse(f"/contact?for={purpose}", status_code=303)
    return await _code_page(request, session, citizen, purpose, [])


@router.post("/contact/code", response_class=HTMLResponse)
async def code_check(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    purpose: Annotated[str, Form(alias="for", max_length=60)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Check the code; a right one finishes what the person was doing, for whoever the contact belongs to."""
    kind, value = _purpose(purpose)
    guest_id = citizen.id
    draft_id = await _own_draft(session, guest_id, value) if kind == "draft" else None
    if kind == "book":
        await _followable(session, kind, value, citizen)
    refused = await limits.guess_refused(request, session, purpose="guest_code", citizen_id=guest_id)
    if refused:
        errors = [("code", limits.too_many_wrong_codes(refused))]
        return limits.with_retry_after(
            await _code_page(request, session, citizen, purpose, errors, limits.STATUS), refused
        )
    try:
        verified = await guests.confirm(session, settings=settings_of(request), citizen_id=guest_id, code=code)
    except Problem as problem:
        await session.commit()  # the attempt counts
        if manage.reason_of(problem) in ("code_wrong", "code_exhausted"):
            await limits.count_wrong_code(request, citizen_id=guest_id)
        return await _code_page(request, session, citizen, purpose, [("code", worded(problem))], problem.status)
    if kind == "book":
        return await _confirm_booking(request, session, _appointment(value), verified)
    if draft_id is not None:
        owner = verified.citizen_id if draft_id in verified.moved_drafts else guest_id
        await session.commit()
        sent = await apps.submit(
            session, request.app.state.pipeline, draft_id=draft_id, citizen_id=owner, language=i18n.current()
        )
        target = f"/reports/{sent.case_reference}?sent=1" if verified.folded else f"/applications/{draft_id}/done"
    else:
        reference = await following.follow(
            session, reference=value, citizen_id=verified.citizen_id, me_too=kind == "metoo"
        )
        await session.commit()
        target = f"/reports/{reference}?followed=1"
    response = RedirectResponse(target, status_code=303)
    if verified.folded:  # the contact is someone's: their report, but not their account
        cookies.forget(response, CITIZEN_COOKIE, settings_of(request))
    return response


async def _confirm_booking(
    request: Request, session: SessionDep, appointment_id: uuid.UUID, verified: guests.Verified
) -> Response:
    """The contact is proved: the time kept becomes the booking of whoever the contact belongs to."""
    await session.commit()  # the proved contact stays proved, whatever happens to the time
    try:
        path = await booking.confirm_held(
            session,
            settings_of(request),
            appointment_id=appointment_id,
            citizen_id=verified.citizen_id,
            now=utcnow(),
        )
    except Problem as problem:
        await session.rollback()
        raise Problem(
            problem.status, problem.title, refusal(problem), problem.type_slug, extra={"worded": _("Not booked")}
        ) from None
    await session.commit()
    response = RedirectResponse(path + "?booked=1", status_code=303)
    if verified.folded:  # the contact is someone's: their appointment, but not their account
        cookies.forget(response, CITIZEN_COOKIE, settings_of(request))
    return response


async def _own_draft(session: SessionDep, citizen_id: uuid.UUID, raw: str) -> uuid.UUID:
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        raise not_found("Draft", "No report draft of yours matches that identifier.") from None
    return (await drafts.get(session, draft_id=wanted, citizen_id=citizen_id)).id


@router.post("/services/{code}/report", response_class=HTMLResponse)
async def report_as_guest(request: Request, session: SessionDep, citizen: MaybeCitizen, code: str) -> Response:
    """Start a report without an account: a guest session for this browser, then the report's first page."""
    service = await agencies.get_service(session, code=code[:64])
    if citizen is None:
        if not (service.active and service.open311):
            raise not_found("Service", "Only a problem report can be started without an account.")
        started = await start_guest(request, session)
        if isinstance(started, int):
            context = {"service": service, "error": limits.wait_sentence(started)}
            page = templates.TemplateResponse(request, "portal/report_start.html", context, status_code=limits.STATUS)
            return limits.with_retry_after(page, started)
        citizen, token = started
        await session.commit()
        response = RedirectResponse(f"/services/{service.code}/apply", status_code=303)
        set_citizen_cookie(response, token, settings_of(request))
        return response
    return RedirectResponse(f"/services/{service.code}/apply", status_code=303)
