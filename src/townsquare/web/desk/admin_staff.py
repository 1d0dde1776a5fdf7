"""Staff accounts' administration at /desk/admin/staff: the accounts the caller manages, a new account (no
password: the person sets it with "Forgot your password" or signs in with the organisation's identity provider),
an account's name, role and agencies, and deactivating (its sessions end at once) or reactivating it.

Translates only: `casework.staff_admin` decides who may grant what (never `admin` nor another agency for an
agency administrator; never the last active administrator demoted or deactivated) and audits.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import staff_admin
from townsquare.casework.admin_common import roll_back
from townsquare.casework.staff_admin import StaffForm
from townsquare.casework.types import StaffAccount
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin import text, wanted_active
from townsquare.web.desk.common import CurrentStaff, administrators_only
from townsquare.web.desk.labels import role
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Administrator = Annotated[Principal, Depends(administrators_only("Staff accounts"))]


@enforces(AGENCY_ADMIN)
async def managed_account(staff_id: uuid.UUID, session: SessionDep, me: Administrator) -> StaffAccount:
    """The account named in the path, if the caller manages it (another agency's answers as an unknown one)."""
    return await staff_admin.account_in_scope(session, me, staff_id)


ManagedAccount = Annotated[StaffAccount, Depends(managed_account)]


def _notices() -> dict[str, str]:
    return {
        "created": _(
            "The account was created. Tell the person to set their password with “Forgot your password” on the "
            "sign-in page, or to sign in through your organisation's identity provider."
        ),
        "saved": _("The account was saved."),
        "deactivated": _("The account was deactivated: its sessions ended at once."),
        "reactivated": _("The account was reactivated."),
    }


@router.get("/desk/admin/staff", response_class=HTMLResponse)
async def account_list(request: Request, session: SessionDep, me: Administrator) -> Response:
    """The accounts the caller manages, with their role, agencies and state."""
    context = {
        "me": me,
        "rows": await staff_admin.account_rows(session, me),
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    return templates.TemplateResponse(request, "desk/admin/staff.html", context)


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: StaffForm,
    *,
    account: StaffAccount | None,
    error: Problem | None = None,
) -> Response:
    agencies = await staff_admin.agency_choices(session, me)
    context = {
        "me": me,
        "form": form,
        "account": account,
        "roles": [(r.value, role(r)) for r in staff_admin.grantable_roles(me)],
        "agencies": [(str(a.id), a.name) for a in agencies],
        "error": error,
        "notice": _notices().get(request.query_params.get("notice", "")),
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/admin/staff_account.html", context, status_code=status)


@router.get("/desk/admin/staff/new", response_class=HTMLResponse)
async def new_account(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty account form."""
    return await _form_page(request, session, me, StaffForm(), account=None)


async def _sent(request: Request) -> StaffForm:
    raw = await request.form()
    agencies = [str(a)[:40] for a in raw.getlist("agencies")][:200]
    return StaffForm(text(raw, "email", 320).lower(), text(raw, "display_name"), text(raw, "role", 32), agencies)


@router.post("/desk/admin/staff", response_class=HTMLResponse)
async def create_account(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Create the account, or show the form again naming each mistake."""
    form = await _sent(request)
    try:
        account = await staff_admin.create(session, me=me, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        return await _form_page(request, session, me, form, account=None, error=exc)
    staff_id = account.id
    await session.commit()
    return RedirectResponse(f"/desk/admin/staff/{staff_id}?notice=created", status_code=303)


@router.get("/desk/admin/staff/{staff_id}", response_class=HTMLResponse)
async def account_page(request: Request, session: SessionDep, me: CurrentStaff, account: ManagedAccount) -> Response:
    """The account's form, filled in as it is."""
    return await _form_page(request, session, me, await staff_admin.form_of(session, me, account), account=account)


@router.post("/desk/admin/staff/{staff_id}", response_class=HTMLResponse)
async def save_account(request: Request, session: SessionDep, me: CurrentStaff, account: ManagedAccount) -> Response:
    """Save the account's name, role and agencies, or show the form again naming each mistake."""
    form = await _sent(request)
    form.email = account.email
    staff_id = account.id
    try:
        await staff_admin.update(session, me=me, account=account, form=form)
    except Problem as exc:
        if exc.status != 422:
            raise
        await roll_back(session)
        again = await staff_admin.account_in_scope(session, me, staff_id)
        return await _form_page(request, session, me, form, account=again, error=exc)
    await session.commit()
    return RedirectResponse(f"/desk/admin/staff/{staff_id}?notice=saved", status_code=303)


@router.post("/desk/admin/staff/{staff_id}/active", response_class=HTMLResponse)
async def switch_account(request: Request, session: SessionDep, me: CurrentStaff, account: ManagedAccount) -> Response:
    """Deactivate the account (its sessions end at once) or reactivate it, and come back to the list."""
    active = wanted_active(await request.form())
    staff_id = account.id
    try:
        changed = await staff_admin.set_active(session, me=me, account=account, active=active)
    except Problem as exc:
        if exc.status != 409:
            raise
        await roll_back(session)
        again = await staff_admin.account_in_scope(session, me, staff_id)
        form = await staff_admin.form_of(session, me, again)
        return await _form_page(request, session, me, form, account=again, error=exc)
    if changed:
        await session.commit()
    return RedirectResponse(f"/desk/admin/staff?notice={'reactivated' if active else 'deactivated'}", 303)
