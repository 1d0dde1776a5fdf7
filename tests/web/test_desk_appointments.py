"""Appointments on the desk (journey 7's desk side): an agent books by phone for a caller with no smartphone, from
their case, with a letter; the person is told by text and by post; the office's day lists them and the counter
checks them in, and the case shows it all; another agency's staff cannot reach the appointment."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from tests.support.appointments import make_office, with_templates
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import replaying
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.notify.models import Notification, NotificationAttempt
from townsquare.staff.models import AuditEntry

EVERY_DAY = {str(d): [["00:00", "23:59"]] for d in range(7)}
ORIGIN = {"Origin": "http://testserver"}


async def _world(session: AsyncSession) -> tuple[str, str, str]:
    await with_templates(session)
    place = await make_office(session, hours=EVERY_DAY)
    await create_staff(session, email="clerk@city.example", agencies=[place.agency])
    other = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="parks@city.example", agencies=[other])
    rose = await create_citizen(session, name="Rose Gagnon", phone="+16135550150", phone_verified=True)
    await citizens.add_identity(
        session,
        citizen_id=rose.id,
        kind=IdentityKind.postal,
        value="Rose Gagnon\n12 Elm St\nOttawa ON K1A 0A1",
        region="CA",
    )
    case = await cases.open_case(
        session, prefix="TS", agency_id=place.agency.id, title="Licence renewal", channel="voice", citizen_id=rose.id
    )
    await session.commit()
    return str(rose.id), case.reference, f"{place.office.id}/{place.service.code}"


async def test_an_agent_books_by_phone_from_the_case_and_the_counter_checks_the_person_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rose, reference, choice = await _world(session)
    await sign_in_staff(client, "clerk@city.example")
    case_page = await client.get(f"/desk/cases/{reference}")
    assert f"/desk/citizens/{rose}/appointments/new?case={reference}" in case_page.text
    form = await client.get(f"/desk/citizens/{rose}/appointments/new", params={"choice": choice, "case": reference})
    assert form.status_code == 200
    starts = re.findall(r'name="starts_at" value="([^"]+)"', form.text)
    day = re.search(r'name="day" value="([^"]+)"', form.text)
    assert starts
    assert day

    booked = await client.post(
        f"/desk/citizens/{rose}/appointments/new",
        data={
            "office": choice.split("/")[0],
            "service": choice.split("/")[1],
            "day": day.group(1),
            "starts_at": starts[0],
            "case": reference,
            "way": "phone",
            "letter": "yes",
        },
        headers=ORIGIN,
    )

    assert booked.status_code == 303, booked.text
    await fresh(session)
    made = await session.scalar(select(Appointment))
    assert made is not None
    assert (made.status, made.booked_via, str(made.citizen_id)) == (AppointmentStatus.booked, BookedVia.phone, rose)
    assert made.case_id is not None
    channels = await session.scalars(
        select(NotificationAttempt.channel).join(Notification).where(Notification.citizen_id == made.citizen_id)
    )
    assert sorted(channels) == ["mail", "sms"]  # a text, and a letter to keep
    page = await client.get(booked.headers["location"])
    assert "Booked. The person is told" in page.text
    listed = await client.get(f"/desk/appointments?office={made.office_id}&day={day.group(1)}")
    assert "Rose Gagnon" in listed.text

    # At the counter on its day and time (late in the evening, the first free time is tomorrow's, at midnight).
    with replaying(made.starts_at):
        await sign_in_staff(client, "clerk@city.example")
        arrived = await client.post(
            f"/desk/appointments/{made.id}/arrive", data={"next": "/desk/appointments"}, headers=ORIGIN
        )

    assert arrived.status_code == 303
    await fresh(session)
    await session.refresh(made)
    assert made.status is AppointmentStatus.arrived
    events = await session.scalars(
        select(Interaction.payload)
        .where(Interaction.kind == InteractionKind.appointment, Interaction.case_id == made.case_id)
        .order_by(Interaction.occurred_at)
    )
    assert [e["event"] for e in events] == ["booked", "arrived"]
    audited = set(await session.scalars(select(AuditEntry.action).where(AuditEntry.citizen_id == made.citizen_id)))
    assert {"appointment.booked", "appointment.arrived", "appointment.list"} <= audited
    person = await client.get(f"/desk/citizens/{rose}")
    assert f"/desk/appointments/{made.id}" in person.text


async def test_another_agencys_staff_cannot_reach_the_appointment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rose, _reference, choice = await _world(session)
    await sign_in_staff(client, "clerk@city.example")
    form = await client.get(f"/desk/citizens/{rose}/appointments/new", params={"choice": choice})
    starts = re.findall(r'name="starts_at" value="([^"]+)"', form.text)
    data = {"office": choice.split("/")[0], "service": choice.split("/")[1], "starts_at": starts[0], "way": "counter"}
    booked = await client.post(f"/desk/citizens/{rose}/appointments/new", data=data, headers=ORIGIN)
    assert booked.status_code == 303
    place = booked.headers["location"].split("?")[0]
    refused = await client.post(f"/desk/citizens/{rose}/appointments/new", data={**data, "way": "fax"}, headers=ORIGIN)
    assert refused.status_code == 422
    assert "by phone or at the counter" in refused.text
    twice = await client.post(f"/desk/citizens/{rose}/appointments/new", data=data, headers=ORIGIN)
    assert twice.status_code == 409

    client.cookies.clear()
    await sign_in_staff(client, "parks@city.example")

    assert (await client.get(place)).status_code == 404
    assert (await client.post(f"{place}/cancel", headers=ORIGIN)).status_code == 404
