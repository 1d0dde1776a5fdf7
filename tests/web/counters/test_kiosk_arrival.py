"""The kiosk's "I have an appointment": the phone number it was booked with checks the person in and gives a ticket
called at the booked time; a number with no appointment here today, or one that cannot be read, is told so on the
form and nothing is written."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import townsquare.web.counters.kiosk
from tests.factories import counts
from tests.support.appointments import MONDAY, local, make_office, person
from tests.support.db import fresh
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.counters.models import Ticket

PHONE = "+16135550150"


@pytest.fixture
async def booked(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> Appointment:
    """Léo's appointment at 10:00 on a Monday morning the office is open, and the kiosk's clock at 9:50 that day."""
    place = await make_office(session)
    leo = await person(session, "Léo Tremblay", phone=PHONE)
    start = local(MONDAY, 10)
    appointment = Appointment(
        agency_id=place.agency.id,
        office_id=place.office.id,
        service_id=place.service.id,
        citizen_id=leo.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        occupied_from=start,
        occupied_until=start + timedelta(minutes=30),
        booked_via=BookedVia.phone,
    )
    session.add(appointment)
    await session.commit()
    monkeypatch.setattr(townsquare.web.counters.kiosk, "utcnow", lambda: local(MONDAY, 9, 50))
    return appointment


async def test_the_phone_booked_with_checks_the_person_in(
    client: httpx.AsyncClient, session: AsyncSession, booked: Appointment
) -> None:
    form = await client.get("/kiosk/service-centre/appointment?lang=fr")
    assert "J'ai un rendez-vous" in form.text

    sent = await client.post("/kiosk/service-centre/appointment", data={"phone": "613 555 0150", "lang": "fr"})

    assert sent.status_code == 303, sent.text
    assert "/kiosk/service-centre/tickets/" in sent.headers["location"]
    await fresh(session)
    appointment = await session.get_one(Appointment, booked.id)
    await session.refresh(appointment)  # the fixture's own row, read again
    assert appointment.status is AppointmentStatus.arrived
    ticket = await session.get_one(Ticket, uuid.UUID(sent.headers["location"].split("/tickets/")[1].split("?")[0]))
    assert (ticket.appointment_id, ticket.booked_for, ticket.citizen_id) == (
        booked.id,
        booked.starts_at,
        booked.citizen_id,
    )
    again = await client.post("/kiosk/service-centre/appointment", data={"phone": PHONE, "lang": "en"})
    assert again.headers["location"] == sent.headers["location"].replace("lang=fr", "lang=en")  # one ticket


async def test_a_number_with_no_appointment_or_none_at_all_is_told_and_nothing_is_written(
    client: httpx.AsyncClient, session: AsyncSession, booked: Appointment
) -> None:
    before = await counts(session)
    unknown = await client.post("/kiosk/service-centre/appointment", data={"phone": "+16135550999", "lang": "en"})
    assert unknown.status_code == 404
    assert "We found no appointment here today for that number." in unknown.text
    unreadable = await client.post("/kiosk/service-centre/appointment", data={"phone": "not a phone", "lang": "fr"})
    assert unreadable.status_code == 422
    assert "Vérifiez le numéro de téléphone." in unreadable.text
    assert await counts(session) == before
