"""The webhook worker: claims due deliveries with a lease, posts them signed, records each attempt, retries
with exponential backoff until the attempts or the age run out, then marks the delivery failed.

Posts run side by side with a short timeout, outside any transaction, so one slow or dead receiver holds up
neither other endpoints' deliveries nor anyone who emitted an event (they only wrote a row).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.db.leases import claim_due
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from townsquare.notify.webhooks.signing import sign
from townsquare.polling import draining, wake_or_poll

log = logging.getLogger(__name__)
USER_AGENT = "Townsquare-Webhooks/1"


@dataclass(frozen=True)
class WebhookConfig:
    timeout_seconds: float = 5.0
    retry_base_seconds: float = 10.0
    max_backoff_seconds: float = 6 * 3600.0
    max_attempts: int = 16
    max_age_seconds: float = 24 * 3600.0
    lease_seconds: float = 60.0
    poll_seconds: float = 2.0
    batch: int = 50
    concurrency: int = 10


@dataclass(frozen=True)
class Attempt:
    """What one post came to: a status code, or an error named without anything the receiver sent back."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted (and signed): the payload as compact UTF-8 JSON."""
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookWorker:
    """Posts committed webhook deliveries to their endpoints. `now` is the clock (tests move it by hand)."""

    def __init__(
        self,
        db: Database,
        config: WebhookConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.config = config
        self.now = now
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next poll."""
        self._wake.set()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=self.config.timeout_seconds,
                follow_redirects=False,  # a redirect is not a receipt: retried, never followed elsewhere
                headers={"User-Agent": USER_AGENT},
            )
        return self._client

    async def close(self) -> None:
        """Close the HTTP connections (the app's shutdown, the end of a test)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _claim(self) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
        token = await claim_due(
            self.db,
            WebhookDelivery,
            pending=WebhookStatus.pending,
            now=self.now(),
            batch=self.config.batch,
            lease_seconds=self.config.lease_seconds,
        )
        if token is None:
            return []
        async with self.db.session() as session:
            rows = await session.execute(
                select(WebhookDelivery, WebhookEndpoint)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.claim_token == token)
            )
            return [(row[0], row[1]) for row in rows]

    async def run_once(self) -> int:
        """Claim one batch of due deliveries and post them side by side; returns how many were attempted."""
        claimed = await self._claim()
        limit = asyncio.Semaphore(self.config.concurrency)

        async def one(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
            async with limit:
                await self._deliver(delivery, endpoint)

        await asyncio.gather(*(one(d, e) for d, e in claimed))
        return len(claimed)

    async def drain(self) -> int:
        """Post until nothing is due now (tests, the CLI)."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def _post(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> Attempt:
        body = body_of(delivery)
        headers = sign(
            endpoint.secret,
            body=body,
            event_type=delivery.event_type,
            delivery_id=str(delivery.id),
            timestamp=int(self.now().timestamp()),
        )
        try:
            response = await self._http().post(endpoint.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Attempt(None, f"no answer within {self.config.timeout_seconds:g} s")
        except httpx.HTTPError as exc:
            return Attempt(None, f"could not connect ({type(exc).__name__})")
        return Attempt(response.status_code, None if 200 <= response.status_code < 300 else "not a 2xx answer")

    async def _deliver(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
        attempt = await self._post(delivery, endpoint)
        async with self.db.session() as session:
            current = await session.get(WebhookDelivery, delivery.id)
            if (
                current is None
                or current.claim_token != delivery.claim_token
                or current.status is not WebhookStatus.pending
            ):
                return  # our lease ran out and another worker took over, or the endpoint was removed meanwhile
            self._record(current, attempt)
            await session.commit()

    def _record(self, current: WebhookDelivery, attempt: Attempt) -> None:
        now = self.now()
        current.attempts += 1
        current.claimed_until = None
        current.claim_token = None
        current.last_status_code = attempt.status_code
        if attempt.delivered:
            current.status = WebhookStatus.delivered
            current.delivered_at = now
            current.last_error = None
            return
        current.last_error = attempt.error
        log.warning(
            "webhook delivery %s attempt %d failed: %s", current.id, current.attempts, attempt.status_code or "error"
        )
        delay = min(self.config.retry_base_seconds * 2 ** (current.attempts - 1), self.config.max_backoff_seconds)
        deadline = current.created_at + timedelta(seconds=self.config.max_age_seconds)
        retry_at = now + timedelta(seconds=delay)
        if current.attempts >= self.config.max_attempts or retry_at > deadline:
            current.status = WebhookStatus.failed
        else:
            current.next_attempt_at = retry_at

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Post until `stop` is set, waking on `wake()` or every poll interval."""
        try:
            run_pass = draining(self.run_once)
            await wake_or_poll(
                run_pass, wake=self._wake, stop=stop, poll_seconds=self.config.poll_seconds, name="webhook worker"
            )
        finally:
            await self.close()
