"""The supervisor wallboard at /desk/wallboard: queues, channels and agents of the supervisor's agencies, live.

Supervisors and admins only; reads the routing board and never changes anything.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.analytics import counter_waits
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.routing import board
from townsquare.routing.board_kept import KeptBoards
from townsquare.staff.auth import Principal
from townsquare.web.desk import words  # noqa: F401 - registers the desk's words
from townsquare.web.desk.common import supervisors_only
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Watcher = Annotated[Principal, Depends(supervisors_only("The wallboard"))]
WatcherFragment = Annotated[Principal, Depends(supervisors_only("The wallboard", fragment=True))]


async def _context(request: Request, session: Session, me: Principal) -> dict[str, object]:
    boards: KeptBoards = request.app.state.runtime.desk.boards  # counted once per notice however many watch it
    wall = await boards.snapshot(session, agency_ids=me.visible())
    waits = await counter_waits.wait_accuracy(
        session, agency_ids=me.visible(), since=board.day_start(wall.at), until=wall.at + timedelta(seconds=1)
    )
    return {"me": me, "wall": wall, "counter_waits": waits}


@router.get("/desk/wallboard", response_class=HTMLResponse)
async def wallboard(request: Request, session: SessionDep, me: Watcher) -> Response:
    """Queue depth, longest wait, service level today and agents by state, refreshed live."""
    return templates.TemplateResponse(request, "desk/wallboard.html", await _context(request, session, me))


@router.get("/desk/wallboard/_board", response_class=HTMLResponse)
async def board_fragment(request: Request, session: SessionDep, me: WatcherFragment) -> Response:
    """The tables alone, for the page to swap in when told the board moved."""
    return templates.TemplateResponse(request, "desk/_board.html", await _context(request, session, me))
