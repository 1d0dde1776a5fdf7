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
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import words  # noqa: F401 - registers the desk's words
from townsquare.web.desk.common import CurrentStaff, StaffFragment, settings_of, staff_work_item
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


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
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    presence: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The agent chooses available, away or offline."""
    await inbox.set_presence(session, me=me, presence=presence)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/offers/{item_id}/accept", dependencies=[Depends(staff_work_item)])
async def accept_offer(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Take the offered work and open it."""
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
        if exc.status != 409:
            raise
        await inbox.roll_back(session)
        return await _page(request, session, me, error=exc.detail, status=409)
    await session.commit()
    return RedirectResponse(f"/desk/work/{accepted}", status_code=303)


@router.post("/desk/offers/{item_id}/decline", dependencies=[Depends(staff_work_item)])
async def decline_offer(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Pass on the offer; it goes back to the queue."""
    try:
        await inbox.decline(session, me=me, item_id=item_id)
    except Problem as exc:
        if exc.status != 409:
            raise
        await inbox.roll_back(session)
        return await _page(request, session, me, error=exc.detail, status=409)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)
