"""The agent's inbox at /desk: presence, the offers waiting for an answer, the work in their hands, citizen search
and the newest cases; plus the fragment the page swaps in live.

Works as plain forms without JavaScript. Translates only: the inbox is `casework.inbox`'s read model and actions.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import inbox
from townsquare.casework.contacts import ContactFilters
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import words  # noqa: F401 - registers the desk's words
from townsquare.web.desk.common import CurrentStaff, StaffFragment, safe_next, settings_of, staff_work_item
from townsquare.web.desk.workspace import workspace_page, workspace_url
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=500)]


async def _page(
    request: Request, session: Session, me: Principal, *, q: str = "", error: str | None = None, status: int = 200
) -> Response:
    settings = settings_of(request)
    view = await inbox.read_inbox(
        session,
        me=me,
        request=request,
        query=q,
        region=settings.default_region,
        reference_prefix=settings.case_reference_prefix,
    )
    context = {"me": me, **vars(view), "error": error}
    return templates.TemplateResponse(request, "desk/index.html", context, status_code=status)


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request, session: SessionDep, me: CurrentStaff, q: str = "") -> Response:
    """The agent's inbox: presence, offers, their work; search citizens; the newest cases of their agencies."""
    return await _page(request, session, me, q=q)


@router.get("/desk/_inbox", response_class=HTMLResponse)
async def inbox_fragment(request: Request, session: SessionDep, me: StaffFragment) -> Response:
    """The offers and "My work" part of the inbox, for the page to swap in when it is told something changed."""
    view = await inbox.read_held(session, me=me)
    context = {"me": me, **vars(view)}
    return templates.TemplateResponse(request, "desk/_inbox.html", context)


@router.post("/desk/presence")
async def change_presence(
    request: Request, session: SessionDep, me: CurrentStaff, presence: Short = "", next: Short = ""
) -> Response:
    """The agent chooses available, away or offline, and goes back to the desk page they chose it on."""
    await inbox.set_presence(session, me=me, presence=presence)
    await session.commit()
    return RedirectResponse(safe_next(next, "/desk"), status_code=303)


async def _refused(
    request: Request, session: Session, me: Principal, exc: Problem, in_workspace: bool, filters: ContactFilters
) -> Response:
    """An offer that is no longer this agent's to answer (taken back, timed out): shown where it was answered."""
    if exc.status != 409:
        raise exc
    await inbox.roll_back(session)
    if in_workspace:
        return await workspace_page(request, session, me, None, filters, error=exc)
    return await _page(request, session, me, error=exc.detail, status=409)


@router.post("/desk/offers/{item_id}/accept", dependencies=[Depends(staff_work_item)])
async def accept_offer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    back: Short = "",
    contacts: Short = "",
) -> Response:
    """Take the offered work and open it in the workspace (with the workspace's filters, if taken there)."""
    filters = ContactFilters.parse_query(contacts)
    try:
        settings = settings_of(request)
        accepted = await inbox.accept(
            session,
            me=me,
            item_id=item_id,
            connect_calls=not settings.voice_transfer_number,
            record_calls=settings.voice_record_calls,
        )
    except Problem as exc:
        return await _refused(request, session, me, exc, back == "workspace", filters)
    await session.commit()
    return RedirectResponse(workspace_url(accepted, filters), status_code=303)


@router.post("/desk/offers/{item_id}/decline", dependencies=[Depends(staff_work_item)])
async def decline_offer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    back: Short = "",
    contacts: Short = "",
    selected: Short = "",
) -> Response:
    """Pass on the offer; it goes back to the queue. From the workspace, back to it with the same selection."""
    filters = ContactFilters.parse_query(contacts)
    try:
        await inbox.decline(session, me=me, item_id=item_id)
    except Problem as exc:
        return await _refused(request, session, me, exc, back == "workspace", filters)
    await session.commit()
    if back != "workspace":
        return RedirectResponse("/desk", status_code=303)
    return RedirectResponse(workspace_url(_an_id(selected), filters), status_code=303)


def _an_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
