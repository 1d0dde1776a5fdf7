"""Every door hands a contact to the engagement flow exactly once and commits it once.

One SMS, one email, one chat message, one call step, one Open311 POST, one scanned letter, one message on each
of Meta's apps (WhatsApp, Messenger, Instagram), one Mastodon mention and one kiosk ticket are each watched: how
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
from tests.support import meta as meta_wire
from tests.support import scans
from tests.support.counters import make_office
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.channels.mastodon_poll import MastodonPoller
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
    return meta_wire.meta_settings(settings).model_copy(
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


@pytest.mark.usefixtures("city")
async def test_one_scanned_letter_is_one_flow_call_one_commit(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, _ = await staff.create_api_key(session, name="Scanning bureau", scope=ApiKeyScope.api)
    await session.commit()
    page = scans.typed(["Maria Lopez", "12 Elm Street", "Ottawa ON K1A 0B1", "", "The pothole is back."])
    files = {"file": ("letter.png", scans.png(page), "image/png")}
    for duplicate in (False, True):  # the same file again is answered from the record, by the flow
        with watching(runtime, monkeypatch) as watch:
            response = await client.post("/api/v1/mail", files=files, headers={"X-API-Key": key})
        assert response.status_code == (200 if duplicate else 201), response.text
        assert response.json()["duplicate"] is duplicate
        assert watch.was_one_contact(), watch
        # The letter's address is looked up once before the flow, to see whether someone of another name holds
        # it (then it is only proposed), and once by the flow.
        assert watch.identity_reads <= 2, watch


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


META_MESSAGES = {
    "whatsapp": lambda: meta_wire.whatsapp(meta_wire.wa_text("The streetlight on Elm St is out")),
    "messenger": lambda: meta_wire.messaging("page", {"mid": meta_wire.mid(), "text": "Is the pool open?"}),
    "instagram": lambda: meta_wire.messaging("instagram", {"mid": meta_wire.mid(), "text": "Is the pool open?"}),
}


@pytest.mark.usefixtures("city")
@pytest.mark.parametrize("product", sorted(META_MESSAGES))
async def test_one_meta_message_is_one_flow_call_one_commit_one_identity_read(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, product: str
) -> None:
    payload = META_MESSAGES[product]()
    with watching(runtime, monkeypatch) as watch:
        response = await meta_wire.post_meta(client, payload)
    assert response.status_code == 200, response.text
    assert response.json()["messages"] == 1
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch
    with watching(runtime, monkeypatch) as watch:  # Meta delivers it again: the record answers
        again = await meta_wire.post_meta(client, payload)
    assert again.json()["duplicates"] == 1
    assert watch.handled == ["social"]
    assert watch.identity_reads == 0, watch


@pytest.mark.usefixtures("city")
async def test_one_mastodon_mention_is_one_flow_call_one_commit_one_identity_read(
    settings: Settings, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    mention = {
        "id": "12",
        "type": "mention",
        "status": {
            "id": "34",
            "visibility": "public",
            "content": "<p>@city The streetlight on Elm St is out</p>",
            "account": {"id": "5", "acct": "maria@social.example"},
        },
    }

    def server(request: httpx.Request) -> httpx.Response:  # the first read finds nothing; the next, the mention
        return httpx.Response(200, json=[mention] if "min_id" in request.url.params else [])

    account = settings.model_copy(
        update={"mastodon_base_url": "https://social.example", "mastodon_access_token": "token"}
    )
    poller = MastodonPoller(account, runtime.db, runtime.pipeline, transport=httpx.MockTransport(server))
    await poller.run_once()
    with watching(runtime, monkeypatch) as watch:
        done = await poller.run_once()
    assert len(done.recorded) == 1
    assert watch.was_one_contact(), watch
    assert watch.identity_reads == 1, watch
