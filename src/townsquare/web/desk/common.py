"""What every desk page shares: who may see it, where to go back to, the timeline's "show earlier" keyset."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from townsquare.casework import record_edit, work
from townsquare.casework.types import ADMINISTERING, SUPERVISING, Case, Citizen, StaffRole, WorkItem
from townsquare.db import Session, keyset
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import case_in_scope
from townsquare.errors import forbidden, unauthorized
from townsquare.settings import Settings
from townsquare.staff.auth import (
    ADMIN,
    ADMINISTRATOR,
    STAFF,
    STAFF_AGENCY,
    STAFF_CITIZEN,
    STAFF_HOLDER,
    SUPERVISOR,
    MaybePrincipal,
    Principal,
    enforces,
)


def staff_only(principal: Principal | None) -> Principal | None:
    """The principal if it is a signed-in staff member (not an API key), else None."""
    return principal if principal is not None and principal.kind == "staff" else None


class StaffSignInRequired(Exception):
    """Raised by `current_staff`; the app answers with a redirect to the desk's sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@enforces(STAFF)
async def current_staff(request: Request, principal: MaybePrincipal) -> Principal:
    """The signed-in staff member; anyone else is sent to sign in and come back here."""
    me = staff_only(principal)
    if me is None:
        # After signing in, come back to the page; a form posted while signed out comes back to the desk.
        raise StaffSignInRequired(request.url.path if request.method == "GET" else "/desk")
    return me


@enforces(STAFF)
async def staff_for_fragment(principal: MaybePrincipal) -> Principal:
    """The signed-in staff member, for the parts pages fetch to refresh: 401, not a redirect, when signed out."""
    me = staff_only(principal)
    if me is None:
        raise unauthorized("Sign in again to see this.")
    return me


def supervisors_only(page: str, *, fragment: bool = False) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting supervisors and administrators to `page`; other staff are refused (403)."""
    who = staff_for_fragment if fragment else current_staff

    @enforces(SUPERVISOR)
    async def supervisor(me: Principal = Depends(who)) -> Principal:
        if me.role not in SUPERVISING:
            raise forbidden(f"{page} is for supervisors and administrators.")
        return me

    return supervisor


def admins_only(page: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting administrators to `page`; other staff are refused (403)."""

    @enforces(ADMIN)
    async def admin(me: Principal = Depends(current_staff)) -> Principal:
        if me.role is not StaffRole.admin:
            raise forbidden(f"{page} is for administrators.")
        return me

    return admin


def administrators_only(page: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting administrators and agency administrators to `page` (an agency administrator sees
    and changes only its own agencies: `me.agency_ids`); other staff are refused (403)."""

    @enforces(ADMINISTRATOR)
    async def administrator(me: Principal = Depends(current_staff)) -> Principal:
        if me.role not in ADMINISTERING:
            raise forbidden(f"{page} is for administrators.")
        return me

    return administrator


def staff_sign_in_redirect(exc: StaffSignInRequired) -> Response:
    """303 to the desk's sign-in page, coming back to the page the person asked for."""
    return RedirectResponse(f"/desk/sign-in?next={quote(exc.next_path)}", status_code=303)


CurrentStaff = Annotated[Principal, Depends(current_staff)]
StaffFragment = Annotated[Principal, Depends(staff_for_fragment)]


@enforces(STAFF_AGENCY)
async def staff_case(reference: str, session: SessionDep, me: CurrentStaff) -> Case:
    """The case named in the path, if the staff member's agencies own it (else as an unknown one)."""
    return await case_in_scope(session, me, reference[:40])


@enforces(STAFF_CITIZEN)
async def staff_citizen(citizen_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Citizen:
    """The person named in the path, if the staff member may correct their record and write to them: staff of an
    agency the person has dealt with, administrators for anyone (403 otherwise; 404 for nobody)."""
    return await record_edit.editable(session, me=me, citizen_id=citizen_id)


async def work_item_in_scope(session: Session, me: Principal, item_id: uuid.UUID) -> WorkItem:
    """The work item if the staff member's agencies own it, else 404 as for one that does not exist."""
    return await work.work_item_in_scope(session, me, item_id)


@enforces(STAFF_AGENCY)
async def staff_work_item(item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> WorkItem:
    """The work item named in the path, if the staff member's agencies own it."""
    return await work_item_in_scope(session, me, item_id)


@enforces(STAFF_HOLDER)
async def held_work_item(item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> WorkItem:
    """The work item named in the path, if this staff member is handling it (others of its agency may read it)."""
    item = await work_item_in_scope(session, me, item_id)
    if not work.holds(me, item):
        raise forbidden("Only the person handling this work can act on it; you may read it.")
    return item


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def safe_next(target: str, fallback: str) -> str:
    """`target` if it is a desk page of ours, else `fallback` (no open redirects)."""
    return target if target.startswith("/desk/") and not target.startswith("//") else fallback


def cursor(before: str) -> tuple[datetime, uuid.UUID] | None:
    """The keyset of the oldest entry already shown, from a "show earlier" link."""
    return keyset.read_token(before)


def earlier_url(path: str, earlier: tuple[datetime, uuid.UUID] | None) -> str | None:
    token = keyset.token(earlier)
    return f"{path}?before={token}#timeline-title" if token else None


CurrentAdmin = Annotated[Principal, Depends(admins_only("This page"))]
CurrentSupervisor = Annotated[Principal, Depends(supervisors_only("This page"))]
