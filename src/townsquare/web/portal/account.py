"""Signing in with an emailed link, the account page, and signing out (here or everywhere)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions
from townsquare.db.deps import SessionDep
from townsquare.engagement import accounts
from townsquare.errors import Problem
from townsquare.web.portal.common import MaybeCitizen, safe_next, set_citizen_cookie, settings_of
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


def _device(request: Request) -> str:
    return request.headers.get("user-agent", "")[:200]


@router.get("/account/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, citizen: MaybeCitizen, next: str = "/account") -> Response:
    """Ask for an email address (and offer the identity provider when one is configured)."""
    if citizen is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    settings = settings_of(request)
    context = {"next": safe_next(next), "error": None, "email": "", "oidc": bool(settings.oidc_issuer)}
    return templates.TemplateResponse(request, "portal/sign_in.html", context)


@router.post("/account/sign-in", response_class=HTMLResponse)
async def send_link(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    """Email a one-time link; the answer is the same whether or not we know the address."""
    settings = settings_of(request)
    try:
        await accounts.send_sign_in_link(session, email=email, settings=settings)
    except Problem as problem:
        context = {"next": safe_next(next), "error": problem.detail, "email": email, "oidc": bool(settings.oidc_issuer)}
        return templates.TemplateResponse(request, "portal/sign_in.html", context, status_code=problem.status)
    await session.commit()
    context = {"minutes": settings.sign_in_link_minutes}
    return templates.TemplateResponse(request, "portal/check_email.html", context)


@router.get("/account/sign-in/{token}", response_class=HTMLResponse)
async def confirm_link(request: Request, token: str) -> Response:
    """A button that uses the link: mail scanners that open links must not sign anyone in or use the link up."""
    return templates.TemplateResponse(request, "portal/confirm.html", {"token": token[:100]})


@router.post("/account/sign-in/{token}", response_class=HTMLResponse)
async def use_link(request: Request, token: str, session: SessionDep) -> Response:
    """Use the link: a session starts and the email address counts as verified."""
    settings = settings_of(request)
    citizen = await accounts.sign_in_with_link(session, token=token[:100], region=settings.default_region)
    if citizen is None:
        await session.commit()
        context = {
            "next": "/account",
            "email": "",
            "oidc": bool(settings.oidc_issuer),
            "error": "That sign-in link has been used or has expired. Ask for a new one below.",
        }
        return templates.TemplateResponse(request, "portal/sign_in.html", context, status_code=400)
    cookie = await sessions.start(
        session,
        citizen_id=citizen.id,
        method="email_link",
        hours=settings.citizen_session_hours,
        device=_device(request),
    )
    await session.commit()
    response = RedirectResponse("/account", status_code=303)
    set_citizen_cookie(response, cookie, settings)
    return response


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Who we know you as, how, and where you are signed in."""
    if citizen is None:
        return RedirectResponse("/account/sign-in?next=/account", status_code=303)
    record = await citizens.get(session, citizen_id=citizen.id)
    devices = await sessions.live_sessions(session, citizen_id=citizen.id)
    return templates.TemplateResponse(request, "portal/account.html", {"citizen": record, "devices": devices})


@router.post("/account/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """Sign this browser out."""
    token = request.cookies.get(sessions.CITIZEN_COOKIE)
    if token:
        await sessions.end(session, token=token)
        await session.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(sessions.CITIZEN_COOKIE)
    return response


@router.post("/account/sign-out-everywhere")
async def sign_out_everywhere(request: Request, session: SessionDep, citizen: MaybeCitizen) -> Response:
    """Sign out on every device (a lost phone, a shared computer)."""
    if citizen is not None:
        await sessions.end_all(session, citizen_id=citizen.id)
        await session.commit()
    response = RedirectResponse("/account/sign-in", status_code=303)
    response.delete_cookie(sessions.CITIZEN_COOKIE)
    return response
