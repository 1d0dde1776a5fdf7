"""A resident's sign-in security: turn an authenticator app (TOTP) on with a QR code and a code, or off with a code.

The key is shown only while it is being set up, never logged; sign-ins through the identity provider are not asked
for a code (the provider has its own second step).
"""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.citizens import service as citizens
from townsquare.citizens import totp
from townsquare.db.deps import SessionDep
from townsquare.residents import accounts
from townsquare.residents.types import Citizen, CitizenTotp, IdentityKind
from townsquare.web import times
from townsquare.web.i18n import gettext as _
from townsquare.web.i18n import ngettext
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)

SECURITY_PATH = "/account/security"
SETUP_PATH = "/account/security/authenticator"
CHANGES = ("on", "off")


def wrong_code_message(attempts_left: int) -> str:
    """A wrong (or already used) code, and how many tries are left."""
    return " ".join(
        (
            _("That code is not right, or it was already used. Enter the newest code your app shows."),
            ngettext("You have %(num)d more try.", "You have %(num)d more tries.", attempts_left)
            % {"num": attempts_left},
        )
    )


def _code_problem(code: str) -> str | None:
    """What is wrong with the shape of a typed code, if anything."""
    if not code.strip():
        return _("Enter the 6-digit code from your authenticator app")
    if totp.clean_code(code) is None:
        return _("The code must be 6 digits, like 123456")
    return None


async def _security_page(
    request: Request, session: SessionDep, citizen: Citizen, *, error: str | None = None, status: int = 200
) -> Response:
    row = await totp.get(session, citizen_id=citizen.id)
    on = row is not None and row.confirmed_at is not None
    since = ""
    if row is not None and row.confirmed_at is not None:
        since = times.when(row.confirmed_at)
    changed = request.query_params.get("changed")
    context = {
        "on": on,
        "since": since,
        "changed": changed if changed in CHANGES and not error else None,
        "oidc": bool(settings_of(request).oidc_issuer),
        "error": error,
        "error_count": 1 if error else 0,
        "back": "/account",
    }
    return templates.TemplateResponse(request, "portal/security.html", context, status_code=status)


async def _setup_page(
    request: Request,
    session: SessionDep,
    citizen: Citizen,
    row: CitizenTotp,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    email = await citizens.contact_for(session, citizen_id=citizen.id, kind=IdentityKind.email)
    uri = totp.provisioning_uri(
        row.secret, account=email.value if email is not None else "resident", issuer=settings_of(request).brand_name
    )
    context = {
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=4),
        "uri": uri,
        "key": totp.grouped(row.secret),
        "error": error,
        "error_count": 1 if error else 0,
        "back": SECURITY_PATH,
    }
    response = templates.TemplateResponse(request, "portal/totp_setup.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # the key must not stay in a shared cache or the history
    return response


@router.get(SECURITY_PATH, response_class=HTMLResponse)
async def security_page(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Whether sign-in asks for a code from an authenticator app, and the way to turn that on or off."""
    return await _security_page(request, session, citizen)


@router.post(SETUP_PATH)
async def start_setup(session: SessionDep, citizen: CurrentCitizen) -> Response:
    """A new key for the app (replacing an unfinished one); nothing changes at sign-in until it is confirmed."""
    row = await totp.start_setup(session, citizen_id=citizen.id)
    await session.commit()
    return RedirectResponse(SETUP_PATH if row is not None else SECURITY_PATH, status_code=303)


@router.get(SETUP_PATH, response_class=HTMLResponse)
async def setup_page(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The QR code and the key to add to the app, and a box for the code it then shows."""
    row = await totp.get(session, citizen_id=citizen.id)
    if row is None or row.confirmed_at is not None:
        return RedirectResponse(SECURITY_PATH, status_code=303)
    return await _setup_page(request, session, citizen, row)


@router.post(SETUP_PATH + "/confirm", response_class=HTMLResponse)
async def confirm_setup(
    request: Request, session: SessionDep, citizen: CurrentCitizen, code: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """A current code from the app turns it on: sign-in asks for a code after the emailed link from now on."""
    row = await totp.get(session, citizen_id=citizen.id)
    if row is None or row.confirmed_at is not None:
        return RedirectResponse(SECURITY_PATH, status_code=303)
    problem = _code_problem(code)
    if problem is None:
        refused = await limits.guess_refused(request, session, purpose="totp_setup", citizen_id=citizen.id)
        if refused:
            page = await _setup_page(
                request, session, citizen, row, error=limits.too_many_wrong_codes(refused), status=limits.STATUS
            )
            return limits.with_retry_after(page, refused)
    if problem is None and not await accounts.turn_on_totp(session, citizen_id=citizen.id, code=code):
        await limits.count_wrong_code(request, citizen_id=citizen.id)
        problem = _("That code is not right. Check the app shows the key for this account and enter its newest code.")
    if problem is not None:
        return await _setup_page(request, session, citizen, row, error=problem, status=400)
    await session.commit()
    return RedirectResponse(SECURITY_PATH + "?changed=on", status_code=303)


@router.post(SECURITY_PATH + "/authenticator/off", response_class=HTMLResponse)
async def turn_off(
    request: Request, session: SessionDep, citizen: CurrentCitizen, code: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """A current code turns the app off; after a few wrong codes the person must wait a while."""
    problem = _code_problem(code)
    if problem is not None:
        return await _security_page(request, session, citizen, error=problem, status=400)
    result = await accounts.turn_off_totp(session, citizen_id=citizen.id, code=code)
    await session.commit()
    if result.outcome is accounts.CodeOutcome.wrong:
        error = wrong_code_message(result.attempts_left)
        return await _security_page(request, session, citizen, error=error, status=400)
    if result.outcome is accounts.CodeOutcome.exhausted:
        error = _("You entered too many wrong codes. Wait 15 minutes, then try again.")
        return await _security_page(request, session, citizen, error=error, status=429)
    return RedirectResponse(SECURITY_PATH + "?changed=off", status_code=303)
