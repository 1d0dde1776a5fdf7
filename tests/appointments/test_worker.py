"""The appointments' pass: the reminder goes the day before, once per version of the appointment, and a moved
appointment is reminded again the day before its new time; no-shows recorded and holds ended, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import AT, MONDAY, local, make_office, person, quiet, with_templates
from townsquare.app import Runtime
from townsquare.appointments import booking, changes
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.appointments.worker import AppointmentWorker
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.settings import Settings

WEDNESDAY = MONDAY + timedelta(days=2)


async def reminders(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(Notification).where(Notification.message_type == MessageType.appointment_reminder)
    )
    return sorted(int(str(n.idempotency_key).rsplit(":", 1)[1]) for n in rows)


async def test_the_reminder_goes_once_the_day_before_and_again_after_a_move(
    runtime: Runtime, settings: Settings
) -> None:
    fast = quiet(settings)
    async with runtime.db.session() as setup:
        await with_templates(setup)
        place = await make_office(setup)
        rose = await person(setup)
        offer = await place.offer(setup)
        made = await booking.book(
            setup, fast, offer=offer, booking=Booking(rose.id, local(WEDNESDAY, 9), BookedVia.phone), now=AT
        )
        await setup.commit()
    now = [AT]
    worker = AppointmentWorker(runtime.db, fast, clock=lambda: now[0])

    await worker.run_once()  # Monday: nothing due
    now[0] = local(WEDNESDAY - timedelta(days=1), 10, 1)
    await worker.run_once()
    await worker.run_once()

    async with runtime.db.session() as check:
        assert await reminders(check) == [0]
        await changes.move(
            check, fast, appointment_id=made.id, starts_at=local(WEDNESDAY + timedelta(days=1), 11), now=now[0]
        )
        await check.commit()
    await worker.run_once()  # moved to Thursday: its reminder is Wednesday's
    async with runtime.db.session() as check:
        assert await reminders(check) == [0]
    now[0] = local(WEDNESDAY, 10, 1)
    await worker.run_once()
    await worker.run_once()
    async with runtime.db.session() as check:
        assert await reminders(check) == [0, 1]


async def test_the_pass_records_no_shows_and_ends_holds(runtime: Runtime, settings: Settings) -> None:
    fast = quiet(settings)
    async with runtime.db.session() as setup:
        place = await make_office(setup, counters=2)
        rose, guest = await person(setup, "Rose"), await person(setup, "Guest")
        offer = await place.offer(setup)
        missed = await booking.book(
            setup, fast, offer=offer, booking=Booking(rose.id, local(MONDAY, 9), BookedVia.portal), now=AT
        )
        held = await booking.book(
            setup,
            fast,
            offer=offer,
            booking=Booking(guest.id, local(MONDAY, 11), BookedVia.portal),
            now=AT,
            hold_until=AT + timedelta(minutes=15),
        )
        await setup.commit()
    worker = AppointmentWorker(runtime.db, fast, clock=lambda: local(MONDAY, 10))

    assert await worker.run_once() == 2
    assert await worker.run_once() == 0
    async with runtime.db.session() as check:
        statuses = {a.id: a.status for a in await check.scalars(select(Appointment))}
    assert statuses == {missed.id: AppointmentStatus.no_show, held.id: AppointmentStatus.lapsed}
