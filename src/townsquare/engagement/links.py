"""Signed links the platform sends people: the full text of a shortened SMS, for now.

A link carries the id and an HMAC of it under the deployment's secret key, so it cannot be guessed or
altered; it reveals one message and nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import sealing
from townsquare.engagement.replies import ReplyOptions
from townsquare.interactions.models import Direction, Interaction
from townsquare.settings import Settings

MESSAGE_PATH = "/m/"
LINK_MAC_BYTES = 12  # 96 bits: unguessable, and short enough for a link in a text message


def sign_id(secret: str, purpose: str, value: uuid.UUID) -> str:
    """A URL-safe token for `value` that only this deployment can mint."""
    return sealing.seal(secret, purpose, value.bytes, mac_bytes=LINK_MAC_BYTES)


def read_id(secret: str, purpose: str, token: str) -> uuid.UUID | None:
    """The id inside a token this deployment minted, or None for anything else."""
    raw = sealing.unseal(secret, purpose, token, mac_bytes=LINK_MAC_BYTES)
    try:
        return uuid.UUID(bytes=raw) if raw is not None else None
    except ValueError:
        return None


def message_url(settings: Settings, interaction_id: uuid.UUID) -> str:
    """Where a person reads the full text of a message that had to be shortened."""
    return settings.public_url.rstrip("/") + MESSAGE_PATH + sign_id(settings.secret_key, "message", interaction_id)


def message_from_token(settings: Settings, token: str) -> uuid.UUID | None:
    return read_id(settings.secret_key, "message", token)


def reply_options(settings: Settings) -> ReplyOptions:
    """Replies shaped for this deployment: its SMS budget and its read-more links."""
    return ReplyOptions(
        sms_max_segments=settings.sms_max_segments,
        read_more=lambda interaction_id: message_url(settings, interaction_id),
        settings=settings,
    )


@dataclass(frozen=True)
class SentMessage:
    """One message the platform sent, as its read-more page shows it."""

    paragraphs: tuple[str, ...]
    sent_at: datetime
    channel: str


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


async def sent_message(session: AsyncSession, settings: Settings, *, token: str) -> SentMessage | None:
    """The outbound message a read-more token names, or None for anything else (forged, or not sent by us)."""
    interaction_id = message_from_token(settings, token)
    interaction = await session.get(Interaction, interaction_id) if interaction_id else None
    if interaction is None or interaction.direction is not Direction.outbound:
        return None
    paragraphs = tuple(p.strip() for p in full_text(interaction).split("\n") if p.strip())
    return SentMessage(paragraphs, interaction.occurred_at, interaction.channel.value)
