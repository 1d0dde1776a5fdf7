"""Taking a notification from one attempt to the next, from what its current attempt's interaction says.

- delivered (a delivery receipt, a push acknowledged): the notification is delivered;
- failed (the provider refused it or gave up, an SMS undelivered, an email bounced, a letter returned): the next
  channel is tried; with none left, the notification failed;
- a push not acknowledged within the notification's wait: the next channel is tried;
- sent, on a channel without receipts (email over SMTP; a letter once a print batch took it, not when it was
  rendered): the notification is sent, and a later failure (a bounce, a returned letter) still moves it on.
A notification waiting out the person's quiet hours starts when they end.

`NotificationWorker` finds notifications that need a step, and takes each one in a transaction of its own
(locked with SKIP LOCKED on PostgreSQL; SQLite writes one transaction at a time). It is woken when a delivery
status changes and polls in between, so a step missed by a crashed process is taken on the next pass.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.engine import Database
from townsquare.interactions.models import DeliveryStatus, Interaction
from townsquare.notify.models import (
    FINAL_STATUSES,
    AttemptOutcome,
    Notification,
    NotificationAttempt,
    NotificationStatus,
)
from townsquare.notify.notifications import Notifier, set_status
from townsquare.notify.reminders import ReminderDesk
from townsquare.polling import draining, wake_or_poll

log = logging.getLogger(__name__)
WAITING = (NotificationStatus.created, NotificationStatus.sending, NotificationStatus.sent)
SETTLED = (DeliveryStatus.delivered, DeliveryStatus.failed)


async def step(session: AsyncSession, notifier: Notifier, notification: Notification) -> None:
    """Take the step the notification needs now, if any. Does not commit."""
    if notification.status in FINAL_STATUSES:
        return
    now = notifier.clock()
    if notification.attempt < 0:
        if notification.next_check_at is None or notification.next_check_at <= now:
            await _next_or_fail(session, notifier, notification, NotificationStatus.permanent_failure)
        return
    attempt = await _current(session, notification)
    delivery = await session.get_one(Interaction, attempt.interaction_id)
    if delivery.delivery_status is DeliveryStatus.delivered:
        _finish(attempt, AttemptOutcome.delivered, now)
        _complete(session, notification, NotificationStatus.delivered, now)
    elif delivery.delivery_status is DeliveryStatus.failed:
        _finish(attempt, AttemptOutcome.failed, now)
        await _next_or_fail(session, notifier, notification, NotificationStatus.permanent_failure)
    elif attempt.channel == "push":
        if notification.next_check_at is not None and notification.next_check_at <= now:
            _finish(attempt, AttemptOutcome.unacknowledged, now)
            await _next_or_fail(session, notifier, notification, NotificationStatus.temporary_failure)
    elif delivery.delivery_status is DeliveryStatus.sent:
        attempt.outcome = AttemptOutcome.sent
        notification.next_check_at = None
        set_status(session, notification, NotificationStatus.sent, channel=attempt.channel)
    await session.flush()


async def _current(session: AsyncSession, notification: Notification) -> NotificationAttempt:
    stmt = select(NotificationAttempt).where(
        NotificationAttempt.notification_id == notification.id, NotificationAttempt.number == notification.attempt
    )
    return (await session.execute(stmt)).scalar_one()


async def _next_or_fail(
    session: AsyncSession, notifier: Notifier, notification: Notification, failure: NotificationStatus
) -> None:
    if not await notifier.try_next(session, notification):
        _complete(session, notification, failure, notifier.clock())


def _finish(attempt: NotificationAttempt, outcome: AttemptOutcome, now: datetime) -> None:
    attempt.outcome = outcome
    attempt.finished_at = now


def _complete(session: AsyncSession, notification: Notification, status: NotificationStatus, now: datetime) -> None:
    notification.next_check_at = None
    notification.completed_at = now
    set_status(session, notification, status)


def needing_a_step(now: datetime, limit: int) -> Select[uuid.UUID]:
    """Notifications whose time has come (quiet hours over, a push's wait run out) or whose attempt settled."""
    settled = (
        select(NotificationAttempt.notification_id)
        .join(Interaction, Interaction.id == NotificationAttempt.interaction_id)
        .where(
            NotificationAttempt.notification_id == Notification.id,
            NotificationAttempt.number == Notification.attempt,
            or_(
                Interaction.delivery_status.in_(SETTLED),
                and_(
                    NotificationAttempt.channel != "push",  # a push counts once it is acknowledged
                    NotificationAttempt.outcome == AttemptOutcome.trying,
                    Interaction.delivery_status == DeliveryStatus.sent,
                ),
            ),
        )
        .exists()
    )
    return (
        select(Notification.id)
        .where(
            Notification.status.in_(WAITING),
            or_(Notification.next_check_at <= now, settled),
        )
        .order_by(Notification.created_at)
        .limit(limit)
    )


class NotificationWorker:
    """Moves notifications on; several may run at once (one notification is in one worker's hands)."""

    def __init__(self, db: Database, notifier: Notifier, *, poll_seconds: float = 5.0, batch: int = 100) -> None:
        self.db = db
        self.notifier = notifier
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()
        self.reminders = ReminderDesk(db, notifier)

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """One pass: reminders that are due go out, and every notification that needs a step gets it; returns how
        many things were done."""
        done = await self.reminders.run_once()
        async with self.db.session() as session:
            ids = list((await session.execute(needing_a_step(self.notifier.clock(), self.batch))).scalars())
        for notification_id in ids:
            await self._one(notification_id)
        return done + len(ids)

    async def _one(self, notification_id: uuid.UUID) -> None:
        async with self.db.session() as session:
            stmt = select(Notification).where(Notification.id == notification_id)
            if self.db.dialect == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            notification = (await session.execute(stmt)).scalar_one_or_none()
            if notification is None:
                return  # another worker has it
            await step(session, self.notifier, notification)
            await session.commit()

    async def drain(self) -> int:
        """Step until nothing needs a step (tests, the CLI)."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        run_pass = draining(self.run_once)
        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=self.poll_seconds, name="notifications")
