"""Booking on the portal: a signed-in resident books a free time, a guest proves a phone first (the time kept
meanwhile), the confirmation's link opens the appointment without signing in to move, cancel or take its calendar
file; an altered link, a past or unknown time and a closed day are refused with a page that says so; an appointment
that continues a case is on the resident's case, in their language."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.appointments import make_office, with_templates
from tests.support.db import fresh
from tests.support.messages import body_of, code_in, last_sent_to
from tests.web.portal.conftest import Resident, sign_in
from townsquare.appointments import booking, offering
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.cases import service as cases
from townsquare.citizens.models import Identity
from townsquare.clock import utcnow
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.settings import Settings

EVERY_DAY = {str(d): [["00:00", "23:59"]] for d in range(7)}
PHONE, RAW_PHONE = "+16135550199", "613 555 0199"


async def office(session: AsyncSession) -> str:
    """An office open all day every day, with one counter: the path of its booking page."""
    await with_templates(session)
    place = await make_office(session, hours=EVERY_DAY)
    await session.commit()
    return f"/appointments/{place.office.id}/{place.service.code}"


def times_on(page: httpx.Response) -> list[str]:
    return re.findall(r'name="starts_at" type="radio" value="([^"]+)"', page.text)


def day_on(page: httpx.Response) -> str:
    found = re.search(r'name="day" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def day_with_two_times(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """The first day with two free times: late in the evening, today's page has room for one at most."""
    day = await client.get(path)
    for _ in range(3):
        assert day.status_code == 200
        if len(times_on(day)) >= 2:
            return day
        day = await client.get(f"{path}?day={date.fromisoformat(day_on(day)) + timedelta(days=1)}")
    raise AssertionError("no day of the next three has two free times")


async def test_a_resident_books_a_free_time_and_its_link_moves_cancels_and_exports_it(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    path = await office(session)
    listed = await client.get("/appointments")
    assert listed.status_code == 200
    assert path in listed.text
    sign_in(client, resident)
    day = await day_with_two_times(client, path)
    first, second = times_on(day)[:2]

    booked = await client.post(
        path, data={"starts_at": first, "day": day_on(day)}, headers={"Origin": "http://testserver"}
    )

    assert booked.status_code == 303, booked.text
    manage = booked.headers["location"].split("?")[0]
    assert manage.startswith("/appointments/manage/")
    shown = await client.get(booked.headers["location"])
    assert "Your appointment is booked" in shown.text
    told = await session.scalar(select(Notification).where(Notification.citizen_id == resident.citizen_id))
    assert told is not None
    assert told.message_type is MessageType.appointment_confirmation
    assert manage in str(told.personalisation["url"])
    mine = await client.get("/account/appointments")
    assert manage in mine.text

    client.cookies.clear()  # the link works for whoever holds it, signed in or not
    moved = await client.post(f"{manage}/move", data={"starts_at": second}, headers={"Origin": "http://testserver"})
    assert moved.status_code == 303
    calendar = await client.get(f"{manage}/calendar.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(calendar.content).walk("VEVENT")[0]
    assert int(str(event["SEQUENCE"])) == 1
    assert (await client.get(f"{manage}/cancel")).status_code == 200
    cancelled = await client.post(f"{manage}/cancel", headers={"Origin": "http://testserver"})
    assert cancelled.status_code == 303
    assert "Your appointment is cancelled" in (await client.get(cancelled.headers["location"])).text
    again = await client.get(f"{manage}/move")
    assert again.status_code == 410
    assert "This appointment can no longer be changed" in again.text
    export = Calendar.from_ical((await client.get(f"{manage}/calendar.ics")).content)
    assert export["METHOD"] == "CANCEL"


async def test_a_guest_proves_a_phone_and_the_time_kept_becomes_their_booking(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    path = await office(session)
    day = await client.get(path)
    chosen = times_on(day)[0]
    origin = {"Origin": "http://testserver"}

    held = await client.post(path, data={"starts_at": chosen, "day": day_on(day)}, headers=origin)

    assert held.status_code == 303
    purpose = held.headers["location"].split("for=")[1]
    assert purpose.startswith("book:")
    asked = await client.get(held.headers["location"])
    assert "How should we tell you about your appointment?" in asked.text
    kept = await session.scalar(select(Appointment))
    assert kept is not None
    assert kept.status is AppointmentStatus.held
    kept_id = kept.id
    sent = await client.post("/contact", data={"for": purpose, "how": "phone", "phone": RAW_PHONE}, headers=origin)
    assert sent.status_code == 303
    code = code_in(body_of(await last_sent_to(session, PHONE)))
    done = await client.post("/contact/code", data={"for": purpose, "code": code}, headers=origin)

    assert done.status_code == 303
    assert done.headers["location"].startswith("/appointments/manage/")
    await fresh(session)
    booked = await session.get_one(Appointment, kept_id)
    assert booked.status == AppointmentStatus.booked
    phone = await session.scalar(
        select(Identity).where(Identity.citizen_id == booked.citizen_id, Identity.value == PHONE)
    )
    assert phone is not None
    assert phone.verified


async def test_bad_requests_are_refused_with_a_page_that_says_why(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    path = await office(session)
    sign_in(client, resident)
    origin = {"Origin": "http://testserver"}
    day = await client.get(path)
    chosen = times_on(day)[0]
    await client.post(path, data={"starts_at": chosen, "day": day_on(day)}, headers=origin)

    nothing = await client.post(path, data={"day": day_on(day)}, headers=origin)
    assert nothing.status_code == 422
    assert "Choose a time" in nothing.text
    past = await client.post(path, data={"starts_at": "2020-01-06T14:00:00+00:00"}, headers=origin)
    assert past.status_code == 422
    assert "That time has passed" in past.text
    twice = await client.post(path, data={"starts_at": chosen}, headers=origin)
    assert twice.status_code == 409
    off_grid = chosen.replace(":00+00:00", ":07+00:00")
    assert (await client.post(path, data={"starts_at": off_grid}, headers=origin)).status_code == 422
    assert (await client.get(path + "?day=tomorrow")).status_code == 422
    assert (await client.get(path.rsplit("/", 1)[0] + "/NOPE")).status_code == 404
    assert (await client.get("/appointments/00000000-0000-0000-0000-000000000000/LICENCE")).status_code == 404
    tampered = await client.get("/appointments/manage/AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA")
    assert tampered.status_code == 404
    assert "This link does not work" in tampered.text
    assert (await client.get("/appointments/offer/not-a-token")).status_code == 404
    await fresh(session)
    assert len(list(await session.scalars(select(Appointment)))) == 1  # the one booked, nothing half-written


async def test_an_appointment_continuing_a_case_is_on_the_residents_case_and_in_their_language(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident, settings: Settings
) -> None:
    await with_templates(session)
    place = await make_office(session, hours=EVERY_DAY)
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=place.agency.id,
        title="Licence renewal",
        channel="voice",
        citizen_id=resident.citizen_id,
    )
    offer = await place.offer(session)
    now = utcnow()
    free = await offering.next_available(session, offer=offer, now=now, settings=settings)
    wanted = Booking(resident.citizen_id, free[0].starts_at, BookedVia.phone, case_id=case.id)
    await booking.book(session, settings, offer=offer, booking=wanted, now=now)
    await session.commit()
    sign_in(client, resident)

    page = await client.get(f"/account/cases/{case.reference}")
    client.cookies.set("ts_lang", "fr")
    french = await client.get(f"/account/cases/{case.reference}")

    assert "Appointment booked: Renew a driver&#39;s licence" in page.text
    assert "Rendez-vous pris : Renouveler un permis de conduire" in french.text
