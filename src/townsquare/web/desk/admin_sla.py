"""The administrators' SLA targets at /desk/admin/sla: how soon the first response is due per agency, channel and
optionally service (in minutes, hours or days), the goal, and whether the clock runs in business hours only.

Translates only: the form as typed becomes a `routing.admin_sla.SlaForm`; the domain checks, saves and audits.
Another agency's target answers an agency administrator as an unknown one.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.routing import admin_sla
from townsquare.routing.admin_sla import SLA_CHANNELS, SlaForm
from townsquare.staff.auth import AGENCY_ADMIN, Principal, enforces
from townsquare.web.desk.admin_forms import Administrator, agency_options, page, save, text, ticked
from townsquare.web.desk.words import channel_words
from townsquare.web.i18n import gettext as _

router = APIRouter(include_in_schema=False)


@enforces(AGENCY_ADMIN)
async def target_of_mine(target_id: uuid.UUID, session: SessionDep, me: Administrator) -> uuid.UUID:
    """The SLA target in the path, if it is of one of the administrator's agencies (else 404)."""
    await admin_sla.target_in_scope(session, me, target_id)
    return target_id


TargetId = Annotated[uuid.UUID, Depends(target_of_mine)]


def units() -> dict[str, str]:
    return {"minutes": _("minutes"), "hours": _("hours"), "days": _("days")}


@router.get("/desk/admin/sla", response_class=HTMLResponse)
async def sla_page(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Every SLA target of the administrator's agencies."""
    rows, _agencies, _services = await admin_sla.sla_view(session, me)
    return page(request, "desk/admin_sla.html", {"me": me, "rows": rows, "units": units()})


def _form(raw: Any) -> SlaForm:
    return SlaForm(
        agency_id=text(raw, "agency_id", 64),
        channel=text(raw, "channel", 16),
        service_code=text(raw, "service_code", 64),
        amount=text(raw, "amount", 12),
        unit=text(raw, "unit", 12),
        goal_percent=text(raw, "goal_percent", 6),
        business_hours=ticked(raw, "business_hours"),
        active=ticked(raw, "active"),
    )


async def _form_page(
    request: Request,
    session: Session,
    me: Principal,
    form: SlaForm,
    *,
    target_id: uuid.UUID | None,
    error: Problem | None = None,
) -> Response:
    _rows, agencies, services = await admin_sla.sla_view(session, me)
    many = len(agencies) > 1
    names = {a.id: a.name for a in agencies}
    context = {
        "me": me,
        "form": form,
        "target_id": target_id,
        "agencies": agency_options(agencies),
        "channels": [(c, channel_words(c)) for c in SLA_CHANNELS],
        "services": [(code, f"{names[a]}: {name}" if many else name) for a, code, name, _id in services],
        "units": list(units().items()),
    }
    return page(request, "desk/admin_sla_target.html", context, error=error)


@router.get("/desk/admin/sla/new", response_class=HTMLResponse)
async def new_target(request: Request, session: SessionDep, me: Administrator) -> Response:
    """An empty SLA target form."""
    return await _form_page(request, session, me, SlaForm(), target_id=None)


@router.post("/desk/admin/sla/new", response_class=HTMLResponse)
async def create_target(request: Request, session: SessionDep, me: Administrator) -> Response:
    """Add a target; zero, negative, over a year or a second one for the same service and channel is refused."""
    sent = _form(await request.form())
    return await save(
        session,
        lambda: admin_sla.create(session, me=me, sent=sent),
        lambda exc: _form_page(request, session, me, sent, target_id=None, error=exc),
        "/desk/admin/sla?notice=created",
    )


@router.get("/desk/admin/sla/{target_id}", response_class=HTMLResponse)
async def edit_target(request: Request, session: SessionDep, me: Administrator, target_id: TargetId) -> Response:
    """The target as a form."""
    target = await admin_sla.target_in_scope(session, me, target_id)
    return await _form_page(request, session, me, await admin_sla.form_of(session, target), target_id=target_id)


@router.post("/desk/admin/sla/{target_id}", response_class=HTMLResponse)
async def save_target(request: Request, session: SessionDep, me: Administrator, target_id: TargetId) -> Response:
    """Change the target, or deactivate it (untick Active)."""
    sent = _form(await request.form())
    return await save(
        session,
        lambda: admin_sla.update(session, me=me, target_id=target_id, sent=sent),
        lambda exc: _form_page(request, session, me, sent, target_id=target_id, error=exc),
        "/desk/admin/sla?notice=saved",
    )
