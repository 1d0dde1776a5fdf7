"""Signed links the platform sends people: the full text of a shortened SMS, for now.

A link carries the id and an HMAC of it under the deployment's secret key, so it cannot be guessed or
altered; it reveals one message and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from townsquare.engagement.replies import ReplyOptions
from townsquare.settings import Settings

MESSAGE_PATH = "/m/"


def _mac(secret: str, purpose: str, raw: bytes) -> str:
    digest = hmac.new(secret.encode(), purpose.encode() + b":" + raw, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def sign_id(secret: str, purpose: str, value: uuid.UUID) -> str:
    """A URL-safe token for `value` that only this deployment can mint."""
    raw = value.bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + _mac(secret, purpose, raw)


def read_id(secret: str, purpose: str, token: str) -> uuid.UUID | None:
    """The id inside a token this deployment minted, or None for anything else."""
    body, _, mac = token.partition(".")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        value = uuid.UUID(bytes=raw)
    except ValueError:
        return None
    return value if hmac.compare_digest(mac, _mac(secret, purpose, raw)) else None


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
    )
