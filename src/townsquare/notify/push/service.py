"""Residents' push subscriptions and the acknowledgements their devices send back.

Keyword-only functions, session first; none commits (the caller owns the transaction). The acknowledgement is what
counts as delivered: a sealed token names the outbound interaction, so nobody can mark another person's message.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import sealing
from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.kinds import Channel, DeliveryStatus, Direction
from townsquare.interactions.models import Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.notify.push.models import MAX_DEVICE_CHARS, MAX_ENDPOINT_CHARS, PushSubscription
from townsquare.notify.push.vapid import b64url_decode
from townsquare.settings import Settings
from townsquare.staff import service as staff

ACK_PURPOSE = "push-ack"
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, then x and y
AUTH_BYTES = 16
MAX_DEVICES = 10  # a notification goes to the newest devices; an older one is reached again once it is used
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class BrowserSubscription:
    """A browser's PushSubscription, checked: where to post, and the keys to encrypt for."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushDevice:
    """One subscribed device as the account page lists it."""

    id: uuid.UUID
    device: str
    created_at: datetime
    last_sent_at: datetime | None
    last_acknowledged_at: datetime | None


def _loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint_problem(endpoint: object, *, env: str) -> str | None:
    if not isinstance(endpoint, str) or not endpoint:
        return "The subscription has no endpoint."
    if len(endpoint) > MAX_ENDPOINT_CHARS:
        return f"The endpoint is longer than {MAX_ENDPOINT_CHARS} characters."
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        return "The endpoint is not a URL."
    if parts.username or parts.password or not host:
        return "The endpoint is not a push service's URL."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and env in ("development", "test") and _loopback(host):
        return None  # a push service on this machine (the demo's and the tests' recording one)
    return "The endpoint must be an https URL."


def _key_problem(value: object, *, name: str, size: int) -> str | None:
    if not isinstance(value, str):
        return f"The subscription has no {name} key."
    try:
        raw = b64url_decode(value)
    except ValueError:
        return f"The {name} key is not base64url text."
    if len(raw) != size or (name == "p256dh" and raw[0] != 0x04):
        return f"The {name} key must be {size} bytes{' (an uncompressed P-256 point)' if name == 'p256dh' else ''}."
    return None


def parse_subscription(data: Any, *, env: str) -> BrowserSubscription:
    """The browser's `PushSubscription.toJSON()` checked, or a 422 problem naming every field that is wrong.

    http endpoints are accepted only on loopback and only in development and tests.
    """
    if not isinstance(data, dict):
        raise invalid("Send the browser's push subscription as a JSON object.", FieldError("subscription", "missing"))
    given = data.get("keys")
    keys: dict[str, Any] = given if isinstance(given, dict) else {}
    errors = [
        FieldError(field, message)
        for field, message in (
            ("endpoint", _endpoint_problem(data.get("endpoint"), env=env)),
            ("keys.p256dh", _key_problem(keys.get("p256dh"), name="p256dh", size=P256DH_BYTES)),
            ("keys.auth", _key_problem(keys.get("auth"), name="auth", size=AUTH_BYTES)),
        )
        if message is not None
    ]
    if errors:
        raise invalid("This is not a push subscription we can send to.", *errors)
    return BrowserSubscription(
        endpoint=data["endpoint"], p256dh=keys["p256dh"].rstrip("="), auth=keys["auth"].rstrip("=")
    )


def _audit(session: AsyncSession, citizen_id: uuid.UUID, action: str, subscription_id: uuid.UUID) -> None:
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action=action,
        subject_kind="push_subscription",
        subject_id=str(subscription_id),
        citizen_id=citizen_id,
    )


async def _by_endpoint(session: AsyncSession, endpoint: str) -> PushSubscription | None:
    stmt = select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    return (await session.execute(stmt)).scalar_one_or_none()


async def subscribe(
    session: AsyncSession, *, citizen_id: uuid.UUID, subscription_json: Any, device: str, settings: Settings
) -> uuid.UUID:
    """Keep this device's subscription for the citizen (audited); the same endpoint again moves to this citizen.

    A browser has one subscription per site, so an endpoint belongs to whoever subscribed with it last (a shared
    computer where someone else signs in and turns notifications on).
    """
    parsed = parse_subscription(subscription_json, env=settings.env)
    device = device.strip()[:MAX_DEVICE_CHARS]
    row = await _by_endpoint(session, parsed.endpoint)
    if row is None:
        row = PushSubscription(
            citizen_id=citizen_id, endpoint=parsed.endpoint, p256dh=parsed.p256dh, auth=parsed.auth, device=device
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same browser subscribed twice at once: the other request's row is kept
            row = await _by_endpoint(session, parsed.endpoint)
            if row is None:
                raise
    if (row.citizen_id, row.p256dh, row.auth, row.device) != (citizen_id, parsed.p256dh, parsed.auth, device):
        row.citizen_id, row.p256dh, row.auth, row.device = citizen_id, parsed.p256dh, parsed.auth, device
    await session.flush()
    _audit(session, citizen_id, "citizen.push_subscribed", row.id)
    return row.id


async def unsubscribe(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    endpoint: str | None = None,
    subscription_id: uuid.UUID | None = None,
) -> bool:
    """Forget the citizen's subscription named by its endpoint or id (audited); False when they have no such one."""
    stmt = select(PushSubscription).where(PushSubscription.citizen_id == citizen_id)
    if subscription_id is not None:
        stmt = stmt.where(PushSubscription.id == subscription_id)
    elif endpoint:
        stmt = stmt.where(PushSubscription.endpoint == endpoint[:MAX_ENDPOINT_CHARS])
    else:
        return False
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    _audit(session, citizen_id, "citizen.push_unsubscribed", row.id)
    return True


async def live_for(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[uuid.UUID]:
    """The citizen's subscriptions, newest first: empty means push cannot reach them."""
    stmt = (
        select(PushSubscription.id)
        .where(PushSubscription.citizen_id == citizen_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def devices(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[PushDevice]:
    """The citizen's subscribed devices, newest first, for their account page."""
    stmt = (
        select(PushSubscription)
        .where(PushSubscription.citizen_id == citizen_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    )
    return [
        PushDevice(r.id, r.device, r.created_at, r.last_sent_at, r.last_acknowledged_at)
        for r in (await session.execute(stmt)).scalars()
    ]


async def get(session: AsyncSession, *, subscription_id: uuid.UUID) -> PushSubscription | None:
    """A subscription by id (the provider's recipient)."""
    return await session.get(PushSubscription, subscription_id)


async def forget(session: AsyncSession, *, subscription_id: uuid.UUID) -> None:
    """Remove a subscription its push service says is gone (404/410)."""
    await session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))


async def mark_sent(session: AsyncSession, *, subscription_id: uuid.UUID) -> None:
    """Note that the push service accepted a message for this device."""
    stmt = update(PushSubscription).where(PushSubscription.id == subscription_id).values(last_sent_at=utcnow())
    await session.execute(stmt)


def ack_token(secret: str, *, interaction_id: uuid.UUID, subscription_id: uuid.UUID) -> str:
    """What the device sends back to acknowledge one push: the interaction and device, sealed with the secret."""
    return sealing.seal_json(secret, ACK_PURPOSE, {"i": str(interaction_id), "s": str(subscription_id)})


def _forged() -> Problem:
    return invalid("This acknowledgement is not one we sent.", FieldError("token", "not a token of ours"))


async def acknowledge(session: AsyncSession, *, token: str, secret: str) -> uuid.UUID:
    """Mark the push's outbound interaction delivered (DeliveryChanged after commit); a second time changes nothing.

    A token we did not seal is a 422 problem; one whose message no longer exists is a 404.
    """
    data = sealing.unseal_json(secret, ACK_PURPOSE, token)
    if data is None:
        raise _forged()
    try:
        interaction_id = uuid.UUID(str(data.get("i")))
        subscription_id = uuid.UUID(str(data.get("s")))
    except ValueError:
        raise _forged() from None
    interaction = await session.get(Interaction, interaction_id, with_for_update=True)  # one acknowledgement at a time
    if interaction is None or interaction.channel != Channel.push or interaction.direction != Direction.outbound:
        raise not_found("Notification", "The notification this acknowledges no longer exists.")
    if interaction.delivery_status == DeliveryStatus.delivered:
        return interaction_id
    await interactions.set_delivery(session, interaction_id=interaction_id, status=DeliveryStatus.delivered)
    now = utcnow()
    await session.execute(
        update(PushSubscription).where(PushSubscription.id == subscription_id).values(last_acknowledged_at=now)
    )
    publish_after_commit(session, DeliveryChanged(interaction_id=interaction_id, status=DeliveryStatus.delivered.value))
    return interaction_id


@dataclass(frozen=True)
class SentPush:
    """One push the platform sent, as the simulator's panel shows it."""

    outbox_id: uuid.UUID
    interaction_id: uuid.UUID | None
    subscription_id: str  # the newest device it went to (a push goes to each of the person's devices)
    title: str
    body: str
    url: str
    at: datetime
    outbox_status: str  # pending, sent (the push service took it), dead
    delivery: str | None  # the attempt's interaction: delivered once a device acknowledged it


async def sent_pushes(session: AsyncSession, *, limit: int = 50) -> list[SentPush]:
    """The newest pushes the platform sent (demo: the simulator's panel)."""
    rows = await session.execute(
        select(OutboxMessage, Interaction.delivery_status)
        .outerjoin(Interaction, Interaction.id == OutboxMessage.interaction_id)
        .where(OutboxMessage.channel == Channel.push.value)
        .order_by(OutboxMessage.created_at.desc())
        .limit(limit)
    )
    return [
        SentPush(
            row.id,
            row.interaction_id,
            row.recipient.split(",")[0],  # the newest of the devices it went to
            str(row.payload.get("title", "")),
            str(row.payload.get("body", "")),
            str(row.payload.get("url", "")),
            row.created_at,
            row.status.value,
            delivery.value if delivery else None,
        )
        for row, delivery in rows.all()
    ]
