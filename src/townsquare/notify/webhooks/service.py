"""Webhook use cases: emitting an event (one delivery row per endpoint that hears it, in the caller's transaction),
registering and removing endpoints, reading deliveries, and replaying one.

Never commits (the caller owns the transaction) and never sends: the worker posts what was committed.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.db.base import new_id
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.events import WebhookQueued, publish_after_commit
from townsquare.notify.webhooks.catalogue import EVENT_TYPES
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from townsquare.notify.webhooks.signing import new_secret
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey

LOOPBACK_NAMES = {"localhost"}
REMOVED = "The endpoint was removed before this delivery could be made."


def timestamp(moment: datetime) -> str:
    """An aware datetime as the payloads write it: ISO 8601 in UTC with a Z."""
    return moment.isoformat().replace("+00:00", "Z")


def _listening() -> Select[WebhookEndpoint]:
    """Active endpoints of keys that are not revoked."""
    return (
        select(WebhookEndpoint)
        .join(ApiKey, ApiKey.id == WebhookEndpoint.api_key_id)
        .where(WebhookEndpoint.active.is_(True), ApiKey.revoked_at.is_(None))
    )


def anyone_listens(session: Session) -> bool:
    """Whether any integrator has an active endpoint at all (most commits need look no further)."""
    return session.execute(_listening().with_only_columns(WebhookEndpoint.id).limit(1)).first() is not None


def emit_now(session: Session, *, event_type: str, data: dict[str, Any], agency_id: uuid.UUID | None) -> int:
    """`emit` for synchronous callers (the `before_commit` translation of the platform's own events)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not in the webhook catalogue")
    scope: ColumnElement[bool] = WebhookEndpoint.agency_id.is_(None)
    if agency_id is not None:
        scope = or_(scope, WebhookEndpoint.agency_id == agency_id)
    stmt = _listening().where(scope).order_by(WebhookEndpoint.created_at)
    hearing = [e for e in session.execute(stmt).scalars() if event_type in e.event_types]
    if not hearing:
        return 0
    event_id = new_id()
    now = utcnow()
    payload = {"id": str(event_id), "type": event_type, "created_at": timestamp(now), "data": data}
    for endpoint in hearing:
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                status=WebhookStatus.pending,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    publish_after_commit(session, WebhookQueued(event_id=event_id, event_type=event_type))
    return len(hearing)


async def emit(session: AsyncSession, *, event_type: str, data: dict[str, Any], agency_id: uuid.UUID | None) -> int:
    """Write one delivery of this event for every active endpoint subscribed to it whose scope covers the agency
    (an endpoint of a key with no agency hears every agency), in the caller's transaction; returns how many."""
    return await session.run_sync(lambda sync: emit_now(sync, event_type=event_type, data=data, agency_id=agency_id))


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    address = _address(host)
    return host.lower() in LOOPBACK_NAMES or (address is not None and address.is_loopback)


def _internal(host: str) -> bool:
    """An address literal no integrator's public receiver has: private, link-local, loopback, reserved."""
    address = _address(host)
    return host.lower() in LOOPBACK_NAMES or (address is not None and not address.is_global)


def check_url(url: str, *, allow_loopback_http: bool) -> str:
    """The URL if deliveries may go there: https (plain http only to loopback, in development and tests)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "http" and allow_loopback_http and _loopback(host):
        pass
    elif parts.scheme != "https":
        raise invalid("Webhook URLs must use https.", FieldError("url", "must start with https://"))
    if not host:
        raise invalid("The URL names no host.", FieldError("url", "no host"))
    if _internal(host) and not (allow_loopback_http and _loopback(host)):
        raise invalid(
            "Webhook URLs must reach a receiver on the internet, not a private or local address.",
            FieldError("url", "private or local address"),
        )
    if parts.username or parts.password:
        raise invalid("Put no user name or password in the URL.", FieldError("url", "credentials in the URL"))
    return url.strip()


def check_event_types(wanted: list[str]) -> list[str]:
    """The subscribed events, each once, in the order given; every one must be in the catalogue."""
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown or not wanted:
        message = f"unknown: {', '.join(sorted(set(unknown)))}" if unknown else "choose at least one"
        raise invalid(
            f"Subscribe to events of the catalogue: {', '.join(EVENT_TYPES)}.", FieldError("event_types", message)
        )
    return list(dict.fromkeys(wanted))


async def register(
    session: AsyncSession,
    *,
    api_key_id: uuid.UUID,
    agency_id: uuid.UUID | None,
    url: str,
    event_types: list[str],
    allow_loopback_http: bool,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for the key, scoped to the key's agency; returns it with its signing secret."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        api_key_id=api_key_id,
        agency_id=agency_id,
        url=check_url(url, allow_loopback_http=allow_loopback_http),
        secret=secret,
        event_types=check_event_types(event_types),
        active=True,
        created_at=utcnow(),
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def list_endpoints(session: AsyncSession, *, api_key_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The key's active endpoints, oldest first."""
    stmt = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.api_key_id == api_key_id, WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.created_at)
    )
    return list((await session.execute(stmt)).scalars())


async def own_endpoint(
    session: AsyncSession, *, api_key_id: uuid.UUID, endpoint_id: uuid.UUID, active: bool = False
) -> WebhookEndpoint:
    """The key's endpoint (an active one if `active`); another key's answers as an unknown one (404)."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.api_key_id != api_key_id or (active and not endpoint.active):
        raise not_found("Webhook", "No webhook of yours has that id.")
    return endpoint


async def remove(session: AsyncSession, *, endpoint: WebhookEndpoint) -> None:
    """Stop deliveries to the endpoint: it hears nothing more, and what still waited is marked failed."""
    now = utcnow()
    endpoint.active = False
    endpoint.disabled_at = now
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == WebhookStatus.pending)
        .values(status=WebhookStatus.failed, last_error=REMOVED, claimed_until=None, claim_token=None)
    )
    await session.flush()


async def list_deliveries(
    session: AsyncSession, *, endpoint_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[WebhookDelivery], int]:
    """An endpoint's deliveries, newest first, and how many there are."""
    where = WebhookDelivery.endpoint_id == endpoint_id
    total = await session.scalar(select(func.count()).select_from(WebhookDelivery).where(where))
    stmt = (
        select(WebhookDelivery)
        .where(where)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total or 0)


async def replay(session: AsyncSession, *, me: Principal, delivery_id: uuid.UUID) -> WebhookDelivery:
    """A new delivery of the same event to the same endpoint (audited); the original stays as it was logged."""
    original = await session.get(WebhookDelivery, delivery_id)
    if original is None:
        raise not_found("Webhook delivery", "No webhook delivery has that id.")
    endpoint = await session.get_one(WebhookEndpoint, original.endpoint_id)
    if not endpoint.active:
        raise conflict("That endpoint was removed; nothing can be delivered to it any more.")
    now = utcnow()
    again = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id=original.event_id,
        event_type=original.event_type,
        payload=original.payload,
        status=WebhookStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        replay_of_id=original.id,
    )
    session.add(again)
    await session.flush()
    me.audit(
        session,
        action="webhook.replay",
        subject_kind="webhook_delivery",
        subject_id=str(again.id),
        agency_id=endpoint.agency_id,
        detail={"replay_of": str(original.id), "endpoint_id": str(endpoint.id), "event_type": original.event_type},
    )
    publish_after_commit(session, WebhookQueued(event_id=original.event_id, event_type=original.event_type))
    return again


@dataclass(frozen=True)
class DeliveryLine:
    """One delivery as the desk lists it."""

    id: uuid.UUID
    event_type: str
    event_id: uuid.UUID
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    replay_of_id: uuid.UUID | None


@dataclass(frozen=True)
class EndpointSummary:
    """One endpoint with its integrator and its recent deliveries, as the desk shows it."""

    id: uuid.UUID
    url: str
    key_name: str
    agency: str | None
    event_types: list[str]
    active: bool
    created_at: datetime
    deliveries: list[DeliveryLine]


def _line(d: WebhookDelivery) -> DeliveryLine:
    return DeliveryLine(
        d.id,
        d.event_type,
        d.event_id,
        d.status.value,
        d.attempts,
        d.last_status_code,
        d.last_error,
        d.next_attempt_at if d.status is WebhookStatus.pending else None,
        d.created_at,
        d.delivered_at,
        d.replay_of_id,
    )


async def desk_view(session: AsyncSession, *, recent: int = 10) -> list[EndpointSummary]:
    """Every endpoint (active first, newest first) with its `recent` newest deliveries; two queries."""
    rows = (
        await session.execute(
            select(WebhookEndpoint, ApiKey.name, Agency.name)
            .join(ApiKey, ApiKey.id == WebhookEndpoint.api_key_id)
            .outerjoin(Agency, Agency.id == WebhookEndpoint.agency_id)
            .order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.created_at.desc())
        )
    ).all()
    rank = (
        func.row_number()
        .over(
            partition_by=WebhookDelivery.endpoint_id,
            order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        )
        .label("rank")
    )
    ranked = select(WebhookDelivery.id, rank).subquery()
    newest = (
        select(WebhookDelivery)
        .join(ranked, ranked.c.id == WebhookDelivery.id)
        .where(ranked.c.rank <= recent)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    by_endpoint: dict[uuid.UUID, list[DeliveryLine]] = {}
    for delivery in (await session.execute(newest)).scalars():
        by_endpoint.setdefault(delivery.endpoint_id, []).append(_line(delivery))
    return [
        EndpointSummary(
            e.id, e.url, key_name, agency_name, list(e.event_types), e.active, e.created_at, by_endpoint.get(e.id, [])
        )
        for e, key_name, agency_name in rows
    ]
