"""The greeter at the door: `/desk/offices/{office}/greeter` checks a visitor in for a service — in their language,
with their phone for the texts and to know who they are, and (when they showed it) their identity document noted —
through the one flow, like the kiosk. The ticket's number is shown to read out or write down.

Staff of the office's agency; a refusal (closed office, service not offered, unreadable phone, already in line)
shows the form again with the reason, nothing written. Translates only: `casework.counter_actions.greet`.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import counter_actions, counter_desk
from townsquare.casework.counter_actions import GreeterForm
from townsquare.casework.counter_types import Office
from townsquare.counters.views import office_view
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_AGENCY, Principal, enforces
from townsquare.web import i18n
from townsquare.web.desk.admin import checked, text
from townsquare.web.desk.common import CurrentStaff
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


@enforces(STAFF_AGENCY)
async def agency_office(office_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Office:
    """The office named in the path, if the staff member works for its agency (else as unknown)."""
    return await counter_desk.office_in_scope(session, me, office_id)


AgencyOffice = Annotated[Office, Depends(agency_office)]


async def _page(
    request: Request,
    session: Session,
    me: Principal,
    office: Office,
    *,
    form: GreeterForm | None = None,
    error: Problem | None = None,
) -> Response:
    given: Any = None
    done = request.query_params.get("ticket", "")
    if done and error is None:
        try:
            given = await counter_desk.ticket_in_scope(session, me, uuid.UUID(done))
        except (ValueError, Problem):
            given = None
    view = await office_view(session, office=office)
    context = {
        "me": me,
        "office": view,
        "services": [(s.code, s.name.in_(i18n.current())) for s in view.services],
        "form": form or GreeterForm(token=secrets.token_urlsafe(16)),
        "error": error,
        "problems": {e.field: [e.message] for e in (error.errors if error else [])},
        "given": given,
    }
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/greeter.html", context, status_code=status)


@router.get("/desk/offices/{office_id}/greeter", response_class=HTMLResponse)
async def greeter(request: Request, session: SessionDep, me: CurrentStaff, office: AgencyOffice) -> Response:
    """The check-in form (and the ticket just given, if any)."""
    return await _page(request, session, me, office)


@router.post("/desk/offices/{office_id}/greeter", response_class=HTMLResponse)
async def check_in(request: Request, session: SessionDep, me: CurrentStaff, office: AgencyOffice) -> Response:
    """Check the visitor in; come back with their ticket's number, or show the form again with the reason."""
    raw = await request.form()
    form = GreeterForm(
        service=text(raw, "service", 64),
        language=text(raw, "language", 2) or "en",
        phone=text(raw, "phone", 40),
        identity_checked=checked(raw, "identity_checked"),
        token=text(raw, "token", 64),
    )
    office_id = office.id
    try:
        checked_in = await counter_actions.greet(session, request.app.state.pipeline, me=me, office=office, form=form)
    except Problem as problem:
        if problem.status not in (409, 422):
            raise
        await session.rollback()
        again = await counter_desk.office_in_scope(session, me, office_id)
        return await _page(request, session, me, again, form=form, error=problem)
    ticket_id = checked_in.ticket.id
    await session.commit()
    return RedirectResponse(f"/desk/offices/{office_id}/greeter?ticket={ticket_id}#given", status_code=303)
