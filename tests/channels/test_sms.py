"""SMS on Twilio's wire format: signed webhooks, keywords, status callbacks, the REST provider, read-more links."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN, post_twilio, twilio_signature
from tests.factories import count, counts, create_agency
from tests.support.db import fresh
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.channels import sms as sms_channel
from townsquare.channels.twilio_rest import TwilioRestProvider
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.engagement import links, replies
from townsquare.errors import Problem
from townsquare.events import DeliveryChanged, Event
from townsquare.interactions.models import Attachment, Channel, DeliveryStatus, Direction, Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.notify.rendering import Content, sms_encoding
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

CITY = "+16135550100"
RESIDENT = "+16135551234"
PATH = "/channels/sms/twilio"
STATUS_PATH = "/channels/sms/twilio/status"


def sms_form(
    body: str = "There is a pothole on Elm St", *, sid: str | None = None, frm: str = RESIDENT
) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_ACCOUNT,
        "From": frm,
        "To": CITY,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


@pytest.fixture
async def agency(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works", contact=("sms", CITY))
    await session.commit()


async def outbound(session: AsyncSession) -> list[Interaction]:
    await fresh(session)
    rows = await session.execute(select(Interaction).where(Interaction.direction == Direction.outbound))
    return list(rows.scalars())


async def identity(session: AsyncSession, phone: str = RESIDENT) -> Identity:
    await fresh(session)
    rows = await session.execute(select(Identity).where(Identity.kind == IdentityKind.phone, Identity.value == phone))
    return rows.scalar_one()


# Signatures


@pytest.mark.usefixtures("agency")
async def test_a_signed_first_message_is_recorded_queued_and_acknowledged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    form = sms_form()
    response = await post_twilio(client, PATH, form)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Message>Thanks, we have your message." in response.text
    await fresh(session)
    inbound = (
        await session.execute(select(Interaction).where(Interaction.direction == Direction.inbound))
    ).scalar_one()
    inbound_id = inbound.id
    assert inbound.channel is Channel.sms
    assert inbound.body == "There is a pothole on Elm St"
    assert inbound.payload["to"] == CITY
    assert inbound.payload["account_sid"] == TWILIO_ACCOUNT
    assert await count(session, WorkItem) == 1
    conversation_id = inbound.conversation_id
    [answer] = await outbound(session)
    # No article answers it, so the assistant handed it to a person with the usual acknowledgement.
    assert answer.payload["via"] == "assistant"
    assert answer.payload["handed_off"] is True
    assert answer.external_id == f"reply:{answer.payload['in_reply_to']}"
    assert answer.payload["in_reply_to"] == str(inbound_id)
    assert answer.delivery_status is DeliveryStatus.sent
    assert answer.conversation_id == conversation_id
    assert answer.body in response.text

    later = await post_twilio(client, PATH, sms_form("It is getting bigger"))
    assert later.status_code == 200
    assert "<Message>" not in later.text
    assert "<Response />" in later.text
    assert len(await outbound(session)) == 1


@pytest.mark.usefixtures("agency")
async def test_the_acknowledgement_names_the_case_a_message_quotes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session, slug="roads", name="Roads")
    case = await cases.open_case(session, prefix="TS", agency_id=works.id, title="Pothole", channel="web")
    await session.commit()
    response = await post_twilio(client, PATH, sms_form(f"About {case.reference}: still there"))
    assert f"about case {case.reference}" in response.text


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    "signature",
    [
        "",  # no header at all
        "bm90IGEgc2lnbmF0dXJl",  # not what Twilio would compute
        twilio_signature("http://elsewhere.example" + PATH, sms_form(sid="SMfixed")),  # signed for another URL
        twilio_signature("http://testserver" + PATH, sms_form(sid="SMfixed"), token="another-account-token"),
    ],
)
async def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession, signature: str
) -> None:
    before = await counts(await fresh(session))
    response = await post_twilio(client, PATH, sms_form(sid="SMfixed"), signature=signature)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert await counts(await fresh(session)) == before


@pytest.mark.usefixtures("agency")
async def test_a_signed_form_altered_after_signing_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    form = sms_form()
    signature = twilio_signature("http://testserver" + PATH, form)
    before = await counts(await fresh(session))
    response = await post_twilio(client, PATH, {**form, "Body": "something else"}, signature=signature)
    assert response.status_code == 403
    assert await counts(await fresh(session)) == before


@pytest.mark.usefixtures("agency")
async def test_the_same_message_sid_twice_is_recorded_once_with_the_same_answer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    form = sms_form(sid="SM" + "a" * 32)
    first = await post_twilio(client, PATH, form)
    second = await post_twilio(client, PATH, form)
    assert first.status_code == second.status_code == 200
    assert "<Message>" in first.text
    assert second.text == first.text
    await fresh(session)
    assert await count(session, Interaction, Interaction.direction == Direction.inbound) == 1
    assert await count(session, Interaction, Interaction.direction == Direction.outbound) == 1
    assert await count(session, WorkItem) == 1


@pytest.mark.usefixtures("agency")
async def test_sms_message_sid_is_accepted_when_message_sid_is_absent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    form = sms_form()
    form["SmsMessageSid"] = form.pop("MessageSid")
    assert (await post_twilio(client, PATH, form)).status_code == 200
    await fresh(session)
    found = await session.execute(select(Interaction.external_id).where(Interaction.direction == Direction.inbound))
    assert found.scalar_one() == form["SmsMessageSid"]


# Keywords


@pytest.mark.usefixtures("agency")
async def test_stop_opts_out_so_an_agent_reply_is_refused_and_start_allows_it_again(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await post_twilio(client, PATH, sms_form("My bin was not collected"))
    stop = await post_twilio(client, PATH, sms_form("  stop "))
    assert "no more text messages" in stop.text
    assert (await identity(session)).opted_out_at is not None
    conversation_id = (await outbound(session))[0].conversation_id
    async with runtime.db.session() as s:
        with pytest.raises(Problem) as refused:
            await replies.reply(s, conversation_id=conversation_id, content=Content("We are on it"))
        assert refused.value.status == 422
        assert "STOP" in refused.value.detail

    start = await post_twilio(client, PATH, sms_form("Start"))
    assert "back on" in start.text
    assert (await identity(session)).opted_out_at is None
    async with runtime.db.session() as s:
        result = await replies.reply(s, conversation_id=conversation_id, content=Content("We are on it"))
        await s.commit()
    assert result.channel is Channel.sms
    await fresh(session)
    assert await count(session, OutboxMessage, OutboxMessage.recipient == RESIDENT) == 1
    # The keywords are on the timeline but put nothing in front of a person.
    assert await count(session, WorkItem) == 1


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aide", "Services municipaux"),
        (" Aidé ", "Services municipaux"),
        ("HELP", "City services"),
        ("info", "City services"),
        ("arrêt", "Vous ne recevrez plus"),
        ("ARRET", "Vous ne recevrez plus"),
        ("Début", "réactivés"),
    ],
)
async def test_keywords_are_answered_in_their_language_and_open_no_work_item(
    client: httpx.AsyncClient, session: AsyncSession, text: str, expected: str
) -> None:
    response = await post_twilio(client, PATH, sms_form(text))
    assert response.status_code == 200
    assert expected in response.text
    await fresh(session)
    assert await count(session, Interaction, Interaction.direction == Direction.inbound) == 1
    assert await count(session, WorkItem) == 0
    [answer] = await outbound(session)
    assert expected in answer.body


@pytest.mark.usefixtures("agency")
async def test_a_keyword_inside_a_sentence_is_an_ordinary_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await post_twilio(client, PATH, sms_form("Please stop the noise on my street"))
    assert "Thanks, we have your message" in response.text
    assert (await identity(session)).opted_out_at is None
    assert await count(session, WorkItem) == 1


# Bad input


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    ("form", "polite"),
    [
        (sms_form(frm="VERIFY"), "this kind of number"),
        (sms_form(frm="12"), "this kind of number"),
        (sms_form(frm="55555"), "this kind of number"),
        (sms_form("x" * 20_001), "too long"),
        (
            {**sms_form(), "NumMedia": "11", **{f"MediaUrl{i}": f"https://api.twilio.com/m/{i}" for i in range(11)}},
            "at most 10",
        ),
        (
            {
                **sms_form(),
                "NumMedia": "1",
                "MediaUrl0": "https://api.twilio.com/m/0",
                "MediaContentType0": "application/x-msdownload",
            },
            "only accept photos",
        ),
    ],
)
async def test_messages_that_cannot_be_taken_get_a_polite_answer_and_store_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    form: dict[str, str],
    polite: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = await counts(await fresh(session))
    with caplog.at_level(logging.INFO, logger="townsquare"):
        response = await post_twilio(client, PATH, form)
    assert response.status_code == 200, response.text
    assert polite in response.text
    assert "<Message>Sorry" in response.text
    assert await counts(await fresh(session)) == before
    assert "sms not accepted" in caplog.text
    # The access line's duration ("12.4 ms") is a number too: leave it out before looking for the sender.
    lines = [re.sub(r"\b\d+\.\d ms\b", "<ms>", m) for m in caplog.messages]
    assert all(form["From"] not in line for line in lines)


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({k: v for k, v in sms_form().items() if k != "MessageSid"}, "MessageSid"),
        ({k: v for k, v in sms_form().items() if k != "From"}, "From"),
        ({**sms_form(), "From": "   "}, "From"),
        ({**sms_form(), "NumMedia": "two"}, "NumMedia"),
        ({**sms_form(), "NumMedia": "1"}, "MediaUrl0"),
        ({**sms_form(), "NumMedia": "1", "MediaUrl0": "file:///etc/passwd"}, "MediaUrl0"),
    ],
)
async def test_malformed_webhook_fields_are_a_422_problem_that_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession, form: dict[str, str], field: str
) -> None:
    before = await counts(await fresh(session))
    response = await post_twilio(client, PATH, form)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert await counts(await fresh(session)) == before


@pytest.mark.usefixtures("agency")
async def test_a_body_that_is_not_a_utf8_form_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    before = await counts(await fresh(session))
    signature = twilio_signature("http://testserver" + PATH, {})
    headers = {"X-Twilio-Signature": signature}
    not_utf8 = await client.post(
        PATH,
        content=b"From=%2B16135551234&Body=\xff\xfe",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code == 422
    as_json = await client.post(
        PATH, content=json.dumps(sms_form()), headers={**headers, "Content-Type": "application/json"}
    )
    assert as_json.status_code == 415
    assert await counts(await fresh(session)) == before


# Status callbacks


async def _sent_reply(client: httpx.AsyncClient, runtime: Runtime, text: str = "We fixed it") -> Interaction:
    """A citizen texts, an agent replies, the worker hands the reply to the (recording) provider."""
    await post_twilio(client, PATH, sms_form())
    async with runtime.db.session() as s:
        inbound = (
            await s.execute(select(Interaction).where(Interaction.direction == Direction.inbound).limit(1))
        ).scalar_one()
        result = await replies.reply(s, conversation_id=inbound.conversation_id, content=Content(text))
        await s.commit()
    await runtime.worker.drain()
    async with runtime.db.session(deferred=True) as s:
        return await s.get_one(Interaction, uuid.UUID(result.interaction_id))


@pytest.mark.usefixtures("agency")
async def test_status_callbacks_move_delivery_forward_only_and_publish_the_change(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    changes: list[Event] = []

    async def seen(event: Event) -> None:
        changes.append(event)

    runtime.bus.subscribe(DeliveryChanged, seen)
    reply = await _sent_reply(client, runtime)
    assert reply.delivery_status is DeliveryStatus.sent
    assert reply.external_id
    await runtime.bus.wait_idle()
    changes.clear()

    delivered = await post_twilio(client, STATUS_PATH, {"MessageSid": reply.external_id, "MessageStatus": "delivered"})
    assert delivered.status_code == 200
    await runtime.bus.wait_idle()
    assert [e.data for e in changes] == [{"interaction_id": str(reply.id), "status": "delivered"}]

    late = await post_twilio(client, STATUS_PATH, {"MessageSid": reply.external_id, "MessageStatus": "sent"})
    assert late.status_code == 200
    await runtime.bus.wait_idle()
    await fresh(session)
    again = await session.get_one(Interaction, reply.id)
    assert again.delivery_status is DeliveryStatus.delivered
    assert len(changes) == 1


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize("provider_status", ["undelivered", "failed"])
async def test_a_failed_delivery_marks_the_reply_failed_and_keeps_the_error_code(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, provider_status: str
) -> None:
    reply = await _sent_reply(client, runtime)
    form = {"MessageSid": str(reply.external_id), "MessageStatus": provider_status, "ErrorCode": "30003"}
    assert (await post_twilio(client, STATUS_PATH, form)).status_code == 200
    await fresh(session)
    failed = await session.get_one(Interaction, reply.id)
    assert failed.delivery_status is DeliveryStatus.failed
    assert failed.payload["error_code"] == "30003"
    assert failed.payload["rendered"]["body"] == "We fixed it"


@pytest.mark.usefixtures("agency")
async def test_a_status_callback_for_an_unknown_message_is_acknowledged_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    before = await counts(await fresh(session))
    with caplog.at_level(logging.INFO, logger="townsquare"):
        response = await post_twilio(client, STATUS_PATH, {"MessageSid": "SMunknown", "MessageStatus": "delivered"})
    assert response.status_code == 200
    assert "did not send" in caplog.text
    assert await counts(await fresh(session)) == before
    unsigned = await post_twilio(
        client, STATUS_PATH, {"MessageSid": "SMunknown", "MessageStatus": "delivered"}, signature=""
    )
    assert unsigned.status_code == 403
    bogus = await post_twilio(client, STATUS_PATH, {"MessageSid": "SMunknown", "MessageStatus": "exploded"})
    assert bogus.status_code == 422


# Long replies and the read-more page


@pytest.mark.usefixtures("agency")
async def test_a_long_agent_reply_is_shortened_with_a_link_to_a_page_showing_it(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings
) -> None:
    await post_twilio(client, PATH, sms_form("When is the property tax due?"))
    long_text = " ".join(f"Sentence number {i} about property tax instalments and how to pay them." for i in range(40))
    async with runtime.db.session() as s:
        inbound = (await s.execute(select(Interaction).where(Interaction.direction == Direction.inbound))).scalar_one()
        result = await replies.reply(
            s,
            conversation_id=inbound.conversation_id,
            content=Content(long_text),
            options=links.reply_options(settings),
        )
        await s.commit()
    body = result.rendered["body"]
    assert sms_encoding(body).segments <= settings.sms_max_segments
    link = body.rsplit("\n", 1)[1]
    assert link == links.message_url(settings, uuid.UUID(result.interaction_id))
    page = await client.get(link.removeprefix(settings.public_url))
    assert page.status_code == 200
    assert "Sentence number 0 about property tax" in page.text
    assert RESIDENT not in page.text
    assert page.headers["cache-control"] == "no-store"

    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert (await client.get(forged.removeprefix(settings.public_url))).status_code == 404
    inbound_token = links.sign_id(settings.secret_key, "message", inbound.id)  # a real token, but not for a reply
    assert (await client.get(f"/m/{inbound_token}")).status_code == 404
    assert (await client.get("/m/not-a-token")).status_code == 404


# The Twilio REST provider, against a local fake Twilio


@dataclass
class FakeTwilio:
    """A loopback HTTP server answering like Twilio's Messages API (and serving MMS media)."""

    status: int = 201
    body: dict[str, Any] = field(default_factory=lambda: {"sid": "SM" + "f" * 32, "status": "queued"})
    requests: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    url: str = ""


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            fake.requests.append(
                {
                    "path": self.path,
                    "form": {k: v[0] for k, v in parse_qs(raw).items()},
                    "headers": dict(self.headers.items()),
                }
            )
            payload = json.dumps(fake.body).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            fake.requests.append({"path": self.path, "headers": dict(self.headers.items())})
            if self.path not in fake.media:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content_type, data = fake.media[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def rest_settings(settings: Settings, base_url: str, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "twilio_api_base_url": base_url,
            "twilio_from_number": "+16135550999",
            "public_url": "https://city.example",
            **extra,
        }
    )


def envelope(**payload: Any) -> Envelope:
    return Envelope("sms", RESIDENT, {"body": "Your permit is ready", **payload}, "interaction:abc")


async def test_the_rest_provider_posts_the_message_to_twilio_and_returns_its_sid(
    settings: Settings, fake_twilio: FakeTwilio
) -> None:
    provider = sms_channel.provider(rest_settings(settings, fake_twilio.url))
    assert isinstance(provider, TwilioRestProvider)
    sid = await provider.send(envelope(**{"from": CITY}))
    assert sid == "SM" + "f" * 32
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Messages.json"
    assert request["form"] == {
        "To": RESIDENT,
        "From": CITY,
        "Body": "Your permit is ready",
        "StatusCallback": "https://city.example/channels/sms/twilio/status",
    }
    assert request["headers"]["I-Twilio-Idempotency-Token"] == "interaction:abc"
    assert request["headers"]["Authorization"] == httpx.BasicAuth(TWILIO_ACCOUNT, TWILIO_TOKEN)._auth_header


async def test_the_rest_provider_falls_back_to_the_default_number_then_the_messaging_service(
    settings: Settings, fake_twilio: FakeTwilio
) -> None:
    await TwilioRestProvider(rest_settings(settings, fake_twilio.url)).send(envelope())
    service = rest_settings(settings, fake_twilio.url, twilio_from_number=None, twilio_messaging_service_sid="MG123")
    await TwilioRestProvider(service).send(envelope())
    assert fake_twilio.requests[0]["form"]["From"] == "+16135550999"
    assert fake_twilio.requests[1]["form"]["MessagingServiceSid"] == "MG123"
    assert "From" not in fake_twilio.requests[1]["form"]


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        (400, {"code": 21211, "message": "The 'To' number is not a valid phone number."}, PermanentFailure),
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, PermanentFailure),
        (401, {"code": 20003, "message": "Authenticate"}, PermanentFailure),
        (429, {"code": 20429, "message": "Too Many Requests"}, TemporaryFailure),
        (500, {"code": 20500, "message": "Internal Server Error"}, TemporaryFailure),
        (503, {"message": "Service Unavailable"}, TemporaryFailure),
        (201, {"status": "queued"}, TemporaryFailure),  # accepted without an id: retried under the same key
    ],
)
async def test_the_rest_provider_sorts_twilio_errors_into_permanent_and_temporary(
    settings: Settings, fake_twilio: FakeTwilio, status: int, body: dict[str, Any], failure: type[Exception]
) -> None:
    fake_twilio.status, fake_twilio.body = status, body
    with pytest.raises(failure) as raised:
        await TwilioRestProvider(rest_settings(settings, fake_twilio.url)).send(envelope())
    assert RESIDENT not in str(raised.value)
    if "code" in body:
        assert str(body["code"]) in str(raised.value)


async def test_an_unreachable_twilio_is_a_temporary_failure(settings: Settings, fake_twilio: FakeTwilio) -> None:
    provider = TwilioRestProvider(rest_settings(settings, "http://127.0.0.1:9"))
    with pytest.raises(TemporaryFailure):
        await provider.send(envelope())


def test_only_a_complete_twilio_configuration_replaces_the_recording_provider(settings: Settings) -> None:
    assert sms_channel.provider(settings) is None  # account and token, but nothing to send from
    assert sms_channel.provider(settings.model_copy(update={"twilio_from_number": "+16135550999"})) is not None
    assert sms_channel.provider(settings.model_copy(update={"twilio_messaging_service_sid": "MG1"})) is not None
    no_token = settings.model_copy(update={"twilio_auth_token": None, "twilio_from_number": "+16135550999"})
    assert sms_channel.provider(no_token) is None


# MMS media


@pytest.mark.usefixtures("agency")
async def test_mms_media_is_recorded_and_copied_into_attachment_storage(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, fake_twilio: FakeTwilio
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"pothole" * 100
    fake_twilio.media["/media/ok"] = ("image/png", png)
    fake_twilio.media["/media/exe"] = ("application/x-msdownload", png)  # declared a photo, served a program
    form = {
        **sms_form("Photo of the pothole"),
        "NumMedia": "3",
        "MediaUrl0": fake_twilio.url + "/media/ok",
        "MediaContentType0": "image/png",
        "MediaUrl1": fake_twilio.url + "/media/missing",
        "MediaContentType1": "image/jpeg",
        "MediaUrl2": fake_twilio.url + "/media/exe",
        "MediaContentType2": "image/png",
    }
    response = await post_twilio(client, PATH, form)
    assert response.status_code == 200
    await runtime.worker.drain()
    await fresh(session)
    rows = (await session.execute(select(Attachment).order_by(Attachment.filename))).scalars().all()
    assert [a.filename for a in rows] == ["media-0.png", "media-1.jpg", "media-2.png"]
    ok, missing, program = rows
    assert ok.sha256 is not None
    assert ok.size_bytes == len(png)
    assert runtime.pipeline.store.read(ok.sha256) == png
    assert missing.sha256 is None
    assert missing.source_url == fake_twilio.url + "/media/missing"
    assert program.sha256 is None
    media_requests = [r for r in fake_twilio.requests if r["path"].startswith("/media/")]
    assert media_requests
    assert all(
        r["headers"]["Authorization"] == httpx.BasicAuth(TWILIO_ACCOUNT, TWILIO_TOKEN)._auth_header
        for r in media_requests
    )


@pytest.mark.usefixtures("agency")
async def test_media_over_the_size_limit_keeps_only_its_link(
    client: httpx.AsyncClient, settings: Settings, session: AsyncSession, runtime: Runtime, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.media["/media/big"] = ("image/jpeg", b"x" * (settings.max_attachment_bytes + 1))
    form = {
        **sms_form(),
        "NumMedia": "1",
        "MediaUrl0": fake_twilio.url + "/media/big",
        "MediaContentType0": "image/jpeg",
    }
    assert (await post_twilio(client, PATH, form)).status_code == 200
    await runtime.worker.drain()
    await fresh(session)
    attachment = (await session.execute(select(Attachment))).scalar_one()
    assert attachment.sha256 is None
    assert attachment.source_url == fake_twilio.url + "/media/big"
