"""Text that cannot be stored, on the provider doors: Twilio SMS and voice and email normalise it (their senders
cannot act on a refusal), the SMTP server and the email HTTP door refuse what cannot be read, and the chat socket
answers an `error` frame naming the field, or closes 1009/1007 for a frame too big or nested too deep.

Every refusal stores nothing, and nothing is ever logged with a traceback.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import uuid
from collections.abc import AsyncIterator, Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.factories import counts, create_agency, create_citizen
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.channels.email import SmtpServer
from townsquare.interactions.models import Attachment, Channel, Direction, Interaction
from townsquare.settings import Settings

CITY_SMS = "+16135550100"
CITY_VOICE = "+16135550101"
ROADS = "roads@city.example"
RESIDENT = "+16135551234"
TOKEN = "inbound-token-for-tests"
LONE = "\ud800"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "smtp_port": 0,
            "smtp_host": "127.0.0.1",
            "email_inbound_token": TOKEN,
            "email_domain": "city.example",
            "smtp_relay_host": None,
            "assistant_enabled": False,
        }
    )


@pytest.fixture
async def city(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works", contact=("sms", CITY_SMS))
    await create_agency(session, slug="roads", name="Roads", contact=("email", ROADS))
    await session.commit()


pytestmark = pytest.mark.usefixtures("no_tracebacks")


async def _counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.session(deferred=True) as s:
        return await counts(s)


async def _inbound(runtime: Runtime, channel: Channel) -> list[Interaction]:
    async with runtime.db.session(deferred=True) as s:
        stmt = select(Interaction).where(Interaction.channel == channel, Interaction.direction == Direction.inbound)
        return list((await s.execute(stmt)).scalars())


# ---------------------------------------------------------------- Twilio: normalised after the signature


def _sms(body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": RESIDENT,
        "To": CITY_SMS,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


@pytest.mark.usefixtures("city")
async def test_an_sms_with_nul_and_control_characters_is_kept_without_them(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await post_twilio(
        client, "/channels/sms/twilio", _sms("Pot\x00hole\x1b on Elm\r\nSt", FromCountry="C\x00A")
    )
    assert response.status_code == 200, response.text
    assert "<Message>" in response.text
    [stored] = await _inbound(runtime, Channel.sms)
    assert stored.body == "Pothole on Elm\r\nSt"
    assert stored.payload["from_country"] == "CA"


@pytest.mark.usefixtures("city")
async def test_an_sms_form_that_is_not_utf8_is_refused_before_anything_is_stored(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = await _counts(runtime)
    # A lone surrogate can only arrive UTF-8-encoded (ED A0 80), which is not UTF-8: the form is refused unread.
    response = await client.post(
        "/channels/sms/twilio",
        content=b"From=%2B16135551234&Body=%ED%A0%80",
        headers={"X-Twilio-Signature": "x", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert await _counts(runtime) == before


async def test_a_call_whose_fields_carry_nul_and_controls_is_answered_and_kept_clean(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    await create_agency(session, slug="city-works", contact=("voice", CITY_VOICE))
    await create_citizen(session, name="Maria Lopez", phone=RESIDENT, phone_verified=True)
    await session.commit()
    form = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": "+1613555\x001234",
        "To": CITY_VOICE,
        "CallStatus": "in-\x1bprogress",
        "Direction": "inbound",
    }
    response = await post_twilio(client, "/channels/voice/twilio", form)
    assert response.status_code == 200, response.text
    assert "Hello Maria Lopez" in response.text  # the number, once clean, is hers
    [call] = await _inbound(runtime, Channel.voice)
    assert call.payload["call_status"] == "in-progress"


# ---------------------------------------------------------------- email: the body normalised, the unreadable refused


def _letter(text: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jane Doe <jane@example.org>"
    msg["To"] = ROADS
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(text)
    return msg


def _raw(text: bytes, subject: str = "Pothole", charset: str = "utf-8") -> bytes:
    """A message whose text part holds exactly these bytes, in this charset."""
    head = (
        f"From: Jane Doe <jane@example.org>\r\nTo: {ROADS}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.org>\r\nContent-Type: text/plain; charset={charset}\r\n\r\n"
    )
    return head.encode() + text + b"\r\n"


# `+2AA-` is UTF-7 for a lone U+D800: in a text part it is normalised, in a header the email package cannot read it.
NUL_AND_CONTROL = b"Pot\x00hole\x1b on Elm"
UTF7_SURROGATE = b"Hole +2AA- here"
UTF7_SUBJECT = "=?utf-7?Q?Hole_+2AA-_here?="
EMAIL_HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}


@pytest.mark.usefixtures("city")
async def test_the_email_http_door_keeps_text_without_nul_controls_or_lone_surrogates(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    msg = _letter("See the photo")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", filename="../../etc/pass\x1bwd.png")
    for raw in (_raw(NUL_AND_CONTROL), _raw(UTF7_SURROGATE, charset="utf-7"), msg.as_bytes(policy=policy.SMTP)):
        response = await client.post("/channels/email/inbound", content=raw, headers=EMAIL_HEADERS)
        assert response.status_code == 201, response.text
    stored = sorted(await _inbound(runtime, Channel.email), key=lambda i: i.occurred_at)
    assert [i.body for i in stored] == ["Pothole on Elm", "Hole \ufffd here", "See the photo"]
    async with runtime.db.session(deferred=True) as s:
        names = (await s.execute(select(Attachment.filename))).scalars().all()
    assert names == ["passwd.png"]


@pytest.mark.usefixtures("city")
async def test_an_envelope_nested_too_deep_is_ignored_not_a_crash(client: httpx.AsyncClient, runtime: Runtime) -> None:
    form = {"email": _raw(b"A pothole").decode(), "envelope": "[" * 50_000}  # SendGrid's field, as JSON
    response = await client.post("/channels/email/inbound", data=form, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201, response.text  # the recipient comes from the headers instead
    assert [i.body for i in await _inbound(runtime, Channel.email)] == ["A pothole"]


@pytest.mark.usefixtures("city")
async def test_the_email_http_door_refuses_a_header_or_recipient_it_cannot_read(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = await _counts(runtime)
    header = await client.post("/channels/email/inbound", content=_raw(b"Hi", UTF7_SUBJECT), headers=EMAIL_HEADERS)
    assert header.status_code == 422, header.text
    assert header.json()["errors"][0]["field"] == "message"
    for recipient in ("roads\x00@city.example", "roads\x1b@city.example"):
        response = await client.post(
            "/channels/email/inbound", params={"recipient": recipient}, content=_raw(b"Hi"), headers=EMAIL_HEADERS
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "recipient"
    assert await _counts(runtime) == before


@pytest.fixture
async def smtp(runtime: Runtime, city: None) -> AsyncIterator[int]:
    server = SmtpServer(runtime.settings, runtime.db, runtime.pipeline)
    await server.start()
    assert server.port
    yield server.port
    await server.stop()


def _deliver(port: int, raw: bytes, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=30) as client:
        return client.sendmail("jane@example.org", recipients, raw)


async def test_the_smtp_server_keeps_clean_text_and_bounces_what_it_cannot_read(smtp: int, runtime: Runtime) -> None:
    assert await asyncio.to_thread(_deliver, smtp, _raw(NUL_AND_CONTROL), [ROADS]) == {}
    [stored] = await _inbound(runtime, Channel.email)
    assert stored.body == "Pothole on Elm"
    before = await _counts(runtime)
    with pytest.raises(smtplib.SMTPDataError) as bounced:
        await asyncio.to_thread(_deliver, smtp, _raw(b"Hi", UTF7_SUBJECT), [ROADS])
    assert bounced.value.smtp_code == 550
    assert b"cannot be read" in bounced.value.smtp_error
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await asyncio.to_thread(_deliver, smtp, _raw(b"Hi"), ["roads\x1b@city.example"])
    code, text = next(iter(refused.value.recipients.values()))
    assert code == 553
    assert b"cannot be read" in text
    assert await _counts(runtime) == before


# ---------------------------------------------------------------- the chat socket


@pytest.fixture
def chat(settings: Settings) -> Iterator[tuple[TestClient, Runtime]]:
    quiet = settings.model_copy(update={"smtp_port": None})
    runtime = build_runtime(quiet)
    with TestClient(create_app(quiet, runtime), base_url="http://testserver") as client:
        assert client.portal is not None
        client.portal.call(_agency, runtime)
        yield client, runtime


async def _agency(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        await s.commit()


def _chat_counts(client: TestClient, runtime: Runtime) -> dict[str, int]:
    assert client.portal is not None
    return client.portal.call(_counts, runtime)


def _message(text: str) -> str:
    return json.dumps({"type": "message", "client_id": str(uuid.uuid4()), "text": text})


def _connect(client: TestClient) -> Any:
    return client.websocket_connect("/channels/chat/ws", headers={"origin": "http://testserver"})


def _hello(socket: WebSocketTestSession) -> None:
    socket.send_json({"type": "hello"})
    assert socket.receive_json()["type"] == "welcome"


def test_chat_frames_with_text_that_cannot_be_stored_get_an_error_naming_the_field(
    chat: tuple[TestClient, Runtime],
) -> None:
    client, runtime = chat
    with _connect(client) as socket:
        _hello(socket)
        socket.send_text(_message("a first message"))
        assert socket.receive_json()["type"] == "ack"
        before = _chat_counts(client, runtime)
        for frame, field in [
            (_message("Pot\x00hole"), "text"),
            (_message(f"half {LONE} a pair"), "text"),
            (_message("colour \x1b[31m"), "text"),
            (json.dumps({"type": "verify_start", "kind": "phone", "value": "613\x00555"}), "value"),
        ]:
            socket.send_text(frame)
            error = socket.receive_json()
            assert (error["type"], error["code"], error["field"]) == ("error", "unreadable_text", field), error
            assert "contains" in error["detail"]
        socket.send_json({"type": "ping"})
        assert socket.receive_json() == {"type": "pong"}  # the socket stays open
    assert _chat_counts(client, runtime) == before


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("[" * 50_000, 1009),  # too big for a frame before it is even read
        ('{"type": "message", "text": ' + "[" * 100 + "]" * 100 + "}", 1007),  # small, but nested too deep
        (b'{"type": "ping", "x": "\xff"}', 1007),  # a binary frame that is not UTF-8
    ],
)
def test_chat_frames_too_big_or_too_deep_close_the_socket_with_its_code(
    chat: tuple[TestClient, Runtime], frame: str | bytes, code: int
) -> None:
    client, runtime = chat
    before = _chat_counts(client, runtime)
    with _connect(client) as socket:
        _hello(socket)
        if isinstance(frame, bytes):
            socket.send_bytes(frame)
        else:
            socket.send_text(frame)
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == code
    assert closed.value.reason
    assert _chat_counts(client, runtime) == before
