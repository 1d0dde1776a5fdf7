"""The read-more page behind the link at the end of a shortened SMS: `/m/{token}` shows that one message.

The token is signed (`engagement/links.py`), so the page reveals the message it names and nothing else:
no number, no name, no other message. Anything else, forged or not an outbound message, is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.engagement import links
from townsquare.interactions.models import Direction, Interaction
from townsquare.settings import Settings
from townsquare.staff.auth import public
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def full_text(interaction: Interaction) -> str:
    """The fullest text stored for an outbound message: its untruncated text if kept, else what was sent."""
    payload = interaction.payload or {}
    kept = payload.get("full_text")
    if isinstance(kept, str) and kept.strip():
        return kept
    rendered = payload.get("rendered")
    if isinstance(rendered, dict):
        for key in ("text", "body", "say"):
            if isinstance(rendered.get(key), str):
                return str(rendered[key])
    return interaction.body


@router.get("/m/{token}", response_class=HTMLResponse)
async def message_page(request: Request, token: str, session: SessionDep) -> Response:
    """One message the platform sent, in full, for a phone that only had room for part of it."""
    settings: Settings = request.app.state.settings
    interaction_id = links.message_from_token(settings, token[:200])
    interaction = await session.get(Interaction, interaction_id) if interaction_id else None
    if interaction is None or interaction.direction is not Direction.outbound:
        return templates.TemplateResponse(
            request, "messages/not_found.html", {}, status_code=404, headers=PRIVATE_HEADERS
        )
    paragraphs = [p.strip() for p in full_text(interaction).split("\n") if p.strip()]
    return templates.TemplateResponse(
        request,
        "messages/message.html",
        {"paragraphs": paragraphs, "sent_at": interaction.occurred_at, "channel": interaction.channel.value},
        headers=PRIVATE_HEADERS,
    )
