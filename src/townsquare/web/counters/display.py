"""The display screen: `/display/{office}` on a TV in the office's waiting room — the tickets called and their
counters (the newest highlighted, and read aloud when the screen's speech is on), and each service's line and
estimated wait. Live over `/display/{office}/live`; without JavaScript the page reloads itself.

Public and free of personal data: ticket numbers, counters, services and waits only. Translates only.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, WebSocket
from fastapi.responses import HTMLResponse, Response

from townsquare.counters import tickets
from townsquare.counters.views import board
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import public
from townsquare.web.counters.common import framable, speak
from townsquare.web.counters.live import DisplayHub
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
sockets = APIRouter(include_in_schema=False)  # a websocket reads no page's session (nor the city's zone)
REFRESH_SECONDS = 15  # without JavaScript


async def _board(request: Request, session: Session, office: str, name: str) -> Response:
    language = speak(request)
    place = await tickets.find_office(session, ref=office)
    context = {
        "board": await board(session, office=place),
        "fragment": f"/display/{place.slug}/_board?lang={language}",
        "socket": f"/display/{place.slug}/live",
        "refresh": REFRESH_SECONDS,
    }
    return framable(templates.TemplateResponse(request, name, context))


@router.get("/display/{office}", response_class=HTMLResponse)
async def display(request: Request, session: SessionDep, office: str) -> Response:
    """The waiting room's screen."""
    return await _board(request, session, office, "counters/display.html")


@router.get("/display/{office}/_board", response_class=HTMLResponse)
async def board_fragment(request: Request, session: SessionDep, office: str) -> Response:
    """The screen's board alone, for the page to swap in when told a ticket moved."""
    return await _board(request, session, office, "counters/_board.html")


@sockets.websocket("/display/{office}/live", dependencies=[Depends(public)])
async def display_socket(websocket: WebSocket, office: str) -> None:
    """Notices for one office's screens: "board" when a ticket there moved."""
    hub: DisplayHub = websocket.app.state.runtime.displays
    async with websocket.app.state.db.session(deferred=True) as session:
        try:
            place = await tickets.find_office(session, ref=office)
        except Problem:
            await websocket.close(code=1008)
            return
        office_id = place.id
    await hub.serve(websocket, office_id)
