"""Writing to a person first, from their page: /desk/citizens/{id}/message picks a way to reach them (a text or an
email to one of their contacts, their chats, a push to their devices), a case it is about, and the words.

A plain form that posts and redirects to the person's page, where the message is on the timeline; a refused form
comes back with 422, every problem beside its field and what was typed still in it. Translates only:
`casework.outbound` checks, sends through the outbox and audits.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import outbound
from townsquare.casework.types import Citizen, Identity, IdentityKind
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import words
from townsquare.web.desk.common import CurrentStaff, settings_of, staff_citizen
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Correspondent = Annotated[Citizen, Depends(staff_citizen)]
FIELDS = ("way", "case", "subject", "text")


def contact_value(identity: Identity) -> str:
    """A contact as it is written to: a phone number as people write it, an address, a handle on its network."""
    if identity.kind is IdentityKind.phone:
        return words.phone_number(identity.value)
    if identity.kind is IdentityKind.social and identity.namespace:
        return f"{identity.value} ({identity.namespace})"
    return identity.value


templates.env.filters["contact_value"] = contact_value


def _messages() -> dict[str, str]:
    return {
        "way:choose": _("Choose how to reach them."),
        "way:stopped": _("They texted STOP to that number: write to them another way."),
        "case:unknown": _("Choose one of their open cases, or none."),
        "subject:too_long": _("Keep the subject under 200 characters."),
        "text:required": _("Write the message."),
        "text:too_long": _("Keep the message under 5,000 characters."),
    }


async def _page(
    request: Request,
    session: Session,
    me: Principal,
    citizen_id: uuid.UUID,
    *,
    filled: dict[str, str] | None = None,
    problem: Problem | None = None,
) -> Response:
    view = await outbound.read_outbound(session, me=me, citizen_id=citizen_id, purpose=purpose(request))
    known = _messages()
    errors: dict[str, str] = {}
    if problem is not None:
        errors = {e.field: known.get(f"{e.field}:{e.message}", problem.detail) for e in problem.errors}
        errors = errors or {"": problem.detail}
    context: dict[str, Any] = {
        "me": me,
        "view": view,
        "filled": filled or {"way": view.ways[0].key if view.ways else ""},
        "errors": errors,
        "sms_segments": settings_of(request).sms_max_segments,
    }
    status = problem.status if problem is not None else 200
    return templates.TemplateResponse(request, "desk/outbound.html", context, status_code=status)


@router.get("/desk/citizens/{citizen_id}/message", response_class=HTMLResponse)
async def message_page(request: Request, session: SessionDep, me: CurrentStaff, citizen: Correspondent) -> Response:
    """The ways to reach the person, their open cases and a box for the words."""
    return await _page(request, session, me, citizen.id)


@router.post("/desk/citizens/{citizen_id}/message")
async def send_message(request: Request, session: SessionDep, me: CurrentStaff, citizen: Correspondent) -> Response:
    """Send it through the outbox, in their open conversation, and show it on their timeline."""
    raw = await request.form()
    form = {name: str(raw.get(name, ""))[:10_000] for name in FIELDS}
    citizen_id = citizen.id
    try:
        await outbound.send(
            session,
            me=me,
            settings=settings_of(request),
            citizen_id=citizen_id,
            way=form["way"],
            case_reference=form["case"],
            subject=form["subject"],
            text=form["text"],
        )
    except Problem as exc:
        if exc.status not in (404, 409, 422):
            raise
        await session.rollback()
        return await _page(request, session, me, citizen_id, filled=form, problem=exc)
    await session.commit()
    return RedirectResponse(f"/desk/citizens/{citizen_id}?record=sent#timeline-title", status_code=303)
