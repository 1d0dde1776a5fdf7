"""Moving and cancelling: the same appointment at another time (its version up, the person told), a cancellation
freeing the slot, and neither allowed once the appointment has begun or was cancelled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import AT, MONDAY, local, make_office, person, quiet, refused, with_templates
from townsquare.appointments import booking, changes, offering
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.settings import Settings

TUESDAY = MONDAY + timedelta(days=1)


async def test_a_move_keeps_the_appointment_and_a_cancellation_frees_its_slot(
    session: AsyncSession, settings: Settings
) -> None:
    await with_templates(session)
    place = await make_office(session)
    rose = await person(session)
    fast = quiet(settings)
    offer = await place.offer(session)
    made = await booking.book(
        session, fast, offer=offer, booking=Booking(rose.id, local(TUESDAY, 9), BookedVia.portal), now=AT
    )

    moved = await changes.move(session, fast, appointment_id=made.id, starts_at=local(TUESDAY, 10, 30), now=AT)

    assert moved.id == made.id
    assert moved.sequence == 1
    assert moved.starts_at == local(TUESDAY, 10, 30)
    day = {
        s.starts_at: s.free for s in await offering.day_view(session, offer=offer, day=TUESDAY, now=AT, settings=fast)
    }
    assert day[local(TUESDAY, 9)] == 1
    assert day[local(TUESDAY, 10, 30)] == 0

    cancelled = await changes.cancel(session, fast, appointment_id=made.id, now=AT)

    assert cancelled.status is AppointmentStatus.cancelled
    assert cancelled.sequence == 2
    day = {
        s.starts_at: s.free for s in await offering.day_view(session, offer=offer, day=TUESDAY, now=AT, settings=fast)
    }
    assert day[local(TUESDAY, 10, 30)] == 1
    told = [n.message_type for n in await session.scalars(select(Notification).order_by(Notification.created_at))]
    assert told == [
        MessageType.appointment_confirmation,
        MessageType.appointment_change,
        MessageType.appointment_cancellation,
    ]
    events = await session.scalars(select(Interaction).where(Interaction.kind == InteractionKind.appointment))
    assert sorted(e.payload["event"] for e in events) == ["booked", "cancelled", "moved"]


async def test_an_appointment_begun_or_cancelled_can_no_longer_be_changed(
    session: AsyncSession, settings: Settings
) -> None:
    place = await make_office(session)
    rose = await person(session)
    fast = quiet(settings)
    offer = await place.offer(session)
    made = await booking.book(
        session, fast, offer=offer, booking=Booking(rose.id, local(MONDAY, 9), BookedVia.portal), now=AT
    )
    later = local(MONDAY, 9, 5)

    with refused("not_changeable"):
        await changes.move(session, fast, appointment_id=made.id, starts_at=local(MONDAY, 11), now=later)
    await changes.cancel(session, fast, appointment_id=made.id, now=AT)
    again = await changes.cancel(session, fast, appointment_id=made.id, now=AT)  # twice is once
    assert again.sequence == 1
    with refused("not_changeable"):
        await changes.move(session, fast, appointment_id=made.id, starts_at=local(MONDAY, 11), now=AT)
