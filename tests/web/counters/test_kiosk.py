"""The kiosk over HTTP: a ticket taken through the flow and its page; refusals (a closed office, a service not
offered, an unreadable phone, a flood from one client, a second ticket) are pages that say so, nothing written;
a form sent twice is one ticket."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import counts
from tests.support.counters import make_office
from townsquare.app import Runtime
from townsquare.counters.models import Ticket
from townsquare.settings import Settings

CLOSED = {"5": [["00:00", "00:01"]]}  # open one minute a week: closed whenever the test runs, but for that minute


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def _office(runtime: Runtime, **kw: object) -> str:
    async with runtime.db.session() as session:
        place = await make_office(session, **kw)  # type: ignore[arg-type]
        await session.commit()
        return place.permit.code


async def test_a_ticket_is_taken_and_its_page_follows_it(client: httpx.AsyncClient, runtime: Runtime) -> None:
    code = await _office(runtime)
    page = await client.get("/kiosk/service-centre?lang=fr")
    assert page.status_code == 200
    assert "Prendre un ticket" in page.text
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    form = {"service": code, "phone": "", "token": _token(page.text), "lang": "fr", "via": "kiosk"}
    taken = await client.post("/kiosk/service-centre/tickets", data=form)
    assert taken.status_code == 303
    again = await client.post("/kiosk/service-centre/tickets", data=form)  # a second tap on the same screen
    assert again.headers["location"] == taken.headers["location"]
    ticket = await client.get(taken.headers["location"])
    assert "P-001" in ticket.text
    assert "Votre ticket" in ticket.text
    async with runtime.db.session(deferred=True) as session:
        assert len((await session.scalars(select(Ticket.id))).all()) == 1


@pytest.mark.parametrize(
    ("field", "value", "says"), [("service", "NOPE", "Choose what you need"), ("phone", "12", "Check the phone number")]
)
async def test_bad_input_shows_the_form_again_naming_the_field(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession, field: str, value: str, says: str
) -> None:
    code = await _office(runtime)
    before = await counts(session)
    form = {"service": code, "phone": "", "token": "x1", "lang": "en"} | {field: value}
    refused = await client.post("/kiosk/service-centre/tickets", data=form)
    assert refused.status_code == 422
    assert says in refused.text
    assert 'value="12"' in refused.text or field != "phone"  # what was typed is still there
    await session.rollback()
    assert await counts(session) == before


async def test_a_closed_office_says_so_and_gives_no_ticket(client: httpx.AsyncClient, runtime: Runtime) -> None:
    code = await _office(runtime, hours=CLOSED)
    page = await client.get("/kiosk/service-centre")
    assert "This office is closed" in page.text
    refused = await client.post("/kiosk/service-centre/tickets", data={"service": code, "token": "x", "lang": "en"})
    assert refused.status_code == 409
    assert "This office is closed" in refused.text
    assert (await client.get("/kiosk/nowhere")).status_code == 404


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"counter_kiosk_client_limits": "3/minute"})


async def test_a_flood_of_tickets_from_one_client_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    code = await _office(runtime)
    answers = [
        (await client.post("/kiosk/service-centre/tickets", data={"service": code, "token": f"t{n}", "lang": "en"}))
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert "Too many tickets" in answers[-1].text
    assert int(answers[-1].headers["retry-after"]) > 0
    async with runtime.db.session(deferred=True) as session:
        assert len((await session.scalars(select(Ticket.id))).all()) == 3


async def test_a_phone_already_in_line_is_told_so(client: httpx.AsyncClient, runtime: Runtime) -> None:
    code = await _office(runtime)
    first = {"service": code, "phone": "613-555-0142", "token": "a", "lang": "en"}
    assert (await client.post("/kiosk/service-centre/tickets", data=first)).status_code == 303
    second = await client.post("/kiosk/service-centre/tickets", data=first | {"token": "b"})
    assert second.status_code == 409
    assert "already has a ticket" in second.text
