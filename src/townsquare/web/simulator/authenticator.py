"""The simulator's authenticator: the one-time code each staff member's authenticator app would show now, so the
demo's administrators (who must give one after their password) can sign in without a phone. Demo mode only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db.engine import Database
from townsquare.staff.authenticator_demo import codes_now
from townsquare.web.templating import templates

router = APIRouter()


@router.get("/authenticator", response_class=HTMLResponse)
async def panel(request: Request) -> Response:
    """Each staff member with an authenticator and the code it shows now."""
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        codes = await codes_now(session, request.app.state.settings)
    return templates.TemplateResponse(request, "simulator/authenticator.html", {"codes": codes})
