"""The resident's account: the overview's parts, adding a phone (SMS code) or an email (emailed link), removing a
contact, contact preferences and downloading everything we hold about them.

Plain forms with POST-redirect-GET, so all of it works without JavaScript; the orchestration lives in
`residents.identities`, and nothing here writes personal data to the logs.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.residents import identities as manage
from townsquare.residents import visits
from townsquare.residents.types import Citizen, IdentityKind
from townsquare.web import times
from townsquare.web.i18n import LANGUAGE_COOKIE, ngettext
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, own_identity, settings_of
from townsquare.web.portal.language import remember_language
from townsquare.web.portal.services import continue_where_left_off
from townsquare.web.templating import templates

UNFINISHED_SHOWN = 20  # the account page lists every application the resident has not sent, up to this many
router = APIRouter(include_in_schema=False)
OWNED = [Depends(own_identity)]  # the record in the path is the signed-in resident's


def when(value: datetime | None) -> str:
    """A date and time as every page writes it, in the page's language and the city's time zone."""
    return times.when(value)


BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"), ("Mac OS", "macOS"))


def device_name(user_agent: str) -> str:
    """A browser as people name it ("Firefox, Android"), from its user-agent string; the raw string otherwise."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "Linux" if "Linux" in user_agent else None)
    if browser and system:
        return f"{browser}, {system}"
    return browser or user_agent[:80]


def worded(problem: Problem) -> str:
    """A problem worded for the reader, in their language."""
    reason = manage.reason_of(problem)
    if reason == "code_wrong":
        left = int(problem.extra.get("attempts_left", 0))
        return ngettext(
            "That code is not right. You can try %(num)d more time.",
            "That code is not right. You can try %(num)d more times.",
            left,
        ) % {"num": left}
    messages = {
        "not_a_phone": _("Enter a phone number, like 613 555 0142 or +1 613 555 0142"),
        "not_an_email": _("Enter an email address in the correct format, like name@example.com"),
        "opted_out": _("This number asked us to stop sending texts. Text START to our number first, then try again."),
        "too_many_codes": _("You have asked for too many codes in the last hour. Wait a while, then try again."),
        "too_many_links": _("You have asked for too many links in the last hour. Wait a while, then try again."),
        "already_yours": _("This is already on your account and verified."),
        "code_format": _("Enter the 6-digit code from the text message, in numbers only"),
        "no_code": _("There is no code waiting for you. Ask for a new code."),
        "code_expired": _("That code has expired. Ask for a new code."),
        "code_exhausted": _("You have entered a wrong code too many times. Ask for a new code."),
        "elsewhere": _("This is already linked to another account. Contact us and we will sort it out."),
        "link_invalid": _("That link has been used or has expired. Ask for a new one from your account."),
        "last_sign_in": _(
            "This is the only way you sign in, so you cannot remove it. Add another email address first."
        ),
        "not_found": _("That is not one of your contacts."),
        "bad_language": _("Choose English or French"),
        "bad_channel": _("Choose only ways of contacting you that are on your account and verified"),
        "quiet_same": _("Quiet hours must start and end at different times"),
    }
    return messages.get(reason, problem.detail)


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    errors = context.get("errors") or []
    context = {"error_count": len(errors), **context}
    return templates.TemplateResponse(request, f"portal/{name}", context, status_code=status_code)


async def overview_context(request: Request, session: SessionDep, record: Citizen) -> dict[str, Any]:
    """What the account overview shows of `record` (identities loaded): contacts, preferences, devices, news."""
    devices = await sessions.live_sessions(session, citizen_id=record.id)
    return {
        "citizen": record,
        "contacts": [i for i in record.identities if i.kind in manage.MANAGED],
        "devices": devices,
        "drafts": await continue_where_left_off(session, record, limit=UNFINISHED_SHOWN),
        "updated": request.query_params.get("updated", ""),
        "when": when,
        "device_name": device_name,
    }


# --- a phone, by SMS code ---------------------------------------------------------------------------------------


@router.get("/account/identities/phone/new", response_class=HTMLResponse)
async def phone_form(request: Request, citizen: CurrentCitizen, phone: str = "") -> Response:
    """Ask for the number to text a code to."""
    return _page(request, "identity_phone.html", {"phone": phone[:40], "errors": [], "back": "/account"})


@router.post("/account/identities/phone/new", response_class=HTMLResponse)
async def phone_send(
    request: Request, session: SessionDep, citizen: CurrentCitizen, phone: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """Text a one-time code to the number, then ask for it."""
    refused = await limits.send_refused(
        request, session, purpose="add_phone", kind=IdentityKind.phone, raw_value=phone, citizen_id=citizen.id
    )
    if refused:
        context = {"phone": phone, "errors": [("phone", limits.too_many_codes(refused))], "back": "/account"}
        page = _page(request, "identity_phone.html", context, status_code=limits.STATUS)
        return limits.with_retry_after(page, refused)
    try:
        await manage.start_phone(session, settings=settings_of(request), citizen_id=citizen.id, raw_phone=phone)
    except Problem as problem:
        await session.rollback()
        errors = [("phone", worded(problem))]
        context = {"phone": phone, "errors": errors, "back": "/account"}
        return _page(request, "identity_phone.html", context, status_code=problem.status)
    await session.commit()
    return RedirectResponse("/account/identities/phone/code", status_code=303)


@router.get("/account/identities/phone/code", response_class=HTMLResponse)
async def code_form(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Ask for the code just texted."""
    number = await manage.pending_phone(session, citizen_id=citizen.id)
    if number is None:
        return RedirectResponse("/account/identities/phone/new", status_code=303)
    context = {"number": number, "errors": [], "back": "/account/identities/phone/new"}
    return _page(request, "identity_code.html", context)


@router.post("/account/identities/phone/code", response_class=HTMLResponse)
async def code_check(
    request: Request, session: SessionDep, citizen: CurrentCitizen, code: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Check the code; a right one adds the phone, verified. Every try counts, so it is saved either way."""
    citizen_id = citizen.id
    refused = await limits.guess_refused(request, session, purpose="phone_code", citizen_id=citizen_id)
    if refused:
        number = await manage.pending_phone(session, citizen_id=citizen_id)
        errors = [("code", limits.too_many_wrong_codes(refused))]
        context = {"number": number, "errors": errors, "back": "/account/identities/phone/new"}
        return limits.with_retry_after(_page(request, "identity_code.html", context, limits.STATUS), refused)
    try:
        await manage.confirm_phone(session, settings=settings_of(request), citizen_id=citizen_id, code=code)
    except Problem as problem:
        await session.commit()  # the attempt counts
        if manage.reason_of(problem) in ("code_wrong", "code_exhausted"):
            await limits.count_wrong_code(request, citizen_id=citizen_id)
        number = await manage.pending_phone(session, citizen_id=citizen_id)
        errors = [("code", worded(problem))]
        context = {"number": number, "errors": errors, "back": "/account/identities/phone/new"}
        return _page(request, "identity_code.html", context, status_code=problem.status)
    await session.commit()
    return RedirectResponse("/account?updated=phone", status_code=303)


# --- an email address, by emailed link -------------------------------------------------------------------------


@router.get("/account/identities/email/new", response_class=HTMLResponse)
async def email_form(request: Request, citizen: CurrentCitizen, email: str = "") -> Response:
    """Ask for the address to send a confirmation link to."""
    return _page(request, "identity_email.html", {"email": email[:320], "errors": [], "back": "/account"})


@router.post("/account/identities/email/new", response_class=HTMLResponse)
async def email_send(
    request: Request, session: SessionDep, citizen: CurrentCitizen, email: Annotated[str, Form(max_length=320)] = ""
) -> Response:
    """Email a one-time link that adds the address to this account."""
    settings = settings_of(request)
    refused = await limits.send_refused(
        request, session, purpose="add_email", kind=IdentityKind.email, raw_value=email, citizen_id=citizen.id
    )
    if refused:
        context = {"email": email, "errors": [("email", limits.too_many_links(refused))], "back": "/account"}
        page = _page(request, "identity_email.html", context, status_code=limits.STATUS)
        return limits.with_retry_after(page, refused)
    try:
        address = await manage.start_email(session, settings=settings, citizen_id=citizen.id, raw_email=email)
    except Problem as problem:
        await session.rollback()
        context = {"email": email, "errors": [("email", worded(problem))], "back": "/account"}
        return _page(request, "identity_email.html", context, status_code=problem.status)
    await session.commit()
    sent: dict[str, Any] = {"address": address, "minutes": settings.sign_in_link_minutes, "back": "/account"}
    return _page(request, "identity_email_sent.html", sent)


@router.get("/account/identities/email/confirm/{token}", response_class=HTMLResponse)
async def email_confirm_form(request: Request, token: str) -> Response:
    """A button that uses the link: mail scanners that open links must not use it up."""
    return _page(request, "identity_email_confirm.html", {"token": token[:100], "errors": []})


@router.post("/account/identities/email/confirm/{token}", response_class=HTMLResponse)
async def email_confirm(request: Request, token: str, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Use the link: the address joins, verified, the account that asked for it, whoever is signed in here."""
    signed_in = citizen.id if citizen is not None else None
    try:
        attached = await manage.confirm_email(session, token=token[:100])
    except Problem as problem:
        await session.commit()  # a used link stays used; a refusal is audited
        context = {"token": token[:100], "errors": [("confirm", worded(problem))], "failed": True}
        return _page(request, "identity_email_confirm.html", context, status_code=problem.status)
    await session.commit()
    if signed_in is not None and signed_in == attached.citizen_id:
        return RedirectResponse("/account?updated=email", status_code=303)
    return RedirectResponse("/account/identities/email/confirmed", status_code=303)


@router.get("/account/identities/email/confirmed", response_class=HTMLResponse)
async def email_confirmed(request: Request, citizen: MaybeCitizen) -> Response:
    """The address was added to the account that asked for it (not necessarily the one signed in here)."""
    return _page(request, "identity_email_confirmed.html", {"signed_in": citizen is not None})


# --- removing a contact -----------------------------------------------------------------------------------------


def _identity_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


@router.get(
    "/account/identities/{identity_id}/remove", response_class=HTMLResponse, dependencies=[Depends(own_identity)]
)
async def remove_form(request: Request, identity_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Ask to confirm, or explain why this one cannot go."""
    wanted = _identity_id(identity_id)
    if wanted is None:
        return _not_yours(request)
    try:
        identity, allowed = await manage.removable(session, citizen_id=citizen.id, identity_id=wanted)
    except Problem:
        return _not_yours(request)
    context = {"identity": identity, "allowed": allowed, "errors": [], "back": "/account"}
    return _page(request, "identity_remove.html", context)


@router.post(
    "/account/identities/{identity_id}/remove", response_class=HTMLResponse, dependencies=[Depends(own_identity)]
)
async def remove(request: Request, identity_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Take the contact off the account."""
    wanted = _identity_id(identity_id)
    if wanted is None:
        return _not_yours(request)
    citizen_id = citizen.id
    try:
        await manage.remove(session, citizen=citizen, identity_id=wanted)
    except Problem as problem:
        await session.rollback()
        if problem.status == 404:
            return _not_yours(request)
        identity, allowed = await manage.removable(session, citizen_id=citizen_id, identity_id=wanted)
        context = {
            "identity": identity,
            "allowed": allowed,
            "errors": [("remove", worded(problem))],
            "back": "/account",
        }
        return _page(request, "identity_remove.html", context, status_code=problem.status)
    await session.commit()
    return RedirectResponse("/account?updated=removed", status_code=303)


def _not_yours(request: Request) -> Response:
    context = {"errors": [], "message": _("That is not one of your contacts."), "back": "/account"}
    return _page(request, "identity_missing.html", context, status_code=404)


# --- preferences --------------------------------------------------------------------------------------------------


def _parse_time(raw: str) -> time | None:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        return None


@router.get("/account/preferences", response_class=HTMLResponse)
async def preferences_form(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Language, how we contact you about cases, and quiet hours."""
    record = await citizens.get(session, citizen_id=citizen.id)
    form = {
        "language": record.language,
        "channels": list(record.preferred_channels),
        "quiet_start": record.quiet_hours_start.strftime("%H:%M") if record.quiet_hours_start else "",
        "quiet_end": record.quiet_hours_end.strftime("%H:%M") if record.quiet_hours_end else "",
    }
    return _preferences_page(request, record, form, [])


def _preferences_page(
    request: Request, record: Citizen, form: dict[str, Any], errors: list[tuple[str, str]], status_code: int = 200
) -> Response:
    usable = manage.channels_for(list(record.identities))
    chosen = [c for c in form["channels"] if c in usable]
    ordered = chosen + [c for c in usable if c not in chosen]
    context = {"form": form, "channels": ordered, "errors": errors, "back": "/account"}
    return _page(request, "preferences.html", context, status_code=status_code)


@router.post("/account/preferences", response_class=HTMLResponse)
async def preferences_save(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    language: Annotated[str, Form(max_length=8)] = "",
    channels: Annotated[list[str] | None, Form(max_length=16)] = None,
    quiet_start: Annotated[str, Form(max_length=8)] = "",
    quiet_end: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Save the preferences onto the citizen's record (every device), then show the account."""
    citizen_id = citizen.id
    chosen = list(dict.fromkeys(channels or []))[:8]
    form = {"language": language, "channels": chosen, "quiet_start": quiet_start, "quiet_end": quiet_end}
    errors: list[tuple[str, str]] = []
    start, end = _parse_time(quiet_start), _parse_time(quiet_end)
    if quiet_start.strip() and start is None:
        errors.append(("quiet_start", _("Enter the start of quiet hours as a time, like 21:00")))
    if quiet_end.strip() and end is None:
        errors.append(("quiet_end", _("Enter the end of quiet hours as a time, like 08:00")))
    if not errors and (start is None) != (end is None):
        missing = "quiet_end" if end is None else "quiet_start"
        errors.append((missing, _("Enter both a start and an end for quiet hours, or neither")))
    status = 422
    if not errors:
        try:
            quiet = (start, end) if start is not None and end is not None else None
            await manage.update_preferences(
                session, citizen=citizen, language=language, channels=chosen, quiet_hours=quiet
            )
        except Problem as problem:
            await session.rollback()
            field = {"bad_language": "language-en", "bad_channel": "channels", "quiet_same": "quiet_start"}
            errors.append((field.get(manage.reason_of(problem), "language-en"), worded(problem)))
            status = problem.status
    if errors:
        record = await citizens.get(session, citizen_id=citizen_id)
        return _preferences_page(request, record, form, errors, status_code=status)
    await session.commit()
    response = RedirectResponse("/account?updated=preferences", status_code=303)
    if request.cookies.get(LANGUAGE_COOKIE):  # this browser chose a language; the new choice replaces it
        remember_language(response, language, settings_of(request))
    return response


# --- download your data -------------------------------------------------------------------------------------------


@router.get("/account/data.json")
async def download(session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Everything held about the signed-in resident, as one JSON file to keep."""
    document = await visits.download_data(session, citizen_id=citizen.id)
    filename = f"my-data-{utcnow().date().isoformat()}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
