"""The calendar file, read back with the same library: one UID for the appointment's life, the office's time zone,
SEQUENCE up with each change and METHOD:CANCEL once cancelled; and the signed links that carry it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from icalendar import Calendar, Component
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import AT, MONDAY, local, make_office, person, quiet
from townsquare.appointments import booking, changes, ics, links
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.models import Appointment
from townsquare.settings import Settings

TUESDAY = MONDAY + timedelta(days=1)
ABOUT = ics.Described(
    summary="Renew a driver's licence",
    location="Service Centre, 100 Queen St W",
    description="To change or cancel it: https://city.example/appointments/manage/x",
    url="https://city.example/appointments/manage/x",
    organizer="Licensing",
    organizer_email=None,
    timezone="America/Toronto",
)


def read(appointment: Appointment) -> tuple[Calendar, Component]:
    cal = Calendar.from_ical(ics.calendar_file(appointment, ABOUT, public_url="https://city.example", now=AT))
    return cal, cal.walk("VEVENT")[0]


async def test_the_calendar_file_follows_the_appointment_through_a_move_and_a_cancellation(
    session: AsyncSession, settings: Settings
) -> None:
    place = await make_office(session)
    rose = await person(session)
    fast = quiet(settings)
    offer = await place.offer(session)
    made = await booking.book(
        session, fast, offer=offer, booking=Booking(rose.id, local(TUESDAY, 9, 30), BookedVia.portal), now=AT
    )

    cal, event = read(made)
    assert cal["METHOD"] == "PUBLISH"
    assert event["STATUS"] == "CONFIRMED"
    uid = str(event["UID"])
    assert uid == f"appointment-{made.id}@city.example"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 30, "America/Toronto")
    assert event["DTSTART"].params["TZID"] == "America/Toronto"
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "America/Toronto"
    assert event.decoded("DTEND") - start == timedelta(minutes=20)
    assert int(str(event["SEQUENCE"])) == 0

    await changes.move(session, fast, appointment_id=made.id, starts_at=local(TUESDAY, 11), now=AT)
    _, event = read(made)
    assert str(event["UID"]) == uid
    assert int(str(event["SEQUENCE"])) == 1
    assert event.decoded("DTSTART").hour == 11

    await changes.cancel(session, fast, appointment_id=made.id, now=AT)
    cal, event = read(made)
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == uid
    assert int(str(event["SEQUENCE"])) == 2


def test_a_link_names_its_appointment_for_its_purpose_only(settings: Settings) -> None:
    made = Appointment(id=uuid.uuid4())
    manage = links.token(settings.secret_key, links.MANAGE, made.id)

    assert links.read(settings.secret_key, links.MANAGE, manage) == made.id
    assert links.read(settings.secret_key, links.OFFER, manage) is None  # a manage link never claims an offer
    assert links.read(settings.secret_key, links.MANAGE, manage[:-1] + ("A" if manage[-1] != "A" else "B")) is None
    assert links.read(settings.secret_key, links.MANAGE, "not-a-token") is None
    assert links.manage_url(settings, made.id).startswith("http://testserver/appointments/manage/")
