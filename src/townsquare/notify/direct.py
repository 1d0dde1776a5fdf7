"""Messages a person asks for themselves, from templates: a sign-in link, a code or a link to check a contact.

Unlike a notification they go to one address, the one being proven, on its own channel: no plan, no fallback, no
opt-out, no quiet hours. The words are the deployment's template for the slot (in the reader's language, else
English); where the deployment has none, the platform's own (`essential/templates.toml`), so a sign-in never
fails for want of words. A line whose placeholders are all empty is left out (a code, or a link, not both).
Queued in the outbox in the caller's transaction; never commits.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.notify import rendering, templates
from townsquare.notify import service as outbox
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import NotificationTemplate
from townsquare.notify.notifications import GREETING
from townsquare.settings import Settings

ESSENTIAL_DIR = Path(__file__).parent / "essential"


@cache
def _essential() -> dict[tuple[str, str, str], tuple[str, str]]:
    """The platform's own words, by (message type, channel, language)."""
    data = tomllib.loads((ESSENTIAL_DIR / "templates.toml").read_text(encoding="utf-8"))
    return {
        (t["type"], t["channel"], t["language"]): (t.get("subject", "").strip(), t["body"].strip())
        for t in data["template"]
    }


async def words(
    session: AsyncSession, *, message_type: MessageType, channel: str, language: str
) -> NotificationTemplate:
    """The template in use for the slot: the deployment's, else the platform's own (never saved)."""
    found = await templates.for_person(session, message_type=message_type, channel=channel, language=language)
    if found is not None:
        return found
    own = _essential()
    key = next(
        (k for k in ((message_type.value, channel, language), (message_type.value, channel, "en")) if k in own), None
    )
    if key is None:
        raise LookupError(f"no words for {message_type.value} on {channel}")
    subject, body = own[key]
    return NotificationTemplate(
        id=uuid.UUID(int=0),
        message_type=message_type,
        channel=channel,
        language=key[2],
        version=0,
        subject=subject,
        body=body,
    )


async def send(
    session: AsyncSession,
    settings: Settings,
    *,
    message_type: MessageType,
    channel: str,
    recipient: str,
    language: str,
    values: Mapping[str, object],
    idempotency_key: str,
) -> dict[str, Any]:
    """Fill the slot's words and queue them to `recipient`; returns the payload queued."""
    template = await words(session, message_type=message_type, channel=channel, language=language)
    filled = templates.fill(
        template,
        {
            "name": GREETING.get(language, GREETING["en"]),
            "agency": settings.brand_name,
            "url": "",
            "reference": "",
            "code": "",
            **values,
        },
    )
    content = rendering.Content(text=filled.body, subject=filled.subject or None)
    payload = rendering.render(content, channel, sms_max_segments=settings.sms_max_segments, language=language)
    payload.update(language=language, auto_submitted=True, type=message_type.value)
    if channel == "email" and settings.email_from_address:
        payload["from"] = settings.email_from_address
    await outbox.enqueue(
        session, channel=channel, recipient=recipient, payload=payload, idempotency_key=idempotency_key
    )
    return payload
