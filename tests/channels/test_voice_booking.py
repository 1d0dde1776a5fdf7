"""Booking on the phone menu (journey 7's phone side): a caller presses 5, hears the next three free times, presses
one and is booked — told by text, on their timeline — and a time taken meanwhile is said and the times read again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import post_twilio
from tests.channels.test_voice import CITY, MARIA, call, form, gather_action, new_sid, parse, press, said
from tests.factories import create_agency, create_citizen
from tests.support.appointments import make_office, with_templates
from tests.support.db import fresh
from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.models import Appointment
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.settings import Settings

EVERY_DAY = {str(d): [["00:00", "23:59"]] for d in range(7)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"ivr_appointments": "service-centre/LICENCE"})


async def _line(session: AsyncSession) -> None:
    await with_templates(session)
    agency = await create_agency(session, slug="licensing", name="Licensing", contact=("voice", CITY))
    await make_office(session, hours=EVERY_DAY, agency=agency)
    await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    await session.commit()


async def test_a_caller_books_one_of_the_three_times_read_out(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _line(session)
    sid = new_sid()
    menu = await call(client, sid)
    assert "To book an appointment, press 5." in said(menu)

    redirected = await press(client, menu, sid, "5")
    target = redirected.find("Redirect")
    assert target is not None
    assert target.text is not None
    times = parse(await post_twilio(client, urlsplit(target.text).path + "?" + urlsplit(target.text).query, form(sid)))
    heard = said(times)
    assert "The next free times for Renew a driver's licence at Service Centre are:" in heard
    assert "1: " in heard
    assert "2: " in heard
    assert "3: " in heard
    offered = parse_qs(urlsplit(gather_action(times)).query)

    booked = await press(client, times, sid, "2")

    assert "is booked for" in said(booked)
    assert booked.find("Hangup") is not None
    await fresh(session)
    made = await session.scalar(select(Appointment))
    assert made is not None
    assert (made.status, made.booked_via) == (AppointmentStatus.booked, BookedVia.ivr)
    assert made.starts_at.isoformat() == offered["t2"][0]
    told = await session.scalar(select(Notification).where(Notification.citizen_id == made.citizen_id))
    assert told is not None
    assert told.message_type is MessageType.appointment_confirmation
    assert told.plan[0][0] == "sms"


async def test_a_time_taken_meanwhile_is_said_and_the_times_read_again(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _line(session)
    first, second = new_sid(), new_sid()
    times = []
    for sid, number in ((first, MARIA), (second, "+16135550177")):
        menu = await call(client, sid, number)
        target = (await press(client, menu, sid, "5", number)).find("Redirect")
        assert target is not None
        assert target.text is not None
        url = urlsplit(target.text)
        times.append(parse(await post_twilio(client, f"{url.path}?{url.query}", form(sid, number))))
    assert "is booked for" in said(await press(client, times[0], first, "1"))

    again = await press(client, times[1], second, "1", "+16135550177")

    assert "Sorry, that time was just taken." in said(again)
    assert "The next free times" in said(again)
    await fresh(session)
    assert len(list(await session.scalars(select(Appointment)))) == 1
