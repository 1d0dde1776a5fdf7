"""The simulator's phone plays Twilio over real HTTP against the platform's signed voice webhooks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.interactions.models import Attachment, Channel, Interaction, InteractionKind
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

CITY = "+16135550100"
MARIA = "+16135550123"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"simulator": True, "twilio_auth_token": "sim-token", "twilio_account_sid": "AC" + "2" * 32}
    )


@pytest.fixture
async def city(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works", contact=("voice", CITY))
    await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    await session.commit()


@pytest.fixture
async def sim(live_server: str, city: None) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        yield client


def says(verbs: list[dict[str, Any]]) -> str:
    found: list[str] = []
    for verb in verbs:
        if verb["verb"] == "Say":
            found.append(verb["text"])
        found.append(says(verb["children"]))
    return " ".join(t for t in found if t)


def first(verbs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(v for v in verbs if v["verb"] == name)


def phone(**extra: object) -> dict[str, object]:
    return {"from": MARIA, "to": CITY, **extra}


async def the_call(session: AsyncSession, sid: str) -> Interaction:
    await session.commit()
    session.expire_all()
    stmt = select(Interaction).where(Interaction.channel == Channel.voice, Interaction.external_id == sid)
    return (await session.execute(stmt)).scalar_one()


async def test_a_call_from_the_panel_greets_and_leaves_a_voicemail_with_the_demo_recording(
    sim: httpx.AsyncClient, live_server: str, session: AsyncSession
) -> None:
    assert CITY in (await sim.get("/simulator/voice/numbers")).json()["numbers"]
    started = await sim.post("/simulator/voice/calls", json=phone())
    assert started.status_code == 200, started.text
    sid = started.json()["call_sid"]
    assert re.fullmatch(r"CA[0-9a-f]{32}", sid)
    verbs = started.json()["verbs"]
    assert "Hello Maria Lopez" in says(verbs)
    gather = first(verbs, "Gather")
    assert gather["attrs"]["action"].startswith(live_server + "/channels/voice/twilio/choice")

    pressed = await sim.post(
        f"/simulator/voice/calls/{sid}/steps", json=phone(url=gather["attrs"]["action"], digits="3")
    )
    record = first(pressed.json()["verbs"], "Record")
    done = await sim.post(
        f"/simulator/voice/calls/{sid}/steps", json=phone(url=record["attrs"]["action"], record_seconds=4)
    )
    assert done.status_code == 200, done.text
    assert "Thank you" in says(done.json()["verbs"])
    assert first(done.json()["verbs"], "Hangup")

    await session.commit()
    stmt = select(Attachment).join(Interaction).where(Interaction.kind == InteractionKind.voicemail)
    attachment = (await session.execute(stmt)).scalar_one()
    assert attachment.source_url == live_server + "/static/simulator/voicemail.wav"
    wav = await sim.get("/static/simulator/voicemail.wav")
    assert wav.status_code == 200
    assert wav.content[:4] == b"RIFF"
    assert wav.content[8:12] == b"WAVE"

    ended = await sim.post(f"/simulator/voice/calls/{sid}/hangup", json=phone(duration=25))
    assert ended.status_code == 200
    interaction = await the_call(session, sid)
    assert interaction.duration_seconds == 25
    assert interaction.payload["outcome"] == "voicemail"


async def test_waiting_in_the_queue_hears_its_real_place_and_hanging_up_abandons(
    sim: httpx.AsyncClient, session: AsyncSession
) -> None:
    started = (await sim.post("/simulator/voice/calls", json=phone())).json()
    sid, gather = started["call_sid"], first(started["verbs"], "Gather")
    queued = await sim.post(
        f"/simulator/voice/calls/{sid}/steps", json=phone(url=gather["attrs"]["action"], speech="agent")
    )
    enqueue = first(queued.json()["verbs"], "Enqueue")
    assert enqueue["text"] == "townsquare-city-works"
    wait = await sim.post(
        f"/simulator/voice/calls/{sid}/steps",
        json=phone(url=enqueue["attrs"]["waitUrl"], waiting=True, queue_seconds=3),
    )
    assert "You are number 1 in line" in says(wait.json()["verbs"])
    left = await sim.post(
        f"/simulator/voice/calls/{sid}/steps", json=phone(url=enqueue["attrs"]["action"], queue_result="hangup")
    )
    assert left.status_code == 200
    assert (await sim.post(f"/simulator/voice/calls/{sid}/hangup", json=phone(duration=40))).status_code == 200
    interaction = await the_call(session, sid)
    assert interaction.payload["outcome"] == "abandoned"
    assert interaction.payload["menu_path"] == ["main", "0:agent"]
    assert interaction.duration_seconds == 40
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.kind == "call"


async def test_the_panel_only_calls_the_platforms_own_voice_webhooks(sim: httpx.AsyncClient) -> None:
    sid = "CA" + "0" * 32
    elsewhere = await sim.post(
        f"/simulator/voice/calls/{sid}/steps", json=phone(url="http://example.com/channels/voice/twilio")
    )
    assert elsewhere.status_code == 422
    bad_sid = await sim.post("/simulator/voice/calls/nope/hangup", json=phone(duration=1))
    assert bad_sid.status_code == 422


async def test_the_voice_panel_is_on_the_simulator_page(sim: httpx.AsyncClient) -> None:
    page = await sim.get("/simulator")
    assert page.status_code == 200
    assert 'id="voice-phone"' in page.text
    assert "/static/simulator/voice.js" in page.text
    assert (await sim.get("/static/simulator/voice.js")).status_code == 200
