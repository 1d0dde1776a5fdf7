"""/desk/notifications/templates: supervisors and administrators read and edit the words notifications use.

The grid of every message type, channel and language; one template with a preview on its channel (sample values),
its placeholders and every earlier version; saving adds a version. Plain forms; translates only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import notification_templates as editor
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem, not_found
from townsquare.notify.kinds import MessageType
from townsquare.notify.templates import CHANNELS, LANGUAGES, PLACEHOLDERS, SUBJECT_CHANNELS
from townsquare.staff.auth import Principal
from townsquare.web.desk import labels
from townsquare.web.desk.common import settings_of, supervisors_only
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Editor = Annotated[Principal, Depends(supervisors_only("Notification templates"))]
BASE = "/desk/notifications/templates"


def _slot(message_type: str, channel: str, language: str) -> tuple[MessageType, str, str]:
    try:
        return editor.slot(message_type, channel, language)
    except Problem:
        raise not_found("Template") from None


@router.get(BASE, response_class=HTMLResponse)
async def template_grid(request: Request, session: SessionDep, me: Editor) -> Response:
    """Every template slot: which have words, at which version."""
    cells = await editor.grid(session)
    by_type: dict[MessageType, list[editor.Cell]] = {}
    for cell in cells:
        by_type.setdefault(cell.message_type, []).append(cell)
    context: dict[str, Any] = {
        "me": me,
        "by_type": by_type,
        "channels": CHANNELS,
        "languages": LANGUAGES,
        "channel_names": {channel: labels.template_channel(channel) for channel in CHANNELS},
        "language_names": {language: labels.language(language) for language in LANGUAGES},
        "base": BASE,
    }
    return templates.TemplateResponse(request, "desk/notification_templates.html", context)


async def _page(
    request: Request,
    session: SessionDep,
    me: Principal,
    slot: tuple[MessageType, str, str],
    *,
    subject: str | None = None,
    body: str | None = None,
    error: Problem | None = None,
    status_code: int = 200,
) -> Response:
    kind, channel, language = slot
    history = await editor.versions(session, kind, channel, language)
    current = history[0] if history else None
    subject = subject if subject is not None else (current.subject if current else "")
    body = body if body is not None else (current.body if current else "")
    shown = editor.preview(
        channel, subject, body, sms_max_segments=settings_of(request).sms_max_segments, language=language
    )
    context: dict[str, Any] = {
        "me": me,
        "kind": kind,
        "channel": channel,
        "language": language,
        "channel_name": labels.template_channel(channel),
        "language_name": labels.language(language),
        "has_subject": channel in SUBJECT_CHANNELS,
        "subject": subject,
        "body": body,
        "placeholders": sorted(PLACEHOLDERS[kind]),
        "preview": shown,
        "history": history,
        "error": error,
        "saved": request.query_params.get("saved"),
        "base": BASE,
    }
    return templates.TemplateResponse(request, "desk/notification_template.html", context, status_code=status_code)


@router.get(BASE + "/{message_type}/{channel}/{language}", response_class=HTMLResponse)
async def template_page(
    request: Request, message_type: str, channel: str, language: str, session: SessionDep, me: Editor
) -> Response:
    """One template: the form, a preview with sample values, the placeholders it may use, its versions."""
    return await _page(request, session, me, _slot(message_type, channel, language))


@router.post(BASE + "/{message_type}/{channel}/{language}")
async def template_save(
    request: Request,
    message_type: str,
    channel: str,
    language: str,
    session: SessionDep,
    me: Editor,
    body: Annotated[str, Form(max_length=20_000)] = "",
    subject: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=20)] = "save",
) -> Response:
    """Preview what was typed, or save it as a new version (refused, with the form kept, when it cannot be sent)."""
    slot = _slot(message_type, channel, language)
    body = body.replace("\r\n", "\n")
    if action == "preview":
        return await _page(request, session, me, slot, subject=subject, body=body)
    try:
        version = await editor.save(
            session, me=me, kind=slot[0], channel=slot[1], language=slot[2], subject=subject, body=body
        )
    except Problem as refused:
        await session.rollback()
        return await _page(request, session, me, slot, subject=subject, body=body, error=refused, status_code=422)
    await session.commit()
    return RedirectResponse(f"{BASE}/{message_type}/{channel}/{language}?saved={version}", status_code=303)
