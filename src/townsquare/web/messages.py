"""The read-more page behind the link at the end of a shortened SMS: `/m/{token}` shows that one message.

The token is signed (`engagement/links.py`), so the page reveals the message it names and nothing else:
no number, no name, no other message. Anything else, forged or not an outbound message, is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.engagement import links
from townsquare.settings import Settings
from townsquare.staff.auth import public
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


@router.get("/m/{token}", response_class=HTMLResponse)
async def message_page(request: Request, token: str, session: SessionDep) -> Response:
    """One message the platform sent, in full, for a phone that only had room for part of it."""
    settings: Settings = request.app.state.settings
    sent = await links.sent_message(session, settings, token=token[:200])
    if sent is None:
        return templates.TemplateResponse(
            request, "messages/not_found.html", {}, status_code=404, headers=PRIVATE_HEADERS
        )
    return templates.TemplateResponse(
        request,
        "messages/message.html",
        {"paragraphs": list(sent.paragraphs), "sent_at": sent.sent_at, "channel": sent.channel},
        headers=PRIVATE_HEADERS,
    )
