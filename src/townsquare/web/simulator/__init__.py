"""The channel simulator (demo mode only): act as a citizen on SMS, the phone, email, chat, Meta's apps and Mastodon.

Each panel plays the provider: it signs and sends exactly what Twilio, Meta or a mail server would send to the
platform's real channel endpoints, so what works here works with the provider. Served only when
TOWNSQUARE_SIMULATOR is on, which production refuses.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.staff.auth import public
from townsquare.web.simulator import (
    authenticator,
    chat,
    counters,
    email,
    graph_fake,
    letters,
    mastodon,
    mastodon_fake,
    meta,
    push,
    scanner,
    sms,
    twilio_fake,
    voice,
    voice_legs,
)
from townsquare.web.templating import templates

# A development tool, served only when TOWNSQUARE_SIMULATOR is on (never in production).
router = APIRouter(prefix="/simulator", include_in_schema=False, dependencies=[Depends(public)])


@router.get("", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    """The four panels: a phone that texts, a phone that calls, a mail client, a chat window."""
    return templates.TemplateResponse(request, "simulator/index.html", {})


for _panel in (
    sms,
    voice,
    voice_legs,
    twilio_fake,
    email,
    chat,
    letters,
    scanner,
    push,
    authenticator,
    meta,
    graph_fake,
    mastodon,
    mastodon_fake,
    counters,
):
    router.include_router(_panel.router)
