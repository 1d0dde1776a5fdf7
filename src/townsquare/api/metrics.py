"""GET /metrics for Prometheus: this server's request figures and open websockets, and the database's queue depths
and outbox lag (the same from whichever process answers).

One rule: the bearer token TOWNSQUARE_METRICS_TOKEN, or, while none is set, a loopback caller no proxy forwarded.
Only counts and ages: no label or value carries a path, a name or anything a person wrote.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select

from townsquare import metrics
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.errors import forbidden, unauthorized
from townsquare.notify.kinds import NotificationStatus
from townsquare.notify.models import Notification, OutboxMessage, OutboxStatus
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookStatus
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings
from townsquare.staff.auth import Rule, enforces

log = logging.getLogger(__name__)
METRICS_SCRAPER = Rule(
    "metrics-scraper",
    1,
    "Prometheus presenting TOWNSQUARE_METRICS_TOKEN; while none is set, a caller on loopback that no proxy forwarded",
)
FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")
QUERY_LIMIT_SECONDS = 5.0  # a slow database must not hold the scrape: the depths are left out instead
NOT_SETTLED = (NotificationStatus.created, NotificationStatus.sending)

router = APIRouter(include_in_schema=False)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@enforces(METRICS_SCRAPER)
async def scraper(request: Request) -> None:
    """Let Prometheus in: its bearer token, or (no token set) loopback only, never through a proxy."""
    settings: Settings = request.app.state.settings
    if settings.metrics_token:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip(), settings.metrics_token):
            raise unauthorized("Present the metrics token: Authorization: Bearer <TOWNSQUARE_METRICS_TOKEN>.")
        return
    proxied = any(name in request.headers for name in FORWARDED)
    if proxied or not _loopback(request.client.host if request.client else None):
        raise forbidden("Metrics are served to this machine only; set TOWNSQUARE_METRICS_TOKEN to scrape from afar.")


@router.get("/metrics", dependencies=[Depends(scraper)])
async def metrics_page(request: Request) -> Response:
    """The text exposition format Prometheus reads."""
    open_sockets: Callable[[], Mapping[str, int]] = request.app.state.open_sockets
    metrics.set_sockets(open_sockets())
    try:
        families = await asyncio.wait_for(queue_depths(request.app.state.db), QUERY_LIMIT_SECONDS)
    except Exception:  # the request figures are still worth having; the log says why the depths are missing
        log.warning("metrics: the queue depths could not be read", exc_info=True)
        families = []
    return Response(metrics.render(families), media_type=CONTENT_TYPE_LATEST)


async def queue_depths(db: Database) -> list[Metric]:
    """The queues' depths and the outbox's lag, read in one short read-only session."""
    now = utcnow()
    async with db.session(deferred=True) as session:
        queued = await session.scalar(select(func.count()).where(WorkItem.status == WorkItemStatus.queued))
        by_status = (
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_((OutboxStatus.pending, OutboxStatus.dead)))
            .group_by(OutboxMessage.status)
        )
        outbox: dict[OutboxStatus, int] = {row[0]: row[1] for row in await session.execute(by_status)}
        oldest_due = await session.scalar(
            select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now
            )
        )
        webhooks = await session.scalar(select(func.count()).where(WebhookDelivery.status == WebhookStatus.pending))
        waiting = await session.scalar(select(func.count()).where(Notification.status.in_(NOT_SETTLED)))
    lag = max(now - oldest_due, timedelta(0)).total_seconds() if oldest_due is not None else 0.0
    messages = GaugeMetricFamily(
        "townsquare_outbox_messages", "Outbox messages waiting to be sent, or given up on", labels=["status"]
    )
    for status in (OutboxStatus.pending, OutboxStatus.dead):
        messages.add_metric([status.value], outbox.get(status, 0))
    return [
        GaugeMetricFamily("townsquare_work_items_queued", "Work items waiting for an agent", value=queued or 0),
        messages,
        GaugeMetricFamily(
            "townsquare_outbox_lag_seconds",
            "Age of the oldest outbox message due and not yet sent (0: none)",
            value=lag,
        ),
        GaugeMetricFamily(
            "townsquare_webhook_deliveries_pending",
            "Integrators' webhook deliveries not yet acknowledged",
            value=webhooks or 0,
        ),
        GaugeMetricFamily(
            "townsquare_notifications_waiting", "Notifications not yet settled on a channel", value=waiting or 0
        ),
    ]
