"""Staff sign-in and sign-out. The desk's own pages are in `web/desk/`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.auth import SESSION_COOKIE
from townsquare.web import cookies
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/desk/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, next: str = "/desk") -> Response:
    """The staff sign-in form."""
    return templates.TemplateResponse(request, "desk/sign_in.html", {"next": _safe_next(next), "error": None})


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
    """Check the password; on success set the session cookie and go on."""
    account = await staff.authenticate(session, email=email, password=password) if email and password else None
    if account is None:
        context = {"next": _safe_next(next), "error": "The email or password is not right.", "email": email}
        return templates.TemplateResponse(request, "desk/sign_in.html", context, status_code=401)
    settings = _settings(request)
    token = await staff.start_session(session, staff_id=account.id, hours=settings.session_hours)
    staff.audit(session, actor_kind="staff", actor_id=str(account.id), action="staff.sign_in", subject_kind="staff")
    await session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    cookies.keep(response, SESSION_COOKIE, token, settings, max_age=settings.session_hours * 3600)
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
