"""Staff sign-in and sign-out. The desk's own pages are in `web/desk/`.

Sign-in goes through `staff.sign_in`'s abuse limits; nothing here logs or echoes the password.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.ratelimit import RateLimiter
from townsquare.settings import Settings
from townsquare.staff import mfa, sessions
from townsquare.staff import service as staff
from townsquare.staff import sign_in as sign_in_limits
from townsquare.staff.auth import SESSION_COOKIE, public
from townsquare.web import cookies
from townsquare.web.desk import sign_in_steps
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates
from townsquare.web.times import wait_words

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/desk/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, next: str = "/desk", notice: str = "") -> Response:
    """The staff sign-in form: the organisation's provider when there is one, the password form unless turned off."""
    context = {"next": _safe_next(next), "error": None, **sign_in_choices(_settings(request))}
    context["notice"] = {"reset": _("Your password was changed. Sign in with the new one.")}.get(notice)
    return templates.TemplateResponse(request, "desk/sign_in.html", context)


def sign_in_choices(settings: Settings) -> dict[str, Any]:
    """What the sign-in page offers: the provider's button (its name) and whether passwords are allowed."""
    sso = bool(settings.staff_oidc_issuer and settings.staff_oidc_client_id and settings.staff_oidc_client_secret)
    return {"sso_name": settings.staff_oidc_display_name if sso else None, "passwords": settings.staff_local_passwords}


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/desk"


@router.post("/desk/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/desk",
) -> Response:
    """Check the windows, the lock and then the password; on success set the session cookie and go on."""
    settings = _settings(request)
    choices = sign_in_choices(settings)
    if not settings.staff_local_passwords:
        error = _("Passwords are turned off here: sign in with your organisation's account.")
        context = {"next": _safe_next(next), "error": error, **choices}
        return templates.TemplateResponse(request, "desk/sign_in.html", context, status_code=403)
    if not email.strip() or not password:
        error = _("Enter your email address and your password.")
        context = {"next": _safe_next(next), "error": error, "email": email, **choices}
        return templates.TemplateResponse(request, "desk/sign_in.html", context, status_code=422)
    limiter: RateLimiter = request.app.state.limiter
    policy = sign_in_limits.Policy.from_settings(settings)
    client = request.client.host if request.client else "unknown"
    result = await sign_in_limits.attempt(session, limiter, policy, email=email, password=password, client=client)
    if result.account is None:
        await session.commit()  # the failure, throttle or lock is on record whatever happens next
        await sign_in_limits.settle(limiter, policy, result)
        return _refused(request, result, email=email, next=next)
    account = result.account
    step = mfa.step_after_password(account, required=settings.staff_mfa_required)
    browser = sessions.browser_summary(request.headers.get("user-agent", ""))
    if step:
        if step == sessions.STEP_ENROL:
            mfa.start(account)  # the key the set-up page shows (a page read never writes)
        token = await staff.start_session(
            session, staff_id=account.id, hours=0, step=step, browser=browser, minutes=sessions.STEP_MINUTES
        )
        target = f"{sign_in_steps.STEP_PATHS[step]}?next={quote(_safe_next(next))}"
    else:
        token = await staff.start_session(session, staff_id=account.id, hours=settings.session_hours, browser=browser)
        staff.audit(session, actor_kind="staff", actor_id=str(account.id), action="staff.sign_in", subject_kind="staff")
        target = _safe_next(next)
    await session.commit()
    await sign_in_limits.settle(limiter, policy, result)
    response = RedirectResponse(target, status_code=303)
    cookies.keep(response, SESSION_COOKIE, token, settings, max_age=settings.session_hours * 3600)
    return response


def _refused(request: Request, result: sign_in_limits.Attempt, *, email: str, next: str) -> Response:
    """A wrong password (401), or a wait (429 with Retry-After) worded the same for every account, known or not."""
    context: dict[str, Any] = {"next": _safe_next(next), "email": email, **sign_in_choices(_settings(request))}
    if result.outcome is sign_in_limits.Outcome.wrong:
        context["error"] = _("The email or password is not right.")
        return templates.TemplateResponse(request, "desk/sign_in.html", context, status_code=401)
    context["error"] = " ".join(
        [
            _("There have been too many failed attempts to sign in with this email address or from this network."),
            _("Wait %(wait)s, then try again.") % {"wait": wait_words(result.retry_after)},
        ]
    )
    context["ask_admin"] = True
    response = templates.TemplateResponse(request, "desk/sign_in.html", context, status_code=429)
    response.headers["Retry-After"] = str(result.retry_after)
    return response


@router.post("/desk/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """End this browser's session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await staff.end_session(session, token=token)
        await session.commit()
    response = RedirectResponse("/desk/sign-in", status_code=303)
    cookies.forget(response, SESSION_COOKIE, _settings(request))
    return response
