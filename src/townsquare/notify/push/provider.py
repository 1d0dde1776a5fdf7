"""The web push provider: encrypts a small JSON for each subscribed device (aes128gcm, RFC 8291) and posts it
to the device's push service signed with our VAPID key (RFC 8292), through pywebpush.

`send` is given subscription ids (every device the person turned notifications on for), never an address; it
logs no content and no endpoint. A push service that says a subscription is gone (404/410) has it deleted here.
Sent is not delivered: a device's acknowledgement is.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pywebpush import WebPusher

from townsquare.db.engine import Database
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.notify.push import service
from townsquare.notify.push.vapid import VapidKeys, b64url
from townsquare.notify.push.vapid import load as load_keys
from townsquare.settings import Settings

log = logging.getLogger(__name__)
URGENCIES = ("very-low", "low", "normal", "high")
MAX_TITLE_CHARS = 120
MAX_BODY_CHARS = 1000  # a push carries at most 4 KB once encrypted; this keeps the JSON well under it
GONE = (404, 410)


def topic_for(idempotency_key: str) -> str:
    """The RFC 8030 Topic for a message: a retry of the same message replaces, at the push service, one not yet
    delivered instead of arriving twice (at most 32 base64url characters)."""
    return b64url(hashlib.sha256(idempotency_key.encode()).digest())[:32]


def _portal_path(url: object) -> str:
    """A path on our own portal; anything else (another site, a scheme) becomes the account page."""
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url[:500]
    return "/account"


def message_data(payload: dict[str, Any], *, ack: str) -> dict[str, str]:
    """What the service worker reads: title, body, url, tag, language and the acknowledgement token."""
    interaction_id = str(payload.get("interaction_id", ""))
    return {
        "title": str(payload.get("title") or "")[:MAX_TITLE_CHARS],
        "body": str(payload.get("body") or payload.get("text") or "")[:MAX_BODY_CHARS],
        "url": _portal_path(payload.get("url")),
        "tag": str(payload.get("notification_id") or interaction_id)[:64],
        "lang": str(payload.get("language") or "en")[:8],
        "ack": ack,
    }


class PushProvider:
    """Sends channel "push" envelopes: recipient = the person's push subscriptions' ids, comma-separated."""

    def __init__(self, db: Database, keys: VapidKeys, settings: Settings) -> None:
        self.db = db
        self.keys = keys
        self.secret = settings.secret_key
        self.ttl = settings.push_ttl_seconds
        self.timeout = settings.push_timeout_seconds

    async def send(self, envelope: Envelope) -> str:
        """Push to every device in the recipient (subscription ids, comma-separated): sent when any push service
        accepted it; a temporary failure when none did and one may later; otherwise a permanent failure."""
        try:
            devices = [uuid.UUID(part) for part in envelope.recipient.split(",")[: service.MAX_DEVICES]]
            interaction_id = uuid.UUID(str(envelope.payload.get("interaction_id")))
        except ValueError:
            raise PermanentFailure("a push names subscription ids and the interaction it delivers") from None
        outcomes = await asyncio.gather(*(self._one(d, interaction_id, envelope) for d in devices))
        accepted = [o for o in outcomes if isinstance(o, str)]
        if accepted:
            return accepted[0]
        failures = [o for o in outcomes if isinstance(o, Exception)]
        temporary = next((f for f in failures if isinstance(f, TemporaryFailure)), None)
        raise temporary or failures[0]

    async def _one(self, subscription_id: uuid.UUID, interaction_id: uuid.UUID, envelope: Envelope) -> str | Exception:
        """One device: the push service's id for the message, or the failure (never raised, so the others go on)."""
        async with self.db.session(deferred=True) as session:
            row = await service.get(session, subscription_id=subscription_id)
            if row is None:
                return PermanentFailure("the device is no longer subscribed")
            info = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
        ack = service.ack_token(self.secret, interaction_id=interaction_id, subscription_id=subscription_id)
        data = json.dumps(message_data(envelope.payload, ack=ack), separators=(",", ":"))
        try:
            status, location = await self._post(info, data, envelope)
        except TemporaryFailure as failure:
            return failure
        if status in (200, 201, 202):
            async with self.db.session() as session:
                await service.mark_sent(session, subscription_id=subscription_id)
                await session.commit()
            return (location or f"push-{uuid.uuid4().hex}")[:255]
        if status in GONE:
            async with self.db.session() as session:
                await service.forget(session, subscription_id=subscription_id)
                await session.commit()
            log.info("push subscription %s is gone (%d): removed", subscription_id, status)
            return PermanentFailure(f"the push service says the subscription is gone ({status})")
        if status == 429 or status >= 500:
            return TemporaryFailure(f"the push service answered {status}")
        return PermanentFailure(f"the push service refused the message ({status})")

    def _headers(self, endpoint: str, envelope: Envelope) -> dict[str, str]:
        parts = urlsplit(endpoint)
        claims: dict[str, str | int] = {
            "sub": self.keys.subject,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + 12 * 3600,
        }
        headers: dict[str, str] = dict(self.keys.signer().sign(claims))
        urgency = envelope.payload.get("urgency")
        headers["Urgency"] = urgency if urgency in URGENCIES else "normal"
        headers["Topic"] = topic_for(envelope.idempotency_key)
        return headers

    async def _post(self, info: dict[str, Any], data: str, envelope: Envelope) -> tuple[int, str | None]:
        ttl = envelope.payload.get("ttl")
        ttl = ttl if isinstance(ttl, int) and 0 <= ttl <= self.ttl else self.ttl
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession() as http:
                pusher = WebPusher(info, aiohttp_session=http)
                response = await pusher.send_async(
                    data, self._headers(info["endpoint"], envelope), ttl=ttl, timeout=timeout
                )
                return int(response.status), response.headers.get("Location")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(f"the push service could not be reached ({type(exc).__name__})") from None


class PushOff:
    """Push without VAPID keys (production that configured none): every push fails at once, never silently."""

    async def send(self, envelope: Envelope) -> str:
        raise PermanentFailure("web push is off: TOWNSQUARE_VAPID_PRIVATE_KEY is not set")


def configured(settings: Settings, db: Database) -> PushProvider | PushOff | None:
    """The push provider for these settings: real with configured keys or in development (keys kept under
    DATA_DIR), off in production without keys, None in tests without keys (the recording provider stands in)."""
    if not settings.vapid_private_key and settings.env == "test":
        return None
    keys = load_keys(settings)
    return PushOff() if keys is None else PushProvider(db, keys, settings)
