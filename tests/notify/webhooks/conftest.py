"""Fixtures for webhooks: a hand-moved clock for the worker, the worker itself, real receivers, and endpoints
registered through the service by an integration's key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.notify.webhooks.receivers import Receiver
from tests.support.servers import free_port
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import EVENT_TYPES
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from townsquare.notify.webhooks.worker import WebhookConfig, WebhookWorker
from townsquare.staff import service as staff

MAX_PASSES = 100  # a bound on driving the worker: a schedule that never ends fails instead of hanging


class WorkerClock:
    """The worker's clock: time passes only when the test moves it."""

    def __init__(self) -> None:
        self.moment = utcnow()

    def now(self) -> datetime:
        return self.moment

    def timestamp(self) -> float:
        return self.moment.timestamp()

    def catch_up(self) -> None:
        """Come level with real time (rows written since the clock was made are stamped with it)."""
        self.move_to(utcnow())

    def move_to(self, moment: datetime) -> None:
        self.moment = max(self.moment, moment)

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> WorkerClock:
    return WorkerClock()


@pytest.fixture
def config() -> WebhookConfig:
    return WebhookConfig(timeout_seconds=5.0, retry_base_seconds=10.0, max_attempts=16, max_age_seconds=24 * 3600)


@pytest.fixture
async def worker(runtime: Runtime, clock: WorkerClock, config: WebhookConfig) -> AsyncIterator[WebhookWorker]:
    w = WebhookWorker(runtime.db, config, now=clock.now)
    yield w
    await w.close()


@pytest.fixture
def receivers(clock: WorkerClock) -> Iterator[list[Receiver]]:
    """Receivers the test makes with `receiver(...)`; each is stopped at the end."""
    made: list[Receiver] = []
    yield made
    for r in made:
        r.stop()


def receiver(made: list[Receiver], clock: WorkerClock, *, up: bool = True) -> Receiver:
    r = Receiver(port=free_port(), now=clock.timestamp)
    made.append(r)
    if up:
        r.start()
    return r


async def endpoint(
    session: AsyncSession,
    r: Receiver,
    *,
    agency: Agency | None = None,
    events: list[str] | None = None,
    name: str = "integration",
) -> WebhookEndpoint:
    """An endpoint registered by a new key (of `agency`, or of every agency) for `r`, which learns its secret."""
    _, key = await staff.create_api_key(session, name=name, agency_id=agency.id if agency else None)
    row, secret = await webhooks.register(
        session,
        api_key_id=key.id,
        agency_id=key.agency_id,
        url=r.url,
        event_types=events or list(EVENT_TYPES),
        allow_loopback_http=True,
    )
    await session.commit()
    r.secret = secret
    return row


async def drive(worker: WebhookWorker, clock: WorkerClock, runtime: Runtime) -> int:
    """Run the worker's passes, moving the clock to each next retry, until nothing is pending; returns passes."""
    for passes in range(1, MAX_PASSES + 1):
        await worker.drain()
        async with runtime.db.session() as s:
            due = await s.scalar(
                select(func.min(WebhookDelivery.next_attempt_at)).where(WebhookDelivery.status == WebhookStatus.pending)
            )
        if due is None:
            return passes
        clock.move_to(due)
    raise AssertionError(f"deliveries still pending after {MAX_PASSES} passes")
