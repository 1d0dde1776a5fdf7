"""The email channel end to end: the SMTP server, the HTTP raw-MIME door, the relay out, bounces and threading.

Mail goes in through the stdlib's smtplib (in a thread: the server runs on the test's loop) and comes out
through the platform's relay provider into an aiosmtpd sink the test runs, so both directions speak real SMTP.
"""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, counts, create_agency, create_citizen
from tests.support.servers import free_port
from townsquare.agencies.models import Agency
from townsquare.analytics.models import Touch
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.cases import service as cases
from townsquare.channels.email import SmtpRelayProvider, SmtpServer, smtp_reply
from townsquare.citizens.models import Identity
from townsquare.engagement import replies
from townsquare.interactions.models import (
    Attachment,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Interaction,
)
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.models import OutboxMessage, OutboxStatus
from townsquare.notify.providers import Envelope, PermanentFailure, Providers, RecordingProvider, TemporaryFailure
from townsquare.notify.rendering import Content
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

ROADS = "roads@city.example"
PARKS = "parks@city.example"
JANE = "jane@example.org"
TOKEN = "inbound-token-for-tests"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@dataclass
class Sink:
    """A local SMTP server standing in for the relay: keeps what it is given, refuses chosen recipients."""

    port: int = 0
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    loop = asyncio.get_running_loop()
    recorder = Sink()
    server = await loop.create_server(lambda: SMTP(recorder, hostname="sink.test", loop=loop), "127.0.0.1", 0)
    recorder.port = server.sockets[0].getsockname()[1]
    yield recorder
    server.close()
    await server.wait_closed()


@pytest.fixture
def settings(settings: Settings, sink: Sink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_port": 0,
            "smtp_host": "127.0.0.1",
            "email_inbound_token": TOKEN,
            "email_domain": "city.example",
            "max_attachment_bytes": 50_000,
            "smtp_max_message_bytes": 200_000,
            "smtp_relay_host": "127.0.0.1",
            "smtp_relay_port": sink.port,
            "smtp_relay_starttls": False,
        }
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    relay = SmtpRelayProvider(settings)
    rt = build_runtime(settings, providers=Providers(fallback=RecordingProvider(), by_channel={"email": relay}))
    yield rt
    await rt.bus.wait_idle()
    await rt.db.dispose()


@pytest.fixture
async def agencies(session: AsyncSession) -> None:
    await create_agency(session, slug="roads", name="Roads", contact=("email", ROADS))
    await create_agency(session, slug="parks", name="Parks", contact=("email", PARKS))
    await session.commit()


@pytest.fixture
async def smtp(runtime: Runtime, agencies: None) -> AsyncIterator[int]:
    """The platform's SMTP server on the test's loop; yields its port."""
    server = SmtpServer(runtime.settings, runtime.db, runtime.pipeline)
    await server.start()
    assert server.port
    yield server.port
    await server.stop()


def letter(
    text: str = "There is a deep pothole outside 12 Elm St.",
    *,
    subject: str = "Pothole on Elm St",
    sender: str = f"Jane Doe <{JANE}>",
    to: str = ROADS,
    message_id: str | None = "<first@example.org>",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg


def _send(port: int, raw: bytes, sender: str, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=30) as client:
        return client.sendmail(sender, recipients, raw)


async def send(
    port: int, msg: EmailMessage | bytes, *, sender: str = JANE, to: list[str] | None = None
) -> dict[str, tuple[int, bytes]]:
    """Deliver over SMTP with the standard library, as another mail server would."""
    raw = msg if isinstance(msg, bytes) else msg.as_bytes(policy=policy.SMTP)
    return await asyncio.to_thread(_send, port, raw, sender, to or [ROADS])


async def refused(port: int, msg: EmailMessage | bytes, **kw: Any) -> tuple[int, str]:
    """The SMTP code and text a delivery was refused with."""
    try:
        await send(port, msg, **kw)
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        error = exc.smtp_error  # bytes from smtplib; typed bytes | str
        return exc.smtp_code, error.decode() if isinstance(error, bytes) else error
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        return code, text.decode()
    raise AssertionError("the message was accepted")


async def fresh_counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.session(deferred=True) as s:
        return await counts(s)


async def inbound_email(runtime: Runtime, external_id: str) -> Interaction:
    async with runtime.db.session(deferred=True) as s:
        found = await s.execute(select(Interaction).where(Interaction.external_id == external_id))
        return found.scalar_one()


async def test_an_email_with_an_attachment_lands_on_the_citizens_timeline(
    smtp: int, runtime: Runtime, session: AsyncSession
) -> None:
    citizen = await create_citizen(session, name="Jane Doe", email=JANE)
    await session.commit()
    msg = letter()
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="pothole.png")
    assert await send(smtp, msg) == {}

    interaction = await inbound_email(runtime, "first@example.org")
    assert interaction.citizen_id == citizen.id
    assert interaction.direction is Direction.inbound
    assert interaction.body == "There is a deep pothole outside 12 Elm St."
    assert interaction.payload["subject"] == "Pothole on Elm St"
    assert interaction.payload["to"] == ROADS
    async with runtime.db.session(deferred=True) as s:
        files = list((await s.execute(select(Attachment))).scalars())
        item = (await s.execute(select(WorkItem))).scalar_one()
        roads = (await s.execute(select(Identity).where(Identity.value == JANE))).scalar_one()
    assert [(f.filename, f.content_type, f.size_bytes) for f in files] == [("pothole.png", "image/png", len(PNG))]
    assert files[0].sha256 is not None
    assert AttachmentStore(runtime.settings.attachments_dir).read(files[0].sha256) == PNG
    assert item.conversation_id == interaction.conversation_id
    assert interaction.identity_id == roads.id


async def _reply_and_deliver(runtime: Runtime, conversation_id: Any, text: str) -> Interaction:
    async with runtime.db.session() as s:
        result = await replies.reply(s, conversation_id=conversation_id, content=Content(text=text))
        await s.commit()
    assert await runtime.worker.drain() == 1
    async with runtime.db.session(deferred=True) as s:
        return await s.get_one(Interaction, uuid.UUID(result.interaction_id))


async def test_the_agents_reply_leaves_by_the_relay_and_the_answer_threads_back(
    smtp: int, runtime: Runtime, sink: Sink, session: AsyncSession
) -> None:
    citizen = await create_citizen(session, name="Jane Doe", email=JANE)
    agency = (await session.execute(select(Agency).where(Agency.slug == "roads"))).scalar_one()
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Pothole", channel="email", citizen_id=citizen.id
    )
    reference = case.reference
    await session.commit()
    first = letter(subject=f"Pothole on Elm St [{reference}]", References="<older@example.org>")
    await send(smtp, first)
    inbound = await inbound_email(runtime, "first@example.org")
    assert inbound.case_id == case.id

    out = await _reply_and_deliver(runtime, inbound.conversation_id, "Thank you.\n\nA crew will fill it this week.")

    assert len(sink.received) == 1
    mail_from, rcpt_tos, sent = sink.received[0]
    assert (mail_from, rcpt_tos) == (ROADS, [JANE])
    assert sent["From"].addresses[0].addr_spec == ROADS
    assert sent["To"] == JANE
    assert sent["Subject"] == f"Re: Pothole on Elm St [{reference}]"
    assert sent["In-Reply-To"] == "<first@example.org>"
    assert sent["References"] == "<older@example.org> <first@example.org>"
    assert sent["Auto-Submitted"] is None
    assert sent["Date"] is not None
    assert out.delivery_status is DeliveryStatus.sent
    assert sent["Message-ID"] == f"<{out.external_id}>"
    assert out.external_id is not None
    assert out.external_id.endswith("@city.example")
    text_part = sent.get_body(preferencelist=("plain",))
    html_part = sent.get_body(preferencelist=("html",))
    assert text_part is not None
    assert html_part is not None
    assert "A crew will fill it this week." in text_part.get_content()
    assert "Reply to this email to add to your request." in text_part.get_content()
    html = html_part.get_content()
    assert "<p>A crew will fill it this week.</p>" in html
    assert 'lang="en"' in html
    assert "Reply to this email to add to your request." in html

    # The agent closes the conversation; the person answers the reply, without the reference in the subject.
    async with runtime.db.session() as s:
        conversation = await s.get_one(Conversation, inbound.conversation_id)
        conversation.status = ConversationStatus.closed
        await s.commit()
    answer = letter(
        "It is still there, and getting deeper.",
        subject="Re: Pothole on Elm St",
        message_id="<answer@example.org>",
        In_Reply_To=sent["Message-ID"],
        References=f"<first@example.org> {sent['Message-ID']}",
    )
    await send(smtp, answer)
    threaded = await inbound_email(runtime, "answer@example.org")
    assert threaded.conversation_id == inbound.conversation_id
    assert threaded.case_id == case.id
    assert threaded.citizen_id == citizen.id

    # Without the threading headers the same words start a new conversation: the headers did the work.
    await send(smtp, letter("Another thing.", subject="Hello", message_id="<unthreaded@example.org>"))
    unthreaded = await inbound_email(runtime, "unthreaded@example.org")
    assert unthreaded.conversation_id != inbound.conversation_id


async def test_an_unknown_recipient_is_refused_with_550_and_nothing_is_stored(smtp: int, runtime: Runtime) -> None:
    before = await fresh_counts(runtime)
    code, text = await refused(smtp, letter(to="nobody@city.example"), to=["nobody@city.example"])
    assert (code, text) == (550, "5.1.1 No such mailbox here")
    assert await fresh_counts(runtime) == before


async def test_one_agency_recipient_among_unknown_ones_is_ingested_once(smtp: int, runtime: Runtime) -> None:
    refusals = await send(smtp, letter(), to=["nobody@city.example", ROADS, PARKS])
    assert refusals == {"nobody@city.example": (550, b"5.1.1 No such mailbox here")}
    interaction = await inbound_email(runtime, "first@example.org")
    assert interaction.payload["to"] == ROADS
    async with runtime.db.session(deferred=True) as s:
        assert await count(s, Interaction) == 1
        assert await count(s, WorkItem) == 1


async def test_an_oversized_attachment_is_bounced_with_552_and_nothing_is_stored(smtp: int, runtime: Runtime) -> None:
    before = await fresh_counts(runtime)
    msg = letter()
    msg.add_attachment(b"x" * 60_000, maintype="application", subtype="pdf", filename="scan.pdf")
    code, text = await refused(smtp, msg)
    assert code == 552
    assert text.startswith("5.3.4 The attachment 'scan.pdf' is 60000 bytes; the limit is 50000.")
    assert await fresh_counts(runtime) == before


async def test_a_message_over_the_smtp_size_limit_is_refused_with_552(smtp: int, runtime: Runtime) -> None:
    before = await fresh_counts(runtime)
    msg = letter()
    msg.add_attachment(b"x" * 250_000, maintype="application", subtype="pdf", filename="scan.pdf")
    code, _ = await refused(smtp, msg)
    assert code == 552
    assert await fresh_counts(runtime) == before


async def test_a_forbidden_attachment_type_is_bounced_with_a_readable_reason(smtp: int, runtime: Runtime) -> None:
    before = await fresh_counts(runtime)
    msg = letter()
    msg.add_attachment(b"MZ", maintype="application", subtype="x-msdownload", filename="setup.exe")
    code, text = await refused(smtp, msg)
    assert code == 554
    assert text == "5.6.1 Attachments of type 'application/x-msdownload' are not accepted."
    assert await fresh_counts(runtime) == before


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            b"From: jane@example.org\r\nTo: roads@city.example\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\nthe parts never start\r\n",
            "MIME structure is broken",
        ),
        (b"To: roads@city.example\r\nSubject: hi\r\n\r\nwho am I?\r\n", "no From address"),
        (b"From: j\xff\xfe@exa\xffmple.org\r\nTo: roads@city.example\r\n\r\nhi\r\n", "not a valid email address"),
    ],
)
async def test_unreadable_mail_is_refused_with_a_clear_reason_and_nothing_stored(
    smtp: int, runtime: Runtime, raw: bytes, reason: str
) -> None:
    before = await fresh_counts(runtime)
    code, text = await refused(smtp, raw)
    assert code == 550
    assert text.startswith("5.6.0")
    assert reason in text
    assert await fresh_counts(runtime) == before


async def test_invalid_utf8_in_the_body_is_kept_with_replacement_characters(smtp: int, runtime: Runtime) -> None:
    raw = (
        b"From: jane@example.org\r\nTo: roads@city.example\r\nMessage-ID: <bytes@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nbroken \xff\xfe bytes\r\n"
    )
    await send(smtp, raw)
    assert (await inbound_email(runtime, "bytes@example.org")).body == "broken \ufffd\ufffd bytes"


async def test_an_out_of_office_is_recorded_but_opens_no_work(smtp: int, runtime: Runtime) -> None:
    await send(smtp, letter("I am away until Monday.", message_id="<ooo@example.org>", Auto_Submitted="auto-replied"))
    interaction = await inbound_email(runtime, "ooo@example.org")
    assert interaction.payload["automatic"] == "auto-submitted: auto-replied"
    async with runtime.db.session(deferred=True) as s:
        assert await count(s, WorkItem) == 0
        assert await count(s, Touch) == 0  # nor is it anybody's contact about a need


async def test_mail_from_the_null_sender_opens_no_work(smtp: int, runtime: Runtime) -> None:
    await send(smtp, letter("Your mailbox is almost full.", message_id="<null@example.org>"), sender="")
    assert (await inbound_email(runtime, "null@example.org")).payload["automatic"] == "empty envelope sender"
    async with runtime.db.session(deferred=True) as s:
        assert await count(s, WorkItem) == 0


def dsn(original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: roads@city.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; jane@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: roads@city.example\r\nTo: jane@example.org\r\nMessage-ID: {original_id}\r\n\r\n--B--\r\n"
    ).encode()


async def test_a_bounce_marks_the_outbound_reply_failed_and_records_nothing_else(
    smtp: int, runtime: Runtime, sink: Sink
) -> None:
    await send(smtp, letter())
    inbound = await inbound_email(runtime, "first@example.org")
    out = await _reply_and_deliver(runtime, inbound.conversation_id, "We are on it.")
    assert out.delivery_status is DeliveryStatus.sent
    before = await fresh_counts(runtime)

    await send(smtp, dsn(sink.received[0][2]["Message-ID"]), sender="")

    assert await fresh_counts(runtime) == before
    async with runtime.db.session(deferred=True) as s:
        assert (await s.get_one(Interaction, out.id)).delivery_status is DeliveryStatus.failed
        assert await count(s, WorkItem) == 1  # the first message's, untouched
    # A bounce about a message we never sent changes nothing and is not an error.
    await send(smtp, dsn("<someone-else@example.net>"), sender="")
    assert await fresh_counts(runtime) == before


async def test_a_case_reference_in_the_subject_threads_to_the_case(
    smtp: int, runtime: Runtime, session: AsyncSession
) -> None:
    parks = (await session.execute(select(Agency).where(Agency.slug == "parks"))).scalar_one()
    case = await cases.open_case(session, prefix="TS", agency_id=parks.id, title="Broken bench", channel="web")
    reference = case.reference
    await session.commit()
    await send(smtp, letter("Any news?", subject=f"About {reference.lower()}", message_id="<ref@example.org>"))
    interaction = await inbound_email(runtime, "ref@example.org")
    assert interaction.case_id == case.id
    async with runtime.db.session(deferred=True) as s:
        item = (await s.execute(select(WorkItem))).scalar_one()
    assert item.agency_id == parks.id  # the case's agency, not the mailbox's

    # An unknown reference does not fail the message: it is recorded without a case.
    stranger = "Sam <sam@example.net>"
    reply = await send(
        smtp, letter("Hi", subject="About TS-2026-999999", sender=stranger, message_id="<noref@example.org>")
    )
    assert reply == {}
    assert (await inbound_email(runtime, "noref@example.org")).case_id is None


async def test_the_same_message_id_twice_is_recorded_once(smtp: int, runtime: Runtime) -> None:
    await send(smtp, letter())
    await send(smtp, letter())
    async with runtime.db.session(deferred=True) as s:
        assert await count(s, Interaction) == 1
        assert await count(s, WorkItem) == 1


async def test_the_smtp_answer_names_the_case_reference(smtp: int, runtime: Runtime, session: AsyncSession) -> None:
    roads = (await session.execute(select(Agency).where(Agency.slug == "roads"))).scalar_one()
    case = await cases.open_case(session, prefix="TS", agency_id=roads.id, title="Pothole", channel="web")
    reference = case.reference
    await session.commit()

    def deliver() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", smtp, local_hostname="client.test", timeout=30) as client:
            client.ehlo()
            client.mail(JANE)
            client.rcpt(ROADS)
            return client.data(letter(subject=f"Re [{reference}]").as_bytes(policy=policy.SMTP))

    code, text = await asyncio.to_thread(deliver)
    assert (code, text.decode()) == (250, f"2.0.0 Received; your reference is {reference}")


# ---------------------------------------------------------------- the HTTP door for providers that POST raw MIME


async def test_http_inbound_needs_the_bearer_token(client: httpx.AsyncClient, runtime: Runtime, agencies: None) -> None:
    raw = letter().as_bytes()
    before = await fresh_counts(runtime)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = await client.post(
            "/channels/email/inbound", content=raw, headers={"Content-Type": "message/rfc822", **headers}
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert await fresh_counts(runtime) == before

    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}
    first = await client.post("/channels/email/inbound", content=raw, headers=auth)
    again = await client.post("/channels/email/inbound", content=raw, headers=auth)
    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["interaction_id"] == first.json()["interaction_id"]
    assert (await inbound_email(runtime, "first@example.org")).payload["to"] == ROADS


async def test_http_inbound_without_a_configured_token_is_refused(
    settings: Settings, runtime: Runtime, agencies: None
) -> None:
    app = create_app(settings.model_copy(update={"email_inbound_token": None}), runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await client.post(
            "/channels/email/inbound",
            content=letter().as_bytes(),
            headers={"Authorization": "Bearer ", "Content-Type": "message/rfc822"},
        )
    assert response.status_code == 403
    assert "not configured" in response.json()["detail"]


async def test_http_inbound_routes_by_the_envelope_recipient_or_the_headers(
    client: httpx.AsyncClient, runtime: Runtime, agencies: None
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"}
    forwarded = letter(to="Everyone <all@lists.city.example>", message_id="<fwd@example.org>", Delivered_To=PARKS)
    assert (await client.post("/channels/email/inbound", content=forwarded.as_bytes(), headers=auth)).status_code == 201
    assert (await inbound_email(runtime, "fwd@example.org")).payload["to"] == PARKS

    explicit = letter(message_id="<env@example.org>")
    url = f"/channels/email/inbound?recipient={PARKS.upper()}"
    assert (await client.post(url, content=explicit.as_bytes(), headers=auth)).status_code == 201
    assert (await inbound_email(runtime, "env@example.org")).payload["to"] == PARKS

    before = await fresh_counts(runtime)
    stranger = letter(to="someone@else.example", message_id="<stranger@example.org>")
    response = await client.post("/channels/email/inbound", content=stranger.as_bytes(), headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "recipient", "message": "not an agency address"}]
    response = await client.post(
        "/channels/email/inbound", content=b"{}", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 415
    assert await fresh_counts(runtime) == before


async def test_http_inbound_takes_the_raw_mime_field_of_sendgrid_and_mailgun_forms(
    client: httpx.AsyncClient, runtime: Runtime, agencies: None
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    sendgrid = letter(to="someone@else.example", message_id="<sg@example.org>").as_bytes().decode()
    envelope = '{"to": ["parks@city.example"], "from": "jane@example.org"}'
    response = await client.post(
        "/channels/email/inbound", data={"email": sendgrid, "envelope": envelope, "to": "x"}, headers=auth
    )
    assert response.status_code == 201, response.text
    assert (await inbound_email(runtime, "sg@example.org")).payload["to"] == PARKS

    mailgun = letter(message_id="<mg@example.org>").as_bytes()
    response = await client.post(
        "/channels/email/inbound",
        data={"recipient": ROADS},
        files={"body-mime": ("message.mime", mailgun, "message/rfc822")},
        headers=auth,
    )
    assert response.status_code == 201, response.text
    assert (await inbound_email(runtime, "mg@example.org")).payload["to"] == ROADS

    before = await fresh_counts(runtime)
    response = await client.post("/channels/email/inbound", data={"text": "parsed, not raw"}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert await fresh_counts(runtime) == before


async def test_http_inbound_answers_problems_for_bad_mail_and_takes_bounces(
    client: httpx.AsyncClient, runtime: Runtime, agencies: None
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"}
    before = await fresh_counts(runtime)
    no_from = b"To: roads@city.example\r\n\r\nhello\r\n"
    response = await client.post("/channels/email/inbound", content=no_from, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "The message has no From address, so there is nobody to answer."
    big = letter()
    big.add_attachment(b"x" * 60_000, maintype="image", subtype="png", filename="big.png")
    response = await client.post("/channels/email/inbound", content=big.as_bytes(), headers=auth)
    assert response.status_code == 413
    huge = letter("x" * 250_000).as_bytes()
    response = await client.post("/channels/email/inbound", content=huge, headers=auth)
    assert response.status_code == 413
    response = await client.post("/channels/email/inbound", content=dsn("<nothing@city.example>"), headers=auth)
    assert response.status_code == 200
    assert response.json() == {"bounce": True}
    assert await fresh_counts(runtime) == before


# ---------------------------------------------------------------- the relay's failures


async def test_the_relay_turns_a_refused_recipient_into_a_permanent_failure(settings: Settings, sink: Sink) -> None:
    sink.refuse["gone@example.org"] = "550 5.1.1 User unknown"
    sink.refuse["full@example.org"] = "452 4.2.2 Mailbox full"
    relay = SmtpRelayProvider(settings)
    payload = {"subject": "Hi", "text": "Hello", "html": "<p>Hello</p>", "from": ROADS}
    with pytest.raises(PermanentFailure):
        await relay.send(Envelope("email", "gone@example.org", payload, "interaction:1"))
    with pytest.raises(TemporaryFailure):
        await relay.send(Envelope("email", "full@example.org", payload, "interaction:2"))
    assert sink.received == []
    first = await relay.send(Envelope("email", JANE, payload, "interaction:3"))
    again = await relay.send(Envelope("email", JANE, payload, "interaction:3"))
    assert first == again  # one Message-ID per outbox row, so a retry is recognisably the same message
    assert sink.received[0][2]["From"].addresses[0].addr_spec == ROADS


async def test_an_unreachable_relay_is_a_temporary_failure(settings: Settings) -> None:
    closed_port = free_port()
    relay = SmtpRelayProvider(settings.model_copy(update={"smtp_relay_port": closed_port}), timeout=5)
    with pytest.raises(TemporaryFailure):
        await relay.send(Envelope("email", JANE, {"subject": "Hi", "text": "Hello"}, "interaction:1"))


async def test_a_dead_letter_after_a_refusal_marks_the_reply_failed(smtp: int, runtime: Runtime, sink: Sink) -> None:
    sink.refuse[JANE] = "550 5.1.1 User unknown"
    await send(smtp, letter())
    inbound = await inbound_email(runtime, "first@example.org")
    out = await _reply_and_deliver(runtime, inbound.conversation_id, "We are on it.")
    assert out.delivery_status is DeliveryStatus.failed
    async with runtime.db.session(deferred=True) as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
    assert row.status is OutboxStatus.dead


def test_smtp_replies_carry_no_line_breaks_or_foreign_bytes() -> None:
    assert smtp_reply("552 5.3.4", "The file 'a\r\nRCPT TO:<x>é.pdf' is big") == (
        "552 5.3.4 The file 'a??RCPT TO:<x>?.pdf' is big"
    )
