"""The waiting list: joined only for a full day, a freed slot offered to the first person waiting, an offer not
taken passed on to the next, and a claim taken once however many times it is pressed (PostgreSQL race)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import AT, MONDAY, local, make_office, person, quiet, refused, with_templates
from townsquare.app import Runtime
from townsquare.appointments import booking, changes, waitlist
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia, WaitStatus
from townsquare.appointments.models import Appointment, WaitlistEntry
from townsquare.appointments.offering import Offer
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.settings import Settings

TUESDAY = MONDAY + timedelta(days=1)
ONE_HOUR = {"1": [["09:00", "10:00"]]}  # Tuesdays: two half-hour slots


async def full_tuesday(session: AsyncSession, settings: Settings) -> tuple[Offer, list[Appointment], Settings]:
    place = await make_office(session, hours=ONE_HOUR)
    fast = quiet(settings).model_copy(update={"appointment_offer_minutes": 10})
    offer = await place.offer(session)
    made = []
    for name, minute in (("Rose", 0), ("Sam", 30)):
        who = await person(session, name)
        made.append(
            await booking.book(
                session, fast, offer=offer, booking=Booking(who.id, local(TUESDAY, 9, minute), BookedVia.portal), now=AT
            )
        )
    return offer, made, fast


async def test_a_freed_slot_goes_to_the_first_waiting_then_to_the_next_when_not_taken(
    session: AsyncSession, settings: Settings
) -> None:
    await with_templates(session)
    offer, (rose_booking, _), fast = await full_tuesday(session, settings)
    ali, bo, carl = await person(session, "Ali"), await person(session, "Bo"), await person(session, "Carl")
    first = await waitlist.join(session, fast, offer=offer, citizen_id=ali.id, day=TUESDAY, now=AT)
    second = await waitlist.join(session, fast, offer=offer, citizen_id=bo.id, day=TUESDAY, now=AT)
    with refused("waitlist_twice"):
        await waitlist.join(session, fast, offer=offer, citizen_id=ali.id, day=TUESDAY, now=AT)

    await changes.cancel(session, fast, appointment_id=rose_booking.id, now=AT)

    held = await session.scalar(select(Appointment).where(Appointment.citizen_id == ali.id))
    assert held is not None
    assert held.status is AppointmentStatus.held
    assert held.starts_at == local(TUESDAY, 9)
    assert (first.status, second.status) == (WaitStatus.offered, WaitStatus.waiting)
    offered = await session.scalar(select(Notification).where(Notification.citizen_id == ali.id))
    assert offered is not None
    assert offered.message_type is MessageType.appointment_offer
    assert "/appointments/offer/" in str(offered.personalisation["url"])
    with refused("full"):  # the slot is kept for Ali: nobody else books it meanwhile
        await booking.book(
            session, fast, offer=offer, booking=Booking(carl.id, local(TUESDAY, 9), BookedVia.portal), now=AT
        )

    assert await waitlist.lapse_holds(session, fast, now=AT + timedelta(minutes=11)) == 1

    assert (held.status, first.status, second.status) == (
        AppointmentStatus.lapsed,
        WaitStatus.lapsed,
        WaitStatus.offered,
    )
    bos = await session.scalar(select(Appointment).where(Appointment.citizen_id == bo.id))
    assert bos is not None
    taken = await booking.confirm(
        session, fast, appointment_id=bos.id, citizen_id=bo.id, now=AT + timedelta(minutes=12)
    )
    assert taken.status is AppointmentStatus.booked
    assert second.status is WaitStatus.booked


async def test_the_waiting_list_is_for_a_full_open_day(session: AsyncSession, settings: Settings) -> None:
    place = await make_office(session, hours=ONE_HOUR)
    offer = await place.offer(session)
    ali = await person(session, "Ali")

    for day, reason in ((TUESDAY, "waitlist_free"), (MONDAY, "closed"), (MONDAY - timedelta(days=1), "past")):
        with refused(reason):
            await waitlist.join(session, quiet(settings), offer=offer, citizen_id=ali.id, day=day, now=AT)
    assert await session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


@pytest.mark.postgres_only
async def test_an_offer_claimed_twice_at_once_is_booked_once(runtime: Runtime, settings: Settings) -> None:
    async with runtime.db.session() as setup:
        offer, (rose_booking, _), fast = await full_tuesday(setup, settings)
        ali = await person(setup, "Ali")
        await waitlist.join(setup, fast, offer=offer, citizen_id=ali.id, day=TUESDAY, now=AT)
        await changes.cancel(setup, fast, appointment_id=rose_booking.id, now=AT)
        held = await setup.scalar(select(Appointment.id).where(Appointment.citizen_id == ali.id))
        await setup.commit()
    assert held is not None
    ready = asyncio.Barrier(2)

    async def claim() -> AppointmentStatus:
        async with runtime.db.session() as session:
            await session.get(Appointment, held)
            await ready.wait()
            taken = await booking.confirm(session, fast, appointment_id=held, citizen_id=ali.id, now=AT)
            await asyncio.sleep(0.05)  # hold the office while the other presses too
            await session.commit()
            return taken.status

    assert list(await asyncio.gather(claim(), claim())) == [AppointmentStatus.booked, AppointmentStatus.booked]
    async with runtime.db.session() as check:
        booked = (
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.kind == InteractionKind.appointment, Interaction.citizen_id == ali.id)
        )
        assert await check.scalar(booked.where(Interaction.payload["event"].as_string() == "booked")) == 1
