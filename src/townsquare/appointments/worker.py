"""The appointments' background pass: reminders the day before, no-shows, holds that ran out, waiting lists of days
gone by. Each part is its own transaction; running a pass twice changes nothing the first did not (a reminder
is marked sent with its notification, whose idempotency key names the appointment's version). Several processes
may run it: rows are taken `FOR UPDATE SKIP LOCKED` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.appointments import arrival, notices, waitlist
from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.offering import hours_of
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.notify.notifications import Notifier
from townsquare.offices.models import Office
from townsquare.polling import draining, wake_or_poll
from townsquare.settings import Settings


async def send_reminders(
    session: AsyncSession, settings: Settings, *, now: datetime, notifier: Notifier | None = None, limit: int = 100
) -> int:
    """Remind the people whose appointment is tomorrow (each once per version of the appointment)."""
    stmt = (
        select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.booked,
            Appointment.reminder_due_at <= now,
            Appointment.reminded_at.is_(None),
            Appointment.starts_at > now,
        )
        .order_by(Appointment.reminder_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = list(await session.scalars(stmt))
    zones: dict[uuid.UUID, str] = {}
    for appointment in due:
        if appointment.office_id not in zones:
            office = await session.get_one(Office, appointment.office_id)
            zones[appointment.office_id] = (await hours_of(session, office)).timezone
        await notices.tell(
            session, settings, appointment, "reminder", timezone=zones[appointment.office_id], notifier=notifier
        )
        appointment.reminded_at = now
    return len(due)


class AppointmentWorker:
    """Runs the pass every `appointments_poll_seconds` (and when woken)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.notifier = notifier or Notifier(settings)
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """One pass; how many appointments, holds and waiting-list places it settled."""
        now, done = self.clock(), 0
        async with self.db.session() as session:
            done += await send_reminders(session, self.settings, now=now, notifier=self.notifier)
            await session.commit()
        async with self.db.session() as session:
            grace = self.settings.appointment_no_show_grace_minutes
            done += await arrival.record_no_shows(session, now=now, grace_minutes=grace)
            await session.commit()
        async with self.db.session() as session:
            done += await waitlist.lapse_holds(session, self.settings, now=now)
            done += await waitlist.close_past_days(session, today_before=now.date() - timedelta(days=1))
            await session.commit()
        return done

    async def run_forever(self, stop: asyncio.Event) -> None:
        run_pass = draining(self.run_once)
        poll = self.settings.appointments_poll_seconds
        await wake_or_poll(run_pass, wake=self._wake, stop=stop, poll_seconds=poll, name="appointments")
