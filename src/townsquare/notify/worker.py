"""The outbox worker: claims due messages with a lease, sends them, records the outcome, retries with backoff.

Several workers (processes or nodes) may run at once: claims use SKIP LOCKED on PostgreSQL and a lease
token everywhere, so a message is in one worker's hands at a time, and a crashed worker's lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError

from townsquare.clock import utcnow
from townsquare.db.engine import Database
from townsquare.db.leases import claim_due
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import DeliveryStatus
from townsquare.notify.models import OutboxMessage, OutboxStatus
from townsquare.notify.providers import Envelope, PermanentFailure, Providers
from townsquare.polling import draining, wake_or_poll

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600.0
RECORD_FIRST_WAIT = 0.5  # seconds before writing an outcome again after a database error; then doubled


@dataclass(frozen=True)
class WorkerConfig:
    max_attempts: int = 8
    retry_base_seconds: float = 5.0
    lease_seconds: float = 60.0
    poll_seconds: float = 2.0
    batch: int = 50


class OutboxWorker:
    """Delivers outbox rows through the configured providers."""

    def __init__(self, db: Database, providers: Providers, config: WorkerConfig) -> None:
        self.db = db
        self.providers = providers
        self.config = config
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def _claim(self) -> list[OutboxMessage]:
        token = await claim_due(
            self.db,
            OutboxMessage,
            pending=OutboxStatus.pending,
            now=utcnow(),
            batch=self.config.batch,
            lease_seconds=self.config.lease_seconds,
        )
        if token is None:
            return []
        async with self.db.session() as session:
            # In the order the claim chose them (due first): without it PostgreSQL gives them as its heap holds them,
            # and a person's answers could leave out of order.
            claimed = (
                select(OutboxMessage)
                .where(OutboxMessage.claim_token == token)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            )
            rows = await session.execute(claimed)
            return list(rows.scalars())

    async def run_once(self) -> int:
        """Claim and deliver one batch of due messages; returns how many were attempted."""
        claimed = await self._claim()
        for row in claimed:
            await self._deliver(row)
        return len(claimed)

    async def drain(self) -> int:
        """Deliver until nothing is due (tests, the CLI)."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def _deliver(self, row: OutboxMessage) -> None:
        envelope = Envelope(row.channel, row.recipient, row.payload, row.idempotency_key)
        provider_id: str | None = None
        error: Exception | None = None
        try:
            provider_id = await self.providers.for_channel(row.channel).send(envelope)
        except Exception as exc:
            error = exc
        await self._record_soon(row, provider_id, error)

    async def _record_soon(self, row: OutboxMessage, provider_id: str | None, error: Exception | None) -> None:
        """Write the outcome; while the database is away (a restart, a failover) try again, within half the lease,
        so that a message the provider took is not sent a second time when the lease runs out."""
        give_up = time.monotonic() + self.config.lease_seconds / 2
        wait = RECORD_FIRST_WAIT
        while True:
            try:
                await self._record(row, provider_id, error)
                return
            except (DBAPIError, OSError) as exc:
                if isinstance(exc, IntegrityError | ProgrammingError | DataError) or time.monotonic() + wait > give_up:
                    raise
                log.warning(
                    "outbox %s: the outcome could not be written (%s); trying again", row.id, type(exc).__name__
                )
                await asyncio.sleep(wait)
                wait *= 2

    async def _record(self, row: OutboxMessage, provider_id: str | None, error: Exception | None) -> None:
        """The attempt's outcome on the row (and its interaction), if the row is still in this worker's hands."""
        async with self.db.session() as session:
            current = await session.get(OutboxMessage, row.id)
            if current is None or current.claim_token != row.claim_token or current.status is not OutboxStatus.pending:
                return  # our lease ran out and another worker took over
            current.attempts += 1
            current.claimed_until = None
            current.claim_token = None
            status: DeliveryStatus | None = None
            if error is None:
                current.status = OutboxStatus.sent
                current.sent_at = utcnow()
                current.provider_message_id = provider_id
                # A provider that settles later (letters: posted with the next print batch) leaves it queued.
                later = getattr(self.providers.for_channel(row.channel), "settles_later", False)
                status = DeliveryStatus.queued if later else DeliveryStatus.sent
            else:
                current.last_error = f"{type(error).__name__}: {str(error)[:400]}"
                log.warning("outbox %s attempt %d failed: %s", row.id, current.attempts, type(error).__name__)
                if isinstance(error, PermanentFailure) or current.attempts >= self.config.max_attempts:
                    current.status = OutboxStatus.dead
                    status = DeliveryStatus.failed
                else:
                    delay = min(self.config.retry_base_seconds * 2 ** (current.attempts - 1), MAX_BACKOFF_SECONDS)
                    current.next_attempt_at = utcnow() + timedelta(seconds=delay)
            if status is not None and current.interaction_id is not None:
                await interactions.set_delivery(
                    session, interaction_id=current.interaction_id, status=status, external_id=provider_id
                )
                publish_after_commit(
                    session, DeliveryChanged(interaction_id=current.interaction_id, status=status.value)
                )
            await session.commit()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, waking on `wake()` or every poll interval."""
        run_pass = draining(self.run_once)
        await wake_or_poll(
            run_pass, wake=self._wake, stop=stop, poll_seconds=self.config.poll_seconds, name="outbox worker"
        )
