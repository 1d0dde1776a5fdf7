"""The desk's call panel: what the agent on the call sees and may do, the phone they may choose instead of the
browser, and who may read a call's recording (staff of its agency, each read audited)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent
from tests.support.calls import (
    ACCOUNT,
    JEAN,
    CityLine,
    call_and_wait,
    call_form,
    call_settings,
    city_line,
    signed_post,
    wire_in_process,
)
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.interactions.models import Attachment, Interaction
from townsquare.routing.models import Agent, WorkItem
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry
from townsquare.web.simulator.twilio_fake import FakeTwilio

REST = f"/simulator/twilio/2010-04-01/Accounts/{ACCOUNT}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return call_settings(settings, voice_record_calls=True)


@pytest.fixture
async def fake(app: FastAPI, runtime: Runtime) -> FakeTwilio:
    return wire_in_process(app, runtime)


@pytest.fixture
async def line(session: AsyncSession) -> CityLine:
    return await city_line(session)


async def accepted_call(client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio) -> tuple[str, uuid.UUID]:
    await sign_in_staff(client, "wren@city.example")
    sid = await call_and_wait(client, fake, JEAN)
    report = await runtime.router.run_once()
    [(item_id, _)] = report.offered
    assert (await client.post(f"/desk/offers/{item_id}/accept")).status_code == 303
    await runtime.worker.drain()
    return sid, item_id


async def test_the_agent_on_the_call_sees_the_panel_with_its_actions(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine
) -> None:
    _, item_id = await accepted_call(client, runtime, fake)
    page = await client.get(f"/desk/work/{item_id}")
    assert page.status_code == 200
    html = page.text
    assert html.count('id="call-panel"') == 1
    assert "Putting the caller through" in html
    assert "Join the call in this browser" in html
    assert f'action="/desk/calls/{item_id}/hang-up"' in html
    assert f'action="/desk/calls/{item_id}/transfer"' in html
    assert "This call is recorded; the caller was told before it started." in html
    assert "/static/desk/softphone.js" in html
    assert "/static/build/twilio-voice/twilio.min.js" not in html  # the demo's softphone, not Twilio's SDK
    state = (await client.get(f"/desk/calls/{item_id}/state")).json()
    assert (state["state"], state["live"], state["holds"]) == ("connecting", True, True)
    early = await client.post(f"/desk/calls/{item_id}/hold")
    assert early.status_code == 409  # the caller is not in the call with the agent yet

    client.cookies.set("ts_lang", "fr")
    french = await client.get(f"/desk/work/{item_id}")
    assert "Rejoindre l\u2019appel dans ce navigateur" in french.text


async def test_a_softphone_token_is_for_the_agent_holding_the_call_only(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine, session: AsyncSession
) -> None:
    _, item_id = await accepted_call(client, runtime, fake)
    token = await client.post(f"/desk/calls/{item_id}/token")
    assert token.status_code == 200
    assert token.headers["cache-control"] == "no-store"
    await sign_in_staff(client, "bob@city.example")  # Bob works for the agency, but does not hold this call
    refused = await client.post(f"/desk/calls/{item_id}/token")
    assert refused.status_code == 403
    assert "Only the person handling this work" in refused.json()["detail"]
    other = await create_agency(session, slug="parks")
    await create_agent(session, email="pat@parks.example", agencies=[other])
    await session.commit()
    await sign_in_staff(client, "pat@parks.example")
    assert (await client.post(f"/desk/calls/{item_id}/token")).status_code == 404
    assert (await client.post(f"/desk/calls/{uuid.uuid4()}/token")).status_code == 404


async def test_an_agent_who_chose_a_phone_is_rung_into_the_conference(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine
) -> None:
    await sign_in_staff(client, "wren@city.example")
    bad = await client.post("/desk/calls/phone", data={"phone": "not a phone", "next": "/desk"})
    assert bad.status_code == 422
    chose = await client.post("/desk/calls/phone", data={"phone": "613 555 0190", "next": "/desk/work/x"})
    assert chose.status_code == 303
    async with runtime.db.session(deferred=True) as s:
        agent = await s.get(Agent, line.wren_id)
        assert agent is not None
        assert agent.call_phone == "+16135550190"
    _, item_id = await accepted_call(client, runtime, fake)
    [dial] = [r for r in fake.requests if r["path"] == REST + "/Calls.json"]
    assert dial["form"]["To"] == "+16135550190"
    assert dial["form"]["From"] == "+16135550100"  # the city's number the resident called
    conference = ET.fromstring(dial["form"]["Twiml"]).find("Dial/Conference")
    assert conference is not None
    assert conference.text == f"ts-{item_id.hex}"
    assert conference.get("startConferenceOnEnter") == "true"
    page = await client.get(f"/desk/work/{item_id}")
    assert "We ring your phone, +16135550190, to put you through." in page.text
    assert "Join the call in this browser" not in page.text


async def test_a_recording_is_read_by_staff_of_its_agency_only_and_each_read_is_audited(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine, session: AsyncSession
) -> None:
    sid, item_id = await accepted_call(client, runtime, fake)
    conference = ET.fromstring(fake.calls[sid].redirects[0]).find("Dial/Conference")
    assert conference is not None
    await client.post(
        f"/simulator/voice/calls/{sid}/conference", json={"name": conference.text, "attrs": dict(conference.attrib)}
    )
    token = (await client.post(f"/desk/calls/{item_id}/token")).json()
    await client.post("/simulator/twilio/devices/connect", json={"token": token["token"], "params": token["params"]})
    await client.post(f"/desk/calls/{item_id}/hang-up")
    await runtime.worker.drain()
    await runtime.worker.drain()
    async with runtime.db.session(deferred=True) as s:
        stmt = select(Attachment.id).join(Interaction).where(Interaction.external_id == sid)
        recording_id = (await s.execute(stmt)).scalar_one()
    page = await client.get(f"/desk/work/{item_id}")
    assert f'href="/desk/files/{recording_id}"' in page.text
    assert "Recording of the call" in page.text
    assert "Call completed" in page.text

    assert (await client.get(f"/desk/files/{recording_id}")).status_code == 200
    other = await create_agency(session, slug="parks")
    await create_agent(session, email="pat@parks.example", agencies=[other])
    await session.commit()
    await sign_in_staff(client, "pat@parks.example")
    assert (await client.get(f"/desk/files/{recording_id}")).status_code == 404
    client.cookies.clear()
    signed_out = await client.get(f"/desk/files/{recording_id}")
    assert signed_out.status_code == 303
    async with runtime.db.session(deferred=True) as s:
        reads = (await s.execute(select(AuditEntry).where(AuditEntry.action == "attachment.read"))).scalars().all()
        assert [(r.subject_id, r.actor_id) for r in reads] == [(str(recording_id), str(line.wren_id))]
        item = await s.get(WorkItem, item_id)
        assert item is not None


async def test_with_a_transfer_number_an_accepted_call_is_left_on_that_line(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine, app: FastAPI, settings: Settings
) -> None:
    app.state.settings = settings.model_copy(update={"voice_transfer_number": "+16135550999"})
    await sign_in_staff(client, "wren@city.example")
    sid = "CA" + uuid.uuid4().hex
    await signed_post(client, "/channels/voice/twilio", call_form(sid, JEAN, CallStatus="ringing"))
    put_through = await signed_post(
        client, "/channels/voice/twilio/choice?lang=en&tries=0", call_form(sid, JEAN, Digits="0")
    )
    assert "<Dial" in put_through.text
    [(item_id, _)] = (await runtime.router.run_once()).offered
    assert (await client.post(f"/desk/offers/{item_id}/accept")).status_code == 303
    await runtime.worker.drain()
    assert fake.requests == []  # the caller is on the transfer line: nothing to redirect
