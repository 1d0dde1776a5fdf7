"""Every door hands a contact to the engagement flow exactly once and commits it once.

One SMS, one email, one chat message, one call step, one Open311 POST and one kiosk ticket are each watched: how
many times `Pipeline.handle` ran, how many times the session it ran in committed, and how many statements read the
identities table (the person is looked up once, by the flow, never again by the door or a policy).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN, post_twilio
from tests.factories import create_agency, create_citizen, create_service
from tests.support.counters import make_office
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.engagement.messages import InboundMessage, Outcome
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope

CITY = "+16135550100"
PHONE = "+16135550142"
ROADS = "roads@city.example"
EMAIL_TOKEN = "email-door-token"
IDENTITY_READ = re.compile(r"\b(FROM|JOIN)\s+identities\b", re.IGNORECASE)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_account_sid": TWILIO_ACCOUNT,
            "email_inbound_token": EMAIL_TOKEN,
            "smtp_relay_host": None,
        }
    )


@dataclass
class Watch:
    handled: list[str] = field(default_factory=list)
    commits: int = 0
    identity_reads: int = 0

    def was_one_contact(self) -> bool:
        return len(self.handled) == 1 and self.commits == 1


@contextmanager
def watching(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    """Count the flow's calls, the commits of the sessions it ran in, and the identity reads meanwhile."""
    watch = Watch()
    pipeline = runtime.pipeline
    handle = pipeline.handle

    def committed(session: Any) -> None:
        if not session.in_nested_transaction():  # a savepoint's release is not a commit
            watch.commits += 1

    async def counted(session: AsyncSession, message: InboundMessage) -> Outcome:
        watch.handled.append(message.channel.value)
        if not event.contains(session.sync_session, "after_commit", committed):
            event.listen(session.sync_session, "after_commit", committed)
        return await handle(session, message)

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and IDENTITY_READ.search(sql):
            watch.identity_reads += 1

    monkeypatch.setattr(pipeline, "handle", counted)
    event.listen(runtime.db.engine.sync_engine, "before_cursor_execute", statement)
    try:
        yield watch
    finally:
        event.remove(runtime.db.engine.sync_engine, "before_cursor_execute", statement)
        monkeypatch.undo()


@pytest.fixture
async def city(session: AsyncSession) -> None:
    agency = await create_agency(session, slug="roads", name="Roads", contact=("sms", CITY))
    await create_service(session, agency=agency, code="POTHOLE", name="Pothole", open311=True)
    await create_agency(session, slug="streets", name="Streets", contact=("email", ROADS))
    await create_citizen(session, name="Maria Lopez", phone=PHONE, phone_verified=True, email="maria@example.org")
    await session.commit()


def sms(text: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "AccountSid": TWILIO_ACCOUNT, "From": PHONE, "To": CITY, "Body": text}


@pytest.mark.usefixtures("city")
@pytest.mark.parametrize("text", ["The streetlight on Elm St is out", "STOP", "HELP"])
async def test_one_sms_is_one_flow_call_one_commit_one_identity_read(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    with watching(runtime, monkeypatch) as watch:
        response = await post_twilio(client, "/channels/sms/twilio", sms(text))
    assert response.status_code == 200, response.text
    assert "<Message>" in response.text
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch


@pytest.mark.usefixtures("city")
async def test_a_redelivered_sms_is_one_flow_call_and_gets_the_same_answer(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = sms("The streetlight on Elm St is out")
    first = await post_twilio(client, "/channels/sms/twilio", form)
    with watching(runtime, monkeypatch) as watch:
        again = await post_twilio(client, "/channels/sms/twilio", form)
    assert again.text == first.text
    assert watch.handled == ["sms"]
    assert watch.identity_reads == 0, watch  # the record answers; nobody is looked up again


@pytest.mark.usefixtures("city")
async def test_one_email_is_one_flow_call_one_commit_one_identity_read(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = (
        f"From: Maria Lopez <maria@example.org>\r\nTo: {ROADS}\r\nSubject: Pothole\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "There is a deep pothole outside 12 Elm St.\r\n"
    ).encode()
    headers = {"Authorization": f"Bearer {EMAIL_TOKEN}", "Content-Type": "message/rfc822"}
    with watching(runtime, monkeypatch) as watch:
        response = await client.post(
            "/channels/email/inbound", content=raw, headers=headers, params={"recipient": ROADS}
        )
    assert response.status_code < 300, response.text
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch


@pytest.mark.usefixtures("city")
async def test_one_kiosk_ticket_is_one_flow_call_one_commit_one_identity_read(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = await make_office(session, clerks=0)
    await session.commit()
    form = {"service": place.permit.code, "phone": PHONE, "token": uuid.uuid4().hex, "lang": "en"}
    with watching(runtime, monkeypatch) as watch:
        response = await client.post(f"/kiosk/{place.office.slug}/tickets", data=form)
    assert response.status_code == 303, response.text
    assert watch.handled == ["counter"]
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch


VOICE_STEPS = ["/channels/voice/twilio"]


@pytest.mark.usefixtures("city")
async def test_a_call_step_is_one_flow_call_one_commit_one_identity_read(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": PHONE, "To": CITY}
    with watching(runtime, monkeypatch) as watch:
        response = await post_twilio(client, "/channels/voice/twilio", {**call, "CallStatus": "ringing"})
    assert response.status_code == 200, response.text
    assert "<Gather" in response.text
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch
    # What the caller says to the menu is a contact of its own, on the call's conversation.
    spoken = {**call, "CallStatus": "in-progress", "SpeechResult": "When is the green bin collected?"}
    with watching(runtime, monkeypatch) as watch:
        response = await post_twilio(client, "/channels/voice/twilio/choice?lang=en", spoken)
    assert response.status_code == 200, response.text
    assert "<Say" in response.text
    assert watch.was_one_contact(), watch
    assert watch.identity_reads <= 2, watch  # the caller of the call, the speaker of the words


@pytest.mark.usefixtures("city")
async def test_one_open311_post_is_one_flow_call_one_commit(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = await staff.create_api_key(session, name="Fix it app", scope=ApiKeyScope.open311)
    await session.commit()
    form = {
        "api_key": key,
        "service_code": "POTHOLE",
        "lat": "43.6535",
        "long": "-79.3841",
        "description": "A deep hole by the bus stop",
        "email": "maria@example.org",
    }
    with watching(runtime, monkeypatch) as watch:
        response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    assert watch.was_one_contact(), watch
    # Once to find the reporter, once more to plan how their new case's acknowledgement reaches them.
    assert watch.identity_reads == 2, watch


def test_one_chat_message_is_one_flow_call_one_commit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime), base_url="http://testserver") as client:
        assert client.portal is not None

        async def agency() -> None:
            async with runtime.db.session() as s:
                await create_agency(s)
                await s.commit()

        client.portal.call(agency)
        with client.websocket_connect("/channels/chat/ws", headers={"origin": "http://testserver"}) as ws:
            ws.send_json({"type": "hello", "token": None, "last_seen": None})
            assert ws.receive_json()["type"] == "welcome"
            with watching(runtime, monkeypatch) as watch:
                ws.send_json({"type": "message", "client_id": str(uuid.uuid4()), "text": "Is the pool open?"})
                assert ws.receive_json()["type"] == "ack"
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch
