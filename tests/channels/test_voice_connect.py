"""Calls that connect, over the wire: accepting a call redirects THAT caller (by its own CallSid) into a conference
named for the work item, the agent's softphone joins through the TwiML App's voice URL, hold, transfer and hang
up become Twilio REST requests, and a recorded call's consent is said before the conference (and so the
recording) starts; every request is read back from the simulator's stand-in for Twilio."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.calls import (
    ACCOUNT,
    JEAN,
    MARIA,
    TOKEN,
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
from townsquare.interactions.models import Attachment, Channel, Interaction
from townsquare.routing.models import LiveCall, LiveCallState, WorkItem, WorkItemStatus
from townsquare.settings import Settings
from townsquare.web.simulator.twilio_fake import FakeTwilio

REST = f"/simulator/twilio/2010-04-01/Accounts/{ACCOUNT}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return call_settings(settings)


@pytest.fixture
async def fake(app: FastAPI, runtime: Runtime) -> FakeTwilio:
    return wire_in_process(app, runtime)


@pytest.fixture
async def line(session: AsyncSession) -> CityLine:
    return await city_line(session)


@pytest.fixture
async def agent(client: httpx.AsyncClient, line: CityLine) -> httpx.AsyncClient:
    await sign_in_staff(client, "wren@city.example")
    return client


async def item_of(runtime: Runtime, sid: str) -> uuid.UUID:
    async with runtime.db.session(deferred=True) as s:
        items = (await s.execute(select(WorkItem).where(WorkItem.kind == "call"))).scalars().all()
        found = [i.id for i in items if (i.context or {}).get("call_sid") == sid]
    assert len(found) == 1
    return found[0]


async def live_of(runtime: Runtime, item_id: uuid.UUID) -> LiveCall:
    async with runtime.db.session(deferred=True) as s:
        live = (await s.execute(select(LiveCall).where(LiveCall.work_item_id == item_id))).scalar_one()
        s.expunge(live)
        return live


async def call_of(runtime: Runtime, sid: str) -> Interaction:
    async with runtime.db.session(deferred=True) as s:
        stmt = select(Interaction).where(Interaction.channel == Channel.voice, Interaction.external_id == sid)
        call = (await s.execute(stmt)).scalar_one()
        s.expunge(call)
        return call


def sent(fake: FakeTwilio, path: str) -> list[dict[str, Any]]:
    return [r for r in fake.requests if r["path"] == REST + path]


def conference_of(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml)
    conference = root.find("Dial/Conference")
    assert conference is not None, twiml
    return conference


async def accept_second_of_two(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio
) -> tuple[str, str, uuid.UUID]:
    """Maria then Jean wait; Maria's call, offered first, is declined, so Jean's is offered to Wren, who accepts
    it: the caller connected must be Jean, though Maria has waited longer."""
    first = await call_and_wait(agent, fake, MARIA)
    second = await call_and_wait(agent, fake, JEAN)
    first_item, second_item = await item_of(runtime, first), await item_of(runtime, second)
    report = await runtime.router.run_once()
    assert [i for i, _ in report.offered] == [first_item]
    assert (await agent.post(f"/desk/offers/{first_item}/decline")).status_code == 303
    report = await runtime.router.run_once()
    assert [i for i, _ in report.offered] == [second_item]
    accepted = await agent.post(f"/desk/offers/{second_item}/accept")
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"/desk/work/{second_item}")
    await runtime.worker.drain()
    return first, second, second_item


async def test_accepting_redirects_the_offered_caller_by_its_own_sid_into_the_items_conference(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio
) -> None:
    first, second, item_id = await accept_second_of_two(agent, runtime, fake)
    assert sent(fake, f"/Calls/{first}.json") == []  # the caller who waited longest stays where they are
    [redirect] = sent(fake, f"/Calls/{second}.json")
    assert redirect["method"] == "POST"
    assert redirect["headers"]["authorization"] == httpx.BasicAuth(ACCOUNT, TOKEN)._auth_header
    assert redirect["headers"]["i-twilio-idempotency-token"].startswith("call:")
    twiml = redirect["form"]["Twiml"]
    conference = conference_of(twiml)
    assert conference.text == f"ts-{item_id.hex}"
    assert conference.get("startConferenceOnEnter") == "false"
    assert conference.get("endConferenceOnExit") == "true"
    assert conference.get("statusCallback") == f"http://testserver/channels/voice/twilio/conference?item={item_id}"
    assert conference.get("record") is None  # recording is off unless switched on
    assert "Connecting you to Wren" in twiml
    assert fake.calls[first].redirects == []
    assert fake.calls[second].redirects == [twiml]
    live = await live_of(runtime, item_id)
    assert (live.call_sid, live.state) == (second, LiveCallState.connecting)


async def test_the_softphone_joins_holds_resumes_and_hangs_up_through_twilio_rest(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio
) -> None:
    _, second, item_id = await accept_second_of_two(agent, runtime, fake)
    name = f"ts-{item_id.hex}"
    joined = await agent.post(f"/simulator/voice/calls/{second}/conference", json={"name": name, "attrs": dict(
        conference_of(fake.calls[second].redirects[0]).attrib)})  # fmt: skip
    assert joined.status_code == 200, joined.text
    assert joined.json()["with"] == []  # the caller hears music until the agent's leg joins

    token = await agent.post(f"/desk/calls/{item_id}/token")
    assert token.status_code == 200, token.text
    assert token.json()["device"] == "demo"
    assert token.json()["params"] == {"item": str(item_id)}
    device = await agent.post(
        "/simulator/twilio/devices/connect", json={"token": token.json()["token"], "params": token.json()["params"]}
    )
    assert device.status_code == 200, device.text
    assert device.json()["with"] == ["caller"]
    view = (await agent.get(f"/simulator/voice/calls/{second}/conference")).json()
    assert view == {"conference": name, "with": ["Wren"], "on_hold": False, "ended": False}
    live = await live_of(runtime, item_id)
    assert live.state is LiveCallState.connected
    assert live.conference_sid
    assert live.agent_call_sid == device.json()["call_sid"]
    assert (await call_of(runtime, second)).payload["call_result"] == "answered"

    held = await agent.post(f"/desk/calls/{item_id}/hold")
    assert (held.status_code, held.headers["location"]) == (303, f"/desk/work/{item_id}#call-panel")
    await runtime.worker.drain()
    [hold] = sent(fake, f"/Conferences/{live.conference_sid}/Participants/{second}.json")
    assert hold["form"] == {
        "Hold": "true",
        "HoldUrl": "http://testserver/channels/voice/twilio/hold-music?lang=en",
        "HoldMethod": "POST",
    }
    assert (await agent.get(f"/simulator/voice/calls/{second}/conference")).json()["on_hold"] is True
    music = await signed_post(agent, "/channels/voice/twilio/hold-music?lang=en", call_form(second, JEAN))
    assert "<Play>" in music.text
    assert "stay on the line" in music.text
    assert (await agent.get(f"/desk/calls/{item_id}/state")).json()["words"] == "Caller on hold"

    await agent.post(f"/desk/calls/{item_id}/resume")
    await runtime.worker.drain()
    assert sent(fake, f"/Conferences/{live.conference_sid}/Participants/{second}.json")[-1]["form"] == {"Hold": "false"}

    hung = await agent.post(f"/desk/calls/{item_id}/hang-up")
    assert hung.status_code == 303
    await runtime.worker.drain()
    [end] = sent(fake, f"/Conferences/{live.conference_sid}.json")
    assert end["form"] == {"Status": "completed"}
    assert (await live_of(runtime, item_id)).state is LiveCallState.ended
    call = await call_of(runtime, second)
    assert call.payload["call_result"] == "completed"
    assert isinstance(call.payload["talk_seconds"], int)
    assert (await agent.get(f"/simulator/voice/calls/{second}/conference")).json()["ended"] is True
    # The caller's dial ends; its action asks them how it went on their way out (or says goodbye).
    after = await signed_post(
        agent, "/channels/voice/twilio/dial-result?lang=en", call_form(second, JEAN, DialCallStatus="completed")
    )
    assert after.status_code == 200
    assert "<Response>" in after.text


async def test_a_transfer_holds_the_caller_in_the_conference_until_the_next_agent_joins(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine, session: AsyncSession
) -> None:
    first, second, item_id = await accept_second_of_two(agent, runtime, fake)
    gone = call_form(first, MARIA, CallStatus="completed", CallDuration="50")  # Maria gives up waiting
    assert (await signed_post(agent, "/channels/voice/twilio/status", gone)).status_code == 200
    assert (await call_of(runtime, first)).payload["call_result"] == "abandoned"  # hung up while waiting
    name = f"ts-{item_id.hex}"
    attrs = dict(conference_of(fake.calls[second].redirects[0]).attrib)
    await agent.post(f"/simulator/voice/calls/{second}/conference", json={"name": name, "attrs": attrs})
    token = (await agent.post(f"/desk/calls/{item_id}/token")).json()
    wren_leg = (
        await agent.post("/simulator/twilio/devices/connect", json={"token": token["token"], "params": token["params"]})
    ).json()["call_sid"]
    conference_sid = (await live_of(runtime, item_id)).conference_sid

    moved = await agent.post(
        f"/desk/calls/{item_id}/transfer", data={"to": f"agent:{line.bob_id}", "note": "Needs permits"}
    )
    assert (moved.status_code, moved.headers["location"]) == (303, "/desk")
    await runtime.worker.drain()
    assert sent(fake, f"/Conferences/{conference_sid}/Participants/{second}.json")[-1]["form"]["Hold"] == "true"
    assert sent(fake, f"/Calls/{wren_leg}.json")[-1]["form"] == {"Status": "completed"}
    live = await live_of(runtime, item_id)
    assert (live.state, live.staff_id, live.on_hold, live.transfers) == (LiveCallState.transferring, None, True, 1)
    assert (await agent.get(f"/simulator/voice/calls/{second}/conference")).json() == {
        "conference": name, "with": [], "on_hold": True, "ended": False,
    }  # fmt: skip
    assert (await call_of(runtime, second)).payload["call_result"] == "transferred"
    tokens_left = await agent.post(f"/desk/calls/{item_id}/token")
    assert tokens_left.status_code == 403  # Wren no longer holds the work

    async with runtime.db.session() as s:  # Bob comes back and is offered the transferred call
        from townsquare.routing import agents
        from townsquare.routing.models import Presence

        await agents.set_presence(s, staff_id=line.bob_id, presence=Presence.available)
        await s.commit()
    report = await runtime.router.run_once()
    assert (item_id, line.bob_id) in report.offered
    await sign_in_staff(agent, "bob@city.example")
    assert (await agent.post(f"/desk/offers/{item_id}/accept")).status_code == 303
    await runtime.worker.drain()
    assert len(sent(fake, f"/Calls/{second}.json")) == 1  # no second redirect: the caller is already there
    page = await agent.get(f"/desk/work/{item_id}")
    assert "Needs permits" in page.text
    token = (await agent.post(f"/desk/calls/{item_id}/token")).json()
    bob_leg = await agent.post(
        "/simulator/twilio/devices/connect", json={"token": token["token"], "params": token["params"]}
    )
    assert bob_leg.status_code == 200
    await runtime.worker.drain()
    assert sent(fake, f"/Conferences/{conference_sid}/Participants/{second}.json")[-1]["form"] == {"Hold": "false"}
    view = (await agent.get(f"/simulator/voice/calls/{second}/conference")).json()
    assert (view["with"], view["on_hold"]) == (["Bob"], False)


async def test_a_recorded_call_says_the_consent_before_the_conference_and_keeps_the_recording(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, settings: Settings, app: FastAPI
) -> None:
    app.state.settings = settings.model_copy(update={"voice_record_calls": True})
    _, second, item_id = await accept_second_of_two(agent, runtime, fake)
    twiml = fake.calls[second].redirects[0]
    root = ET.fromstring(twiml)
    verbs = [el.tag for el in root]
    assert verbs == ["Say", "Say", "Dial"]
    assert "This call is recorded" in (root[1].text or "")  # said before the conference starts recording
    conference = conference_of(twiml)
    assert conference.get("record") == "record-from-start"
    assert (
        conference.get("recordingStatusCallback") == f"http://testserver/channels/voice/twilio/recording?item={item_id}"
    )

    await agent.post(
        f"/simulator/voice/calls/{second}/conference", json={"name": conference.text, "attrs": dict(conference.attrib)}
    )
    token = (await agent.post(f"/desk/calls/{item_id}/token")).json()
    await agent.post("/simulator/twilio/devices/connect", json={"token": token["token"], "params": token["params"]})
    await agent.post(f"/desk/calls/{item_id}/hang-up")
    await runtime.worker.drain()  # ends the conference; the recording callback queues the file's fetch
    await runtime.worker.drain()
    async with runtime.db.session(deferred=True) as s:
        stmt = select(Attachment).join(Interaction).where(Interaction.external_id == second)
        recording = (await s.execute(stmt)).scalar_one()
    assert recording.filename.startswith("RE")
    assert recording.content_type == "audio/wav"
    assert recording.sha256 is not None
    assert recording.size_bytes > 0
    got = [r for r in fake.requests if r["method"] == "GET" and "/Recordings/" in r["path"]]
    assert len(got) == 1
    assert got[0]["path"].endswith(".wav")

    heard = await agent.get(f"/desk/files/{recording.id}")
    assert heard.status_code == 200
    assert heard.content[:4] == b"RIFF"
    assert heard.headers["content-disposition"].startswith("attachment;")


@pytest.mark.usefixtures("no_tracebacks")
async def test_bad_callbacks_and_strangers_are_refused_clearly(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio, line: CityLine
) -> None:
    unknown = uuid.uuid4()
    event = call_form("CA" + "9" * 32, MARIA, StatusCallbackEvent="participant-join", ConferenceSid="CF" + "1" * 32)
    nobody = await signed_post(agent, f"/channels/voice/twilio/conference?item={unknown}", event)
    assert nobody.status_code == 404
    assert "No call was connected" in nobody.json()["detail"]
    junk = await signed_post(agent, "/channels/voice/twilio/conference?item=nope", event)
    assert junk.status_code == 422
    unsigned = await agent.post(f"/channels/voice/twilio/conference?item={unknown}", data=event)
    assert unsigned.status_code == 403

    _, second, item_id = await accept_second_of_two(agent, runtime, fake)
    wrong = call_form("CA" + "8" * 32, "client:staff-" + uuid.uuid4().hex, item=str(item_id))
    stranger = await signed_post(agent, "/channels/voice/twilio/agent", wrong)
    assert stranger.status_code == 200
    assert "<Say" in stranger.text
    assert "only the agent who accepted this work" in stranger.text
    assert "<Hangup" in stranger.text
    not_a_client = await signed_post(agent, "/channels/voice/twilio/agent", call_form("CA" + "7" * 32, MARIA, item="x"))
    assert "cannot be connected" in not_a_client.text
    assert "<Dial" not in not_a_client.text

    # The caller hangs up: the call is over, and later news of it is refused.
    await signed_post(
        agent, "/channels/voice/twilio/status", call_form(second, JEAN, CallStatus="completed", CallDuration="30")
    )
    late = await signed_post(agent, f"/channels/voice/twilio/conference?item={item_id}", {**event, "CallSid": second})
    assert late.status_code == 409
    assert "ended" in late.json()["detail"]
    mine = call_form("CA" + "6" * 32, f"client:staff-{line.wren_id.hex}", item=str(item_id))
    over = await signed_post(agent, "/channels/voice/twilio/agent", mine)
    assert "that call has ended" in over.text
    assert "<Dial" not in over.text
    assert (await call_of(runtime, second)).payload["call_result"] == "abandoned"

    # The stand-in speaks Twilio's errors: an unknown call, a wrong password.
    missing = await agent.post(REST + f"/Calls/CA{'5' * 32}.json", data={"Twiml": "<Response/>"}, auth=(ACCOUNT, TOKEN))
    assert (missing.status_code, missing.json()["code"]) == (404, 20404)
    wrong_auth = await agent.post(
        REST + f"/Calls/{second}.json", data={"Twiml": "<Response/>"}, auth=(ACCOUNT, "guess")
    )
    assert (wrong_auth.status_code, wrong_auth.json()["code"]) == (401, 20003)


async def test_a_caller_who_hung_up_before_the_accept_is_not_connected(
    agent: httpx.AsyncClient, runtime: Runtime, fake: FakeTwilio
) -> None:
    sid = await call_and_wait(agent, fake, MARIA)
    item_id = await item_of(runtime, sid)
    report = await runtime.router.run_once()
    assert (item_id,) == tuple(i for i, _ in report.offered)
    async with runtime.db.session() as s:  # the caller's status callback is lost, but the call is known to be over
        call = (await s.execute(select(Interaction).where(Interaction.external_id == sid))).scalar_one()
        call.payload = {**call.payload, "call_status": "completed"}
        await s.commit()
    refused = await agent.post(f"/desk/offers/{item_id}/accept")
    assert refused.status_code == 409
    assert "hung up" in refused.text
    assert fake.requests == []
    async with runtime.db.session(deferred=True) as s:
        item = await s.get(WorkItem, item_id)
        assert item is not None
        assert item.status is WorkItemStatus.offered
