"""Booking: a slot taken once and told to the person, every bad request refused with its reason and nothing
written, one person never twice at one time, and the last slot's race won by one (PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_service
from tests.support.appointments import AT, HOLIDAY, MONDAY, local, make_office, person, quiet, with_templates
from townsquare.app import Runtime
from townsquare.appointments import booking, offering
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.appointments.refusals import reason_of
from townsquare.errors import Problem
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.offices.models import OfficeService
from townsquare.settings import Settings


async def refusal(coroutine: object) -> str | None:
    try:
        await coroutine  # type: ignore[misc]
    except Problem as problem:
        return reason_of(problem)
    raise AssertionError("not refused")


async def test_a_booking_is_on_the_timeline_told_to_the_person_and_reminded_the_day_before(
    session: AsyncSession, settings: Settings
) -> None:
    await with_templates(session)
    place = await make_office(session)
    rose = await person(session)
    offer = await place.offer(session)

    made = await booking.book(
        session,
        quiet(settings),
        offer=offer,
        booking=Booking(rose.id, local(MONDAY + timedelta(days=1), 9, 30), BookedVia.portal),
        now=AT,
    )

    assert made.status is AppointmentStatus.booked
    assert (made.ends_at - made.starts_at, made.occupied_until - made.ends_at) == (
        timedelta(minutes=20),
        timedelta(minutes=10),
    )
    assert made.reminder_due_at == local(MONDAY, 10, 0)  # the day before, 10:00 in the office's zone
    entry = await session.scalar(select(Interaction).where(Interaction.kind == InteractionKind.appointment))
    assert entry is not None
    assert entry.citizen_id == rose.id
    assert entry.payload["event"] == "booked"
    told = await session.scalar(select(Notification))
    assert told is not None
    assert told.message_type is MessageType.appointment_confirmation
    assert told.conversation_id == made.conversation_id == entry.conversation_id  # an answer threads back to it
    assert told.plan[0][0] == "sms"
    assert "/appointments/manage/" in str(told.personalisation["url"])


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (local(MONDAY, 7, 0), "past"),
        (local(HOLIDAY, 9, 30), "closed"),
        (local(MONDAY, 9, 15), "outside_hours"),  # between two slots
        (local(MONDAY, 11, 50), "outside_hours"),  # would run past closing
        (local(MONDAY + timedelta(days=90), 9, 0), "too_far"),
    ],
)
async def test_a_time_that_cannot_be_booked_is_refused_and_nothing_is_written(
    session: AsyncSession, settings: Settings, when: datetime, reason: str
) -> None:
    place = await make_office(session)
    rose = await person(session)
    offer = await place.offer(session)

    said = await refusal(
        booking.book(session, quiet(settings), offer=offer, booking=Booking(rose.id, when, BookedVia.portal), now=AT)
    )

    assert said == reason
    assert await session.scalar(select(func.count()).select_from(Appointment)) == 0
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 0


async def test_too_soon_is_refused_by_the_notice_the_settings_ask(session: AsyncSession, settings: Settings) -> None:
    place = await make_office(session)
    rose = await person(session)
    offer = await place.offer(session)
    soon = Booking(rose.id, local(MONDAY, 9, 0), BookedVia.portal)

    assert (
        await refusal(booking.book(session, settings, offer=offer, booking=soon, now=local(MONDAY, 8, 30)))
        == "too_soon"
    )


async def test_an_unknown_office_or_service_and_one_not_bookable_there_are_refused(session: AsyncSession) -> None:
    place = await make_office(session)
    walk_in_only = await create_service(session, agency=place.agency, code="BINS", name="Bins")
    session.add(OfficeService(office_id=place.office.id, service_id=walk_in_only.id, ticket_prefix="B", bookable=False))
    elsewhere = await create_service(session, agency=place.agency, code="PERMIT", name="Permit")
    await session.flush()

    assert await refusal(offering.offer(session, office_id=place.agency.id, service_code="LICENCE")) == "unknown_office"
    assert await refusal(offering.offer(session, office_id=place.office.id, service_code="NOPE")) == "unknown_service"
    assert await refusal(offering.offer(session, office_id=place.office.id, service_code="BINS")) == "not_bookable"
    assert (
        await refusal(offering.offer(session, office_id=place.office.id, service_code=elsewhere.code)) == "not_bookable"
    )


async def test_a_full_slot_and_a_second_booking_of_one_person_at_one_time_are_refused(
    session: AsyncSession, settings: Settings
) -> None:
    place = await make_office(session, counters=2)
    rose, sam, ali = await person(session, "Rose"), await person(session, "Sam"), await person(session, "Ali")
    offer = await place.offer(session)
    at = local(MONDAY, 10, 0)
    fast = quiet(settings)
    await booking.book(session, fast, offer=offer, booking=Booking(rose.id, at, BookedVia.portal), now=AT)

    assert (
        await refusal(booking.book(session, fast, offer=offer, booking=Booking(rose.id, at, BookedVia.phone), now=AT))
        == "double"
    )
    await booking.book(session, fast, offer=offer, booking=Booking(sam.id, at, BookedVia.portal), now=AT)
    assert (
        await refusal(booking.book(session, fast, offer=offer, booking=Booking(ali.id, at, BookedVia.portal), now=AT))
        == "full"
    )
    day = await offering.day_view(session, offer=offer, day=MONDAY, now=AT, settings=fast)
    assert {s.starts_at: s.free for s in day}[at] == 0
    nxt = await offering.next_available(session, offer=offer, now=AT, settings=fast)
    assert nxt[0].starts_at == local(MONDAY, 9, 0)


async def test_one_person_holds_no_more_upcoming_appointments_than_the_settings_allow(
    session: AsyncSession, settings: Settings
) -> None:
    place = await make_office(session)
    rose = await person(session)
    offer = await place.offer(session)
    few = quiet(settings).model_copy(update={"appointment_max_per_person": 2})
    for hour in (9, 10):
        await booking.book(
            session, few, offer=offer, booking=Booking(rose.id, local(MONDAY, hour), BookedVia.portal), now=AT
        )

    third = Booking(rose.id, local(MONDAY, 11), BookedVia.portal)
    assert await refusal(booking.book(session, few, offer=offer, booking=third, now=AT)) == "too_many"


async def test_an_office_without_counters_or_hours_offers_nothing(session: AsyncSession, settings: Settings) -> None:
    place = await make_office(session, counters=0, hours={})
    offer = await place.offer(session)

    assert await offering.next_available(session, offer=offer, now=AT, settings=settings) == []
    assert await offering.day_view(session, offer=offer, day=MONDAY, now=AT, settings=settings) == []


@pytest.mark.postgres_only
async def test_two_people_racing_for_the_last_slot_one_gets_it(runtime: Runtime, settings: Settings) -> None:
    async with runtime.db.session() as setup:
        place = await make_office(setup)
        rose, sam = await person(setup, "Rose"), await person(setup, "Sam")
        await setup.commit()
    at, fast, ready = local(MONDAY, 9, 30), quiet(settings), asyncio.Barrier(2)

    async def take(citizen_id: uuid.UUID) -> str:
        async with runtime.db.session() as session:
            offer = await place.offer(session)  # both have read the day before either books
            await ready.wait()
            try:
                await booking.book(
                    session, fast, offer=offer, booking=Booking(citizen_id, at, BookedVia.portal), now=AT
                )
            except Problem as problem:
                return str(reason_of(problem))
            await asyncio.sleep(0.05)  # hold the office while the other tries
            await session.commit()
            return "booked"

    results = await asyncio.gather(take(rose.id), take(sam.id))

    assert sorted(results) == ["booked", "full"]
    async with runtime.db.session() as check:
        assert await check.scalar(select(func.count()).select_from(Appointment)) == 1
