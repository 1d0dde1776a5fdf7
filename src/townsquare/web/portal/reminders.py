"""/account/reminders: what the city will remind the signed-in resident of, and when; each can be cancelled."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.residents import reminders
from townsquare.staff.auth import RESIDENT_OWN, enforces
from townsquare.web import i18n
from townsquare.web.portal.cases import day
from townsquare.web.portal.common import CurrentCitizen, NotYours
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/account/reminders", response_class=HTMLResponse)
async def reminder_list(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The resident's reminders, soonest first."""
    rows = await reminders.upcoming(session, citizen_id=citizen.id, language=i18n.current())
    context = {
        "rows": rows,
        "day": day,
        "cancelled": request.query_params.get("cancelled") == "1",
    }
    return templates.TemplateResponse(request, "portal/reminders.html", context)


@enforces(RESIDENT_OWN)
async def own_reminder(reminder_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The reminder in the path is the signed-in resident's."""
    try:
        theirs = await reminders.is_theirs(session, citizen_id=citizen.id, reminder_id=uuid.UUID(reminder_id))
    except ValueError:
        theirs = False
    if not theirs:
        raise NotYours("reminder")


@router.post("/account/reminders/{reminder_id}/cancel", dependencies=[Depends(own_reminder)])
async def reminder_cancel(reminder_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Cancel one of the resident's own scheduled reminders (one already sent cannot be: a 404)."""
    await reminders.cancel(session, citizen_id=citizen.id, reminder_id=uuid.UUID(reminder_id))
    await session.commit()
    return RedirectResponse("/account/reminders?cancelled=1", status_code=303)
