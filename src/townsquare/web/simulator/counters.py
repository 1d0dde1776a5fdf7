"""The simulator's counters panel: each office's real kiosk and display screen side by side, in frames of the
platform's own pages, so taking a ticket on one shows it called on the other when a clerk calls it from the desk.
Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.counters import views
from townsquare.db.engine import Database
from townsquare.offices import service as offices
from townsquare.web.templating import templates

router = APIRouter()


@router.get("/counters", response_class=HTMLResponse)
async def counters(request: Request) -> Response:
    """Every active office: its kiosk and its display screen."""
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        found = [await views.office_view(session, office=o) for o in await offices.list_offices(session)]
    return templates.TemplateResponse(request, "simulator/counters.html", {"offices": found})
