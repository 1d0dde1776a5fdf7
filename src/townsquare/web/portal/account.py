"""Signing in with an emailed link, the account page, and signing out (here or everywhere)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions, totp
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.residents import accounts
from townsquare.residents.types import IdentityKind
from townsquare.settings import Settings
from townsquare.web import cookies, i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, MaybeCitizen, safe_next, set_citizen_cookie, settings_of
from townsquare.web.portal.security import wrong_code_message
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
NEXT_COOKIE = "ts_next"  # the page to return to after an emailed link is used in this browser

CODE_PATH = "/account/sign-in-code"
PENDING_COOKIE = "ts_sign_in_code"


def _device(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


def _code_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    context = {
        "error": error,
        "error_count": 1 if error else 0,
        "minutes": accounts.PENDING_SECONDS // 60,
        "tries": accounts.MAX_WRONG_CODES,
    }
    return templates.TemplateResponse(request, "portal/totp_code.html", context, status_code=status)


def _sign_in_page(
    request: Request,
    *,
    error: str | None = None,
    at_email: bool = False,
    email: str = "",
    next: str = "/account",
    status: int = 200,
) -> Response:
    """The sign-in page; `error` is shown in the error summary, and at the email box when it is `at_email`."""
    settings = settings_of(request)
    context = {
        "next": safe_next(next),
        "email": email,
        "error": error,
        "email_error": error if at_email else None,
        "error_count": 1 if error else 0,
        "oidc": bool(settings.oidc_issuer),
    }
    return templates.TemplateResponse(request, "portal/sign_in.html", context, status_code=status)


@router.get("/account/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, citizen: MaybeCitizen, next: str = "/account") -> Response:
    """Ask for an email address (and offer the identity provider when one is configured)."""
    if citizen is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _sign_in_page(request, next=next[:500])


@router.post("/account/sign-in", response_class=HTMLResponse)
async def send_link(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    """Email a one-time link; the answer is the same whether or not we know the address."""
    settings = settings_of(request)
    # Counted whether or not anyone has the address, so the answer tells nobody who has an account.
    refused = await limits.send_refused(
        request, session, purpose="sign_in_link", kind=IdentityKind.email, raw_value=email
    )
    if refused:
        error = limits.too_many_links(refused)
        page = _sign_in_page(request, error=error, at_email=True, email=email, next=next, status=limits.STATUS)
        return limits.with_retry_after(page, refused)
    try:
        await accounts.send_sign_in_link(session, email=email, settings=settings, language=i18n.current())
    except Problem as problem:
        error = (
            _("Enter an email address in the correct format, like name@example.org")
            if email.strip()
            else _("Enter your email address")
        )
        return _sign_in_page(request, error=error, at_email=True, email=email, next=next, status=problem.status)
    await session.commit()
    context = {"minutes": settings.sign_in_link_minutes, "back": "/account/sign-in"}
    response = templates.TemplateResponse(request, "portal/check_email.html", context)
    # Where to go once the link is used in this browser (the page the person was on, e.g. an application).
    cookies.keep(
        response, NEXT_COOKIE, quote(safe_next(next), safe="/"), settings, max_age=settings.sign_in_link_minutes * 60
    )
    return response


@router.get(CODE_PATH, response_class=HTMLResponse)
async def code_form(request: Request) -> Response:
    """Ask for the authenticator app's code, after a link of someone who turned the app on."""
    settings = settings_of(request)
    if accounts.open_pending(settings.secret_key, request.cookies.get(PENDING_COOKIE)) is None:
        return _pending_gone(request, settings)
    return _code_page(request)


@router.post(CODE_PATH, response_class=HTMLResponse)
async def check_code(request: Request, session: SessionDep, code: Annotated[str, Form(max_length=40)] = "") -> Response:
    """A right code (used once) starts the session; after a few wrong ones the person asks for a new link."""
    settings = settings_of(request)
    pending = accounts.open_pending(settings.secret_key, request.cookies.get(PENDING_COOKIE))
    if pending is None:
        return _pending_gone(request, settings)
    if totp.clean_code(code) is None:  # not a guess at all: nothing to count
        error = _("Enter the 6-digit code from your authenticator app") if not code.strip() else None
        error = error or _("The code must be 6 digits, like 123456")
        return _code_page(request, error=error, status=400)
    citizen_id = uuid.UUID(pending.citizen_id)
    refused = await limits.guess_refused(request, session, purpose="sign_in_totp", citizen_id=citizen_id)
    if refused:
        page = _code_page(request, error=limits.too_many_wrong_codes(refused), status=limits.STATUS)
        return limits.with_retry_after(page, refused)
    result = await accounts.finish_with_code(session, pending=pending, code=code)
    if result.outcome in (accounts.CodeOutcome.wrong, accounts.CodeOutcome.exhausted):
        await session.commit()
        await limits.count_wrong_code(request, citizen_id=citizen_id)
    if result.outcome is accounts.CodeOutcome.wrong:
        return _code_page(request, error=wrong_code_message(result.attempts_left), status=400)
    if result.outcome is not accounts.CodeOutcome.accepted:
        await session.commit()
        message = (
            _("You entered too many wrong codes. Ask for a new sign-in link.")
            if result.outcome is accounts.CodeOutcome.exhausted
            else _("This sign-in can no longer be finished. Ask for a new sign-in link.")
        )
        response = _sign_in_page(request, error=message, status=400)
        _forget_pending(response, settings)
        return response
    response = await _start_session(request, session, settings, citizen_id=citizen_id, method="email_link+totp")
    _forget_pending(response, settings)
    return response


def _pending_gone(request: Request, settings: Settings) -> Response:
    message = _("Your sign-in has expired or was started in another browser. Ask for a new sign-in link.")
    response = _sign_in_page(request, error=message, status=400)
    _forget_pending(response, settings)
    return response


def _forget_pending(response: Response, settings: Settings) -> None:
    cookies.forget(response, PENDING_COOKIE, settings, path=CODE_PATH)


async def _start_session(
    request: Request, session: SessionDep, settings: Settings, *, citizen_id: uuid.UUID, method: str
) -> Response:
    cookie = await sessions.start(
        session,
        citizen_id=citizen_id,
        method=method,
        hours=settings.citizen_session_hours,
        device=_device(request),
    )
    await session.commit()
    response = RedirectResponse(safe_next(unquote(request.cookies.get(NEXT_COOKIE, ""))), status_code=303)
    set_citizen_cookie(response, cookie, settings)
    cookies.forget(response, NEXT_COOKIE, settings)
    return response


@router.get("/account/sign-in/{token}", response_class=HTMLResponse)
async def confirm_link(request: Request, token: str) -> Response:
    """A button that uses the link: mail scanners that open links must not sign anyone in or use the link up."""
    return templates.TemplateResponse(request, "portal/confirm.html", {"token": token[:100]})


@router.post("/account/sign-in/{token}", response_class=HTMLResponse)
async def use_link(request: Request, token: str, session: SessionDep) -> Response:
    """Use the link: the email address counts as verified, and a session starts (after the app's code, if on)."""
    settings = settings_of(request)
    citizen = await accounts.sign_in_with_link(session, token=token[:100], region=settings.default_region)
    if citizen is None:
        await session.commit()
        error = _("That sign-in link has been used or has expired. Ask for a new one below.")
        return _sign_in_page(request, error=error, status=400)
    if await totp.is_on(session, citizen_id=citizen.id):
        pending = accounts.pending_sign_in(citizen.id)
        await session.commit()
        response = RedirectResponse(CODE_PATH, status_code=303)
        sealed = accounts.seal_pending(settings.secret_key, pending)
        cookies.keep(response, PENDING_COOKIE, sealed, settings, max_age=accounts.PENDING_SECONDS, path=CODE_PATH)
        return response
    return await _start_session(request, session, settings, citizen_id=citizen.id, method="email_link")


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Who we know you as, how, and where you are signed in."""
    # Imported here: the overview's parts live with the identities, the notifications section with push.
    from townsquare.web.portal import push
    from townsquare.web.portal.identities import overview_context

    record = await citizens.get(session, citizen_id=citizen.id)
    context = await overview_context(request, session, record)
    context.update(await push.section(request, session, citizen_id=citizen.id))
    return templates.TemplateResponse(request, "portal/account.html", context)


@router.post("/account/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """Sign this browser out."""
    token = request.cookies.get(sessions.CITIZEN_COOKIE)
    if token:
        await sessions.end(session, token=token)
        await session.commit()
    response = RedirectResponse("/", status_code=303)
    cookies.forget(response, sessions.CITIZEN_COOKIE, settings_of(request))
    return response


@router.post("/account/sign-out-everywhere")
async def sign_out_everywhere(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Sign out on every device (a lost phone, a shared computer)."""
    if citizen is not None:
        await sessions.end_all(session, citizen_id=citizen.id)
        await session.commit()
    response = RedirectResponse("/account/sign-in", status_code=303)
    cookies.forget(response, sessions.CITIZEN_COOKIE, settings_of(request))
    return response
