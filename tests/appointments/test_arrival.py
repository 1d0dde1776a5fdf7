"""The day itself: `arrive` checks a person in (once), and refuses a cancelled, missed or other-day appointment
clearly; the worker's pass records as missed what nobody checked in by its end and the grace after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import AT, MONDAY, local, make_office, person, quiet
from townsquare.appointments import arrival, booking, changes
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.refusals import reason_of
from townsquare.errors import Problem
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.settings import Settings


async def test_arrive_checks_the_person_in_once_on_the_day(session: AsyncSession, settings: Settings) -> None:
    place = await make_office(session)
    rose = await person(session)
    offer = await place.offer(session)
    made = await booking.book(
        session, quiet(settings), offer=offer, booking=Booking(rose.id, local(MONDAY, 10), BookedVia.phone), now=AT
    )

    early = await arrival.arrive(session, appointment_id=made.id, at=local(MONDAY, 9, 40))
    again = await arrival.arrive(session, appointment_id=made.id, at=local(MONDAY, 9, 50))

    assert early.status is AppointmentStatus.arrived
    assert again.arrived_at == local(MONDAY, 9, 40)
    entries = list(await session.scalars(select(Interaction).where(Interaction.kind == InteractionKind.appointment)))
    assert [e.payload["event"] for e in entries].count("arrived") == 1
    assert {e.channel.value for e in entries if e.payload["event"] == "arrived"} == {"counter"}


@pytest.mark.parametrize("case", ["cancelled", "no_show", "tomorrow", "unknown"])
async def test_arrive_refuses_what_cannot_be_checked_in(session: AsyncSession, settings: Settings, case: str) -> None:
    place = await make_office(session)
    rose = await person(session)
    fast = quiet(settings)
    offer = await place.offer(session)
    made = await booking.book(
        session, fast, offer=offer, booking=Booking(rose.id, local(MONDAY, 10), BookedVia.portal), now=AT
    )
    at, wanted = local(MONDAY, 9, 55), made.id
    if case == "cancelled":
        await changes.cancel(session, fast, appointment_id=made.id, now=AT)
    elif case == "no_show":
        assert await arrival.record_no_shows(session, now=local(MONDAY, 11), grace_minutes=15) == 1
        at = local(MONDAY, 11)
    elif case == "tomorrow":
        at = local(MONDAY + timedelta(days=1), 9)
    else:
        wanted = rose.id

    with pytest.raises(Problem) as caught:
        await arrival.arrive(session, appointment_id=wanted, at=at)

    expected = {"tomorrow": "not_today", "unknown": "unknown_appointment"}.get(case, case)
    assert reason_of(caught.value) == expected
    assert caught.value.status == (404 if case == "unknown" else 409)


async def test_no_shows_are_recorded_after_the_end_and_the_grace_and_only_once(
    session: AsyncSession, settings: Settings
) -> None:
    place = await make_office(session, counters=2)
    rose, sam = await person(session, "Rose"), await person(session, "Sam")
    fast = quiet(settings)
    offer = await place.offer(session)
    missed = await booking.book(
        session, fast, offer=offer, booking=Booking(rose.id, local(MONDAY, 9), BookedVia.portal), now=AT
    )
    came = await booking.book(
        session, fast, offer=offer, booking=Booking(sam.id, local(MONDAY, 9), BookedVia.portal), now=AT
    )
    await arrival.arrive(session, appointment_id=came.id, at=local(MONDAY, 9))

    assert await arrival.record_no_shows(session, now=local(MONDAY, 9, 30), grace_minutes=15) == 0  # ended 9:20
    assert await arrival.record_no_shows(session, now=local(MONDAY, 9, 36), grace_minutes=15) == 1
    assert await arrival.record_no_shows(session, now=local(MONDAY, 10), grace_minutes=15) == 0

    assert missed.status is AppointmentStatus.no_show
    assert came.status is AppointmentStatus.arrived
