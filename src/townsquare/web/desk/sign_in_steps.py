"""The steps of a staff sign-in after the password: the one-time code (or a recovery code) for an account with
MFA, MFA set-up for an administrator who has none yet (nothing else is open until it is done), and the password
reset by emailed link (`/desk/sign-in/reset`), which answers the same for every address.

The half-way session lives in the staff cookie but opens no desk page (staff.sessions); finishing a step starts a
new session. Nothing here logs or echoes a code, a token, a password or a typed address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.notify import staff_mail
from townsquare.ratelimit import RateLimiter
from townsquare.staff import mfa, passwords, reset_limits, sessions
from townsquare.staff.auth import SESSION_COOKIE, SIGNING_IN, enforces, public
from townsquare.web import cookies
from townsquare.web.desk.common import StaffSignInRequired, safe_next, settings_of
from townsquare.web.i18n import current
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates
from townsquare.web.times import wait_words

router = APIRouter(include_in_schema=False)
CODE_PATH = "/desk/sign-in/code"
ENROL_PATH = "/desk/sign-in/mfa"
RESET_PATH = "/desk/sign-in/reset"
STEP_PATHS = {sessions.STEP_CODE: CODE_PATH, sessions.STEP_ENROL: ENROL_PATH}


def _halfway(step: str) -> Any:
    @enforces(SIGNING_IN)
    async def signing_in(request: Request, session: SessionDep) -> Any:
        account = await sessions.halfway(session, token=request.cookies.get(SESSION_COOKIE), step=step)
        if account is None:
            raise StaffSignInRequired("/desk")
        return account

    return signing_in


AtCode = Annotated[Any, Depends(_halfway(sessions.STEP_CODE))]
AtEnrol = Annotated[Any, Depends(_halfway(sessions.STEP_ENROL))]


def weakness_words(found: passwords.Weakness) -> str:
    """Why a new password was refused, in the reader's words."""
    return {
        passwords.Weakness.short: _("Use at least 12 characters."),
        passwords.Weakness.email: _("Do not use your email address in your password."),
        passwords.Weakness.common: _("That password is too common: choose one that is harder to guess."),
    }[found]


def _finished(request: Request, response: Response, token: str) -> Response:
    settings = settings_of(request)
    cookies.keep(response, SESSION_COOKIE, token, settings, max_age=settings.session_hours * 3600)
    return response


@router.get(CODE_PATH, response_class=HTMLResponse)
async def code_form(request: Request, account: AtCode, next: str = "/desk") -> Response:
    """Ask for the code of the authenticator app (or a recovery code)."""
    context = {"next": safe_next(next, "/desk"), "error": None}
    return templates.TemplateResponse(request, "desk/sign_in_code.html", context)


@router.post(CODE_PATH, response_class=HTMLResponse)
async def code_check(
    request: Request,
    session: SessionDep,
    account: AtCode,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = "/desk",
) -> Response:
    """A right code finishes the sign-in; wrong codes are limited, like wrong passwords, and audited."""
    settings = settings_of(request)
    limiter: RateLimiter = request.app.state.limiter
    limits = mfa.Limits.from_settings(settings)
    context: dict[str, Any] = {"next": safe_next(next, "/desk")}
    wait = await mfa.wait(limiter, limits, account)
    if wait:
        context["error"] = _("There have been too many wrong codes. Wait a few minutes, then try again.")
        response = templates.TemplateResponse(request, "desk/sign_in_code.html", context, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    right = await mfa.check(session, account, code)
    token = request.cookies.get(SESSION_COOKIE, "")
    fresh = None
    if right:
        browser = sessions.browser_summary(request.headers.get("user-agent", ""))
        fresh = await sessions.finish(
            session, token=token, account=account, hours=settings.session_hours, browser=browser
        )
    await session.commit()
    await mfa.settle(limiter, limits, account, right=right)
    if fresh is None:
        context["error"] = _("That code is not right. Try the newest code from your app, or a recovery code.")
        return templates.TemplateResponse(request, "desk/sign_in_code.html", context, status_code=401)
    return _finished(request, RedirectResponse(context["next"], status_code=303), fresh)


def enrolment_context(account: Any, *, action: str, next: str) -> dict[str, Any]:
    """What the MFA set-up page shows: the QR code, the key in text, where the code goes."""
    secret = account.mfa_secret or ""
    label = _("QR code to scan with your authenticator app")
    return {
        "qr": mfa.qr_svg(secret, account=account.email, issuer="Townsquare", label=label) if secret else "",
        "secret": mfa.grouped(secret),
        "action": action,
        "next": next,
        "error": None,
    }


@router.get(ENROL_PATH, response_class=HTMLResponse)
async def enrol_form(request: Request, account: AtEnrol, next: str = "/desk") -> Response:
    """MFA set-up, before anything else, for an administrator who has none."""
    context = enrolment_context(account, action=ENROL_PATH, next=safe_next(next, "/desk"))
    context["required"] = True
    return templates.TemplateResponse(request, "desk/account_mfa.html", context)


@router.post(ENROL_PATH, response_class=HTMLResponse)
async def enrol(
    request: Request,
    session: SessionDep,
    account: AtEnrol,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = "/desk",
) -> Response:
    """A right code turns MFA on, shows the recovery codes once and finishes the sign-in."""
    settings = settings_of(request)
    codes = await mfa.confirm(session, account, code)
    fresh = None
    if codes is not None:
        browser = sessions.browser_summary(request.headers.get("user-agent", ""))
        token = request.cookies.get(SESSION_COOKIE, "")
        fresh = await sessions.finish(
            session, token=token, account=account, hours=settings.session_hours, browser=browser
        )
    await session.commit()
    target = safe_next(next, "/desk")
    if codes is None or fresh is None:
        context = enrolment_context(account, action=ENROL_PATH, next=target)
        context |= {"required": True, "error": _("That code is not right. Enter the code your app shows now.")}
        return templates.TemplateResponse(request, "desk/account_mfa.html", context, status_code=422)
    page = templates.TemplateResponse(request, "desk/account_recovery_codes.html", {"codes": codes, "next": target})
    return _finished(request, page, fresh)


@router.get(RESET_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
async def reset_form(request: Request) -> Response:
    """Ask for the address to send a reset link to."""
    return templates.TemplateResponse(request, "desk/sign_in_reset.html", {"sent": False, "error": None})


@router.post(RESET_PATH, response_class=HTMLResponse, dependencies=[Depends(public)])
async def reset_request(
    request: Request, session: SessionDep, email: Annotated[str, Form(max_length=320)] = ""
) -> Response:
    """Queue a link to a known, active address; the answer is the same for every address."""
    settings = settings_of(request)
    if not settings.staff_local_passwords:
        context = {
            "sent": False,
            "error": _("Passwords are turned off here: sign in with your organisation's account."),
        }
        return templates.TemplateResponse(request, "desk/sign_in_reset.html", context, status_code=403)
    if not email.strip():
        context = {"sent": False, "error": _("Enter your email address.")}
        return templates.TemplateResponse(request, "desk/sign_in_reset.html", context, status_code=422)
    client = request.client.host if request.client else "unknown"
    decision = await reset_limits.allow(session, request.app.state.limiter, settings, email=email, client=client)
    if not decision.allowed:
        await session.commit()  # the refusal's audit entry
        wait = _("Wait %(wait)s, then try again.") % {"wait": wait_words(decision.retry_after)}
        context = {"sent": False, "error": " ".join([_("Too many reset links were asked for."), wait])}
        response = templates.TemplateResponse(request, "desk/sign_in_reset.html", context, status_code=429)
        response.headers["Retry-After"] = str(decision.retry_after)
        return response
    await staff_mail.request_password_reset(session, settings, email=email, language=current())
    await session.commit()
    return templates.TemplateResponse(request, "desk/sign_in_reset.html", {"sent": True, "error": None})


def _dead_link(request: Request) -> Response:
    context = {"dead": True, "error": None, "token": ""}
    return templates.TemplateResponse(request, "desk/sign_in_new_password.html", context, status_code=410)


@router.get(RESET_PATH + "/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
async def new_password_form(request: Request, session: SessionDep, token: str) -> Response:
    """The new-password form of a live link (reading it does not use it up)."""
    if not settings_of(request).staff_local_passwords or await passwords.reset_holder(session, token=token) is None:
        return _dead_link(request)
    context = {"dead": False, "error": None, "token": token}
    return templates.TemplateResponse(request, "desk/sign_in_new_password.html", context)


@router.post(RESET_PATH + "/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
async def new_password(
    request: Request,
    session: SessionDep,
    token: str,
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Set the new password; the link is used up and every session of the account ends."""
    if not settings_of(request).staff_local_passwords:
        return _dead_link(request)
    if password != confirm:
        context = {"dead": False, "token": token, "error": _("The two passwords are not the same.")}
        return templates.TemplateResponse(request, "desk/sign_in_new_password.html", context, status_code=422)
    result = await passwords.use_reset(session, token=token, new=password)
    if result is None:
        return _dead_link(request)
    if isinstance(result, passwords.Weakness):
        context = {"dead": False, "token": token, "error": weakness_words(result)}
        return templates.TemplateResponse(request, "desk/sign_in_new_password.html", context, status_code=422)
    await session.commit()
    response = RedirectResponse("/desk/sign-in?notice=reset", status_code=303)
    cookies.forget(response, SESSION_COOKIE, settings_of(request))
    return response
