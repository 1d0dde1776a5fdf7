"""The call panel's routes: the softphone's token, hold and resume, transfer, hang up, the state the panel shows,
the phone an agent takes calls on, and a call's recording (any file a contact brought) for staff of its agency.

Works as plain forms without JavaScript (each action posts and comes back to the work page); the softphone's
script uses the token and the state. Translates only: every read and action is `casework.calls_desk`'s.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from townsquare.casework import calls_desk
from townsquare.db.deps import SessionDep
from townsquare.staff.auth import STAFF_AGENCY, enforces
from townsquare.web.desk.common import CurrentStaff, held_work_item, safe_next, settings_of, staff_work_item
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates
from townsquare.web.times import duration

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=500)]
Note = Annotated[str, Form(max_length=1000)]


def call_state(value: object) -> str:
    """A call's state as the panel says it: "On hold"."""
    words: dict[str, str] = {
        "waiting": _("Waiting in the queue"),
        "connecting": _("Putting the caller through"),
        "connected": _("Connected to the caller"),
        "on_hold": _("Caller on hold"),
        "transferring": _("Caller holding for a transfer"),
        "ended": _("Call ended"),
    }
    return words.get(str(value)) or _("Unknown")


def call_result(value: object) -> str:
    """How a call someone accepted ended, as the timeline says it: "Hung up while waiting"."""
    words: dict[str, str] = {
        "answered": _("Answered by a person"),
        "transferred": _("Transferred to another person"),
        "completed": _("Call completed"),
        "abandoned": _("Hung up while waiting"),
    }
    return words.get(str(value)) or _("Unknown")


templates.env.filters["call_state"] = call_state
templates.env.filters["call_result"] = call_result


def _back(item_id: uuid.UUID) -> Response:
    return RedirectResponse(f"/desk/work/{item_id}#call-panel", status_code=303)


@router.get("/desk/calls/{item_id}/state", dependencies=[Depends(staff_work_item)])
async def call_state_json(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Where the call stands, for the panel's script: its state in words, and since when it is connected."""
    call = await calls_desk.state(session, me=me, item_id=item_id, settings=settings_of(request))
    if call is None:
        return JSONResponse({"state": None, "live": False}, headers={"Cache-Control": "no-store"})
    body: dict[str, Any] = {
        "state": call.state,
        "words": call_state(call.state),
        "on_hold": call.state == "on_hold",
        "live": call.live,
        "holds": call.holds,
        "agent": call.agent,
        "seconds": call.seconds,
        "duration": duration(call.seconds),
        "connected": call.connected_at is not None,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/desk/calls/{item_id}/token", dependencies=[Depends(held_work_item)])
async def softphone_token(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """An access token for the agent's softphone, and what to call with it (the work item)."""
    settings = settings_of(request)
    token = await calls_desk.token_for(session, me=me, item_id=item_id, settings=settings)
    body = {"token": token, "device": settings.voice_softphone, "params": {"item": str(item_id)}}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/desk/calls/{item_id}/hold", dependencies=[Depends(held_work_item)])
async def hold(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Put the caller on hold, with music."""
    await calls_desk.hold(session, me=me, item_id=item_id, on=True)
    await session.commit()
    return _back(item_id)


@router.post("/desk/calls/{item_id}/resume", dependencies=[Depends(held_work_item)])
async def resume(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Take the caller off hold."""
    await calls_desk.hold(session, me=me, item_id=item_id, on=False)
    await session.commit()
    return _back(item_id)


@router.post("/desk/calls/{item_id}/hang-up", dependencies=[Depends(held_work_item)])
async def hang_up(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """End the call; the work stays with the agent to finish."""
    await calls_desk.hang_up(session, me=me, item_id=item_id)
    await session.commit()
    return _back(item_id)


@router.post("/desk/calls/{item_id}/transfer", dependencies=[Depends(held_work_item)])
async def transfer(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, to: Short = "", note: Note = ""
) -> Response:
    """Pass the call on to an agent, a team or an agency with a note; the caller holds until someone accepts."""
    await calls_desk.transfer(session, me=me, item_id=item_id, to=to, note=note)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/calls/phone")
async def call_phone(
    request: Request, session: SessionDep, me: CurrentStaff, phone: Short = "", next: Short = ""
) -> Response:
    """The phone the desk rings when this agent accepts a call; empty: the browser softphone."""
    await calls_desk.set_phone(session, me=me, phone=phone, region=settings_of(request).default_region)
    await session.commit()
    return RedirectResponse(safe_next(next, "/desk"), status_code=303)


@enforces(STAFF_AGENCY)
async def agency_file(
    attachment_id: uuid.UUID, request: Request, session: SessionDep, me: CurrentStaff
) -> calls_desk.KeptFile:
    """The file in the path, if a contact its agencies worked on brought it (the read audited)."""
    return await calls_desk.kept_file(session, me=me, request=request, attachment_id=attachment_id)


@router.get("/desk/files/{attachment_id}")
async def kept_file(request: Request, file: calls_desk.KeptFile = Depends(agency_file)) -> Response:
    """A call's recording (or another file a contact brought), always as a download."""
    try:
        data = request.app.state.pipeline.store.read(file.sha256)
    except FileNotFoundError:
        return Response("This file is no longer kept.", status_code=410, media_type="text/plain")
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return Response(data, media_type=file.content_type, headers=headers)
