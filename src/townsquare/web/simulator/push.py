"""The simulator's push panel: the pushes the city sent to residents' devices, and acknowledging one as the
device's service worker would (the demo has no browser push service to deliver them). Demo mode only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.engine import Database
from townsquare.notify.push import service as push
from townsquare.settings import Settings
from townsquare.web.templating import templates

router = APIRouter()


@router.get("/push", response_class=HTMLResponse)
async def panel(request: Request) -> Response:
    """Every push sent, newest first, with whether a device acknowledged it."""
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        sent = await push.sent_pushes(session)
    return templates.TemplateResponse(request, "simulator/push.html", {"sent": sent})


@router.post("/push/acknowledge")
async def acknowledge(request: Request, interaction_id: uuid.UUID, subscription_id: uuid.UUID) -> Response:
    """Acknowledge one push as its device would: the same sealed token through the same service call."""
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    token = push.ack_token(settings.secret_key, interaction_id=interaction_id, subscription_id=subscription_id)
    async with db.session() as session:
        await push.acknowledge(session, token=token, secret=settings.secret_key)  # an unknown one: a 404 problem
        await session.commit()
    return RedirectResponse("/simulator/push", status_code=303)
