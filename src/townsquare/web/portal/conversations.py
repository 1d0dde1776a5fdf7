"""Messages: the resident's conversations (the same ones staff answer on the desk) and a plain form to answer.

An answer goes through the one engagement pipeline like any contact, recorded once however often the form is
sent; only the resident's own conversations are shown or answered (anything else is a 404).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db import keyset
from townsquare.db.deps import SessionDep
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.residents import records as residents
from townsquare.residents.records import ConversationView
from townsquare.residents.types import Direction, Interaction
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.cases import case_name, helpers
from townsquare.web.portal.common import CurrentCitizen, own_conversation, settings_of
from townsquare.web.portal.content import agency_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
OWNED = [Depends(own_conversation)]  # the record in the path is the signed-in resident's
SNIPPET_CHARS = 120


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1].rstrip() + "…"


def _sender(item: Interaction, staff: dict[uuid.UUID, str], agency: str) -> str:
    """Who said it: you, the staff member's first name, or the agency."""
    if item.direction is Direction.inbound:
        return _("You")
    if item.staff_id and item.staff_id in staff:
        return _("%(name)s at %(agency)s") % {"name": staff[item.staff_id], "agency": agency}
    return agency


def _title(subject: str | None, case_label: str | None, reference: str | None) -> str:
    if case_label and reference:
        return _("%(name)s (case %(reference)s)") % {"name": case_label, "reference": reference}
    return subject or _("Your conversation with us")


@router.get("/account/messages", response_class=HTMLResponse)
async def my_messages(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The resident's conversations, the most recently active first."""
    rows, total = await residents.conversations_of(session, citizen_id=citizen.id)
    agency = settings_of(request).brand_name
    shown = []
    for row in rows:
        reference = row.case.reference if row.case else None
        last = row.last
        shown.append(
            {
                "id": row.conversation.id,
                "title": _title(
                    row.conversation.subject, case_name(row.case, row.service) if row.case else None, reference
                ),
                "channels": row.channels,
                "who": (_("You") if last.direction is Direction.inbound else agency) if last else None,
                "snippet": _snippet(residents.full_text(last)) if last else "",
                "at": row.conversation.last_activity_at,
            }
        )
    context = {"conversations": shown, "total": total, "back": "/account", **helpers()}
    return templates.TemplateResponse(request, "portal/conversations.html", context)


def _page_context(request: Request, view: ConversationView, before: str | None) -> dict[str, Any]:
    agency = agency_text(view.agency, "name") if view.agency else settings_of(request).brand_name
    messages = [
        {
            "who": _sender(item, view.staff, agency),
            "mine": item.direction is Direction.inbound,
            "channel": item.channel,
            "at": item.occurred_at,
            "text": residents.full_text(item),
            "files": [a.filename for a in item.attachments],
        }
        for item in view.messages
    ]
    case = view.case
    return {
        "conversation": view.conversation,
        "title": _title(
            view.conversation.subject, case_name(case, view.service) if case else None, case.reference if case else None
        ),
        "case": case,
        "messages": messages,
        "earlier": keyset.token(view.earlier),
        "paged": before is not None,
        "back": "/account/messages",
        **helpers(),
    }


async def _view(
    session: SessionDep, citizen_id: uuid.UUID, conversation_id: str, before: str | None = None
) -> ConversationView | None:
    try:
        wanted = uuid.UUID(conversation_id[:40])
    except ValueError:
        return None
    cursor = keyset.read_token(before)
    return await residents.conversation_of(session, citizen_id=citizen_id, conversation_id=wanted, before=cursor)


def _missing(request: Request) -> Response:
    return templates.TemplateResponse(request, "portal/missing.html", {"what": "conversation"}, status_code=404)


@router.get(
    "/account/messages/{conversation_id}", response_class=HTMLResponse, dependencies=[Depends(own_conversation)]
)
async def my_conversation(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    conversation_id: str,
    before: str | None = None,
    sent: int = 0,
) -> Response:
    """One conversation in order, both ways, with a form to answer."""
    view = await _view(session, citizen.id, conversation_id, before)
    if view is None:
        return _missing(request)
    context = _page_context(request, view, before)
    context.update({"sent": bool(sent), "text": "", "client_id": str(uuid.uuid4()), "error": None})
    return templates.TemplateResponse(request, "portal/conversation.html", context)


@router.post(
    "/account/messages/{conversation_id}", response_class=HTMLResponse, dependencies=[Depends(own_conversation)]
)
async def answer(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    conversation_id: str,
    text: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Send the resident's answer into the conversation, then back to it (POST-redirect-GET)."""
    view = await _view(session, citizen.id, conversation_id)
    if view is None:
        return _missing(request)
    limit = settings_of(request).max_body_chars
    error = None
    if not text.strip():
        error = _("Enter your message")
    elif len(text.strip()) > limit:
        error = _("Your message must be %(max)d characters or fewer") % {"max": limit}
    if error is None:
        pipeline: Pipeline = request.app.state.pipeline
        try:
            await residents.answer(
                session,
                pipeline=pipeline,
                citizen_id=citizen.id,
                conversation_id=view.conversation.id,
                text=text,
                client_id=client_id or str(uuid.uuid4()),
            )
        except Problem:
            await session.rollback()
            error = _("Your message could not be sent. Reload the page and try again.")
    if error is None:
        return RedirectResponse(f"/account/messages/{view.conversation.id}?sent=1", status_code=303)
    context = _page_context(request, view, None)
    context.update(
        {"sent": False, "text": text, "client_id": client_id or str(uuid.uuid4()), "error": error, "error_count": 1}
    )
    return templates.TemplateResponse(request, "portal/conversation.html", context, status_code=422)
