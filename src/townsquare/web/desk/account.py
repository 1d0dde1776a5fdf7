"""A staff member's own account at /desk/account: their sessions (ended one by one or all but this one), their
password (the current one needed) and their authenticator app (set up, or turned off where the role allows).
Also the administrators' button that ends every session of another account of their agencies.

Every change is audited by the staff package; nothing here logs a password or a code.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.staff import mfa, passwords, sessions
from townsquare.staff import service as staff
from townsquare.staff.auth import AGENCY_ADMIN, SESSION_COOKIE, Principal, enforces
from townsquare.web.desk.common import CurrentStaff, administrators_only, safe_next, settings_of
from townsquare.web.desk.sign_in_steps import enrolment_context, weakness_words
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE = "/desk/account"
_ADMINISTRATORS = administrators_only("Ending another person's sessions")
MFA_PAGE = "/desk/account/mfa"


def _notices() -> dict[str, str]:
    return {
        "password": _("Your password was changed. Your other sessions were ended."),
        "ended": _("The session was ended."),
        "others": _("Your other sessions were ended."),
        "mfa-off": _("Your authenticator app was turned off."),
    }


def _must_have_mfa(request: Request, account: Any) -> bool:
    return settings_of(request).staff_mfa_required and mfa.required_for(account.role)


async def _page(
    request: Request, session: SessionDep, me: Principal, *, error: str | None = None, status: int = 200
) -> Response:
    account = await sessions.account_of(session, staff_id=me.id)
    token = request.cookies.get(SESSION_COOKIE, "")
    context: dict[str, Any] = {
        "me": me,
        "account": account,
        "sessions": await sessions.listed(session, staff_id=me.id, token=token),
        "mfa_on": account.mfa_enabled_at is not None,
        "mfa_required": _must_have_mfa(request, account),
        "recovery_left": await mfa.recovery_codes_left(session, account),
        "has_password": bool(account.password_hash) and settings_of(request).staff_local_passwords,
        "notice": _notices().get(request.query_params.get("notice", "")),
        "error": error,
    }
    return templates.TemplateResponse(request, "desk/account.html", context, status_code=status)


@router.get(PAGE, response_class=HTMLResponse)
async def account_page(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """The person's sessions, password and authenticator app."""
    return await _page(request, session, me)


@router.post(PAGE + "/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A new password, if the current one is right and the new one strong enough; other sessions end."""
    if new != confirm:
        return await _page(request, session, me, error=_("The two new passwords are not the same."), status=422)
    account = await sessions.account_of(session, staff_id=me.id)
    token = request.cookies.get(SESSION_COOKIE, "")
    result = await passwords.change(session, account, current=current, new=new, keep_token=token)
    if result is False:
        return await _page(request, session, me, error=_("Your current password is not right."), status=422)
    if isinstance(result, passwords.Weakness):
        return await _page(request, session, me, error=weakness_words(result), status=422)
    await session.commit()
    return RedirectResponse(PAGE + "?notice=password", status_code=303)


@router.post(PAGE + "/sessions/end")
async def end_sessions(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    session_id: Annotated[uuid.UUID | None, Form()] = None,
    others: Annotated[bool, Form()] = False,
) -> Response:
    """End one of the person's sessions, or every one but this."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if others:
        await sessions.revoke(session, staff_id=me.id, actor_id=me.id, keep_token=token, why="others")
    elif session_id is not None:
        await sessions.revoke(session, staff_id=me.id, actor_id=me.id, session_id=session_id, why="one")
    await session.commit()
    return RedirectResponse(PAGE + ("?notice=others" if others else "?notice=ended"), status_code=303)


@router.post(MFA_PAGE + "/start")
async def start_mfa(session: SessionDep, me: CurrentStaff) -> Response:
    """A new key to set up, for a person who has no app on yet (written here: the page that shows it only reads)."""
    account = await sessions.account_of(session, staff_id=me.id)
    if account.mfa_enabled_at is None:
        mfa.start(account)
        await session.commit()
    return RedirectResponse(MFA_PAGE, status_code=303)


@router.get(MFA_PAGE, response_class=HTMLResponse)
async def mfa_form(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """The set-up page: the QR code, the key in text, and the box for the first code (before a key is made: the
    button that makes one)."""
    account = await sessions.account_of(session, staff_id=me.id)
    if account.mfa_enabled_at is not None:
        return RedirectResponse(PAGE, status_code=303)
    context = enrolment_context(account, action=MFA_PAGE, next=PAGE) | {"required": False, "me": me}
    return templates.TemplateResponse(request, "desk/account_mfa.html", context)


@router.post(MFA_PAGE, response_class=HTMLResponse)
async def confirm_mfa(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = PAGE,
) -> Response:
    """A right code turns the app on and shows the recovery codes, once."""
    account = await sessions.account_of(session, staff_id=me.id)
    codes = await mfa.confirm(session, account, code)
    await session.commit()
    if codes is None:
        context = enrolment_context(account, action=MFA_PAGE, next=PAGE) | {"required": False, "me": me}
        context["error"] = _("That code is not right. Enter the code your app shows now.")
        return templates.TemplateResponse(request, "desk/account_mfa.html", context, status_code=422)
    context = {"codes": codes, "next": safe_next(next, PAGE), "me": me}
    return templates.TemplateResponse(request, "desk/account_recovery_codes.html", context)


@router.post(MFA_PAGE + "/remove", response_class=HTMLResponse)
async def remove_mfa(
    request: Request, session: SessionDep, me: CurrentStaff, password: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    """Turn the app off, with the password; never for a role that must have it."""
    account = await sessions.account_of(session, staff_id=me.id)
    if _must_have_mfa(request, account):
        error = _("Your role must sign in with an authenticator app: it cannot be turned off.")
        return await _page(request, session, me, error=error, status=409)
    if not passwords.right_password(account, password):
        return await _page(request, session, me, error=_("Your current password is not right."), status=422)
    await mfa.remove(session, account, actor_id=me.actor_id)
    await session.commit()
    return RedirectResponse(PAGE + "?notice=mfa-off", status_code=303)


@enforces(AGENCY_ADMIN)
async def administered_account(
    staff_id: uuid.UUID,
    session: SessionDep,
    me: Annotated[Principal, Depends(_ADMINISTRATORS)],
) -> uuid.UUID:
    """The account in the path, if the caller administers it: an administrator any, an agency administrator
    those of its agencies (else as an unknown one)."""
    theirs = await staff.agency_ids_for(session, staff_id=staff_id)
    exists = await sessions.account_exists(session, staff_id=staff_id)
    if not exists or (me.agency_ids is not None and not (theirs & me.agency_ids)):
        raise not_found("Staff account", "No staff account has that id.")
    return staff_id


@router.post("/desk/staff/{staff_id}/sessions/end")
async def end_someones_sessions(
    session: SessionDep,
    me: CurrentStaff,
    staff_id: Annotated[uuid.UUID, Depends(administered_account)],
    next: Annotated[str, Form(max_length=500)] = "/desk/staff",
) -> Response:
    """End every session of another account (audited); back to the page the button was on."""
    await sessions.revoke(session, staff_id=staff_id, actor_id=me.id, why="administrator")
    await session.commit()
    return RedirectResponse(safe_next(next, "/desk/staff"), status_code=303)
