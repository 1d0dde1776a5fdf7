"""Email: an SMTP server for agency addresses, an HTTP endpoint for raw forwarded mail, and the SMTP relay.

The adapter reads raw MIME (`channels/mime.py`) and hands it to the pipeline; bounces only mark our outbound
message failed. It answers in SMTP (a 5xx the sending server turns into a bounce to the person, a 4xx it
retries) or in RFC 9457 problems. Logs name outcomes and ids, never addresses or what was written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import logging
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from aiosmtpd.smtp import Session as SmtpSession
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from townsquare.channels import mime
from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.engagement import mail
from townsquare.engagement.messages import Outcome
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, forbidden, invalid, too_large
from townsquare.hygiene import load_json, unreadable
from townsquare.notify.providers import Envelope, PermanentFailure, Provider, TemporaryFailure
from townsquare.notify.rendering import no_subject
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# The provider's signature (or the email door's token) is checked by each route before anything is read.
router = APIRouter(prefix="/channels/email", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
RAW_TYPES = {"message/rfc822", "text/plain", "application/octet-stream"}
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
FOOTERS = {
    "en": "Reply to this email to add to your request.",
    "fr": "Répondez à ce courriel pour compléter votre demande.",
}
FOOTER = FOOTERS["en"]
UNSUBSCRIBE = {"en": "Unsubscribe", "fr": "Se désabonner"}  # when the sender gave no words for the link
BRAND = "Townsquare"
# A Problem's status as the SMTP reply that makes the sending server bounce the message to the person.
SMTP_REFUSALS = {413: "552 5.3.4", 415: "554 5.6.1", 422: "550 5.6.0"}


async def receive(
    db: Database, pipeline: Pipeline, raw: bytes, *, recipient: str, envelope_sender: str | None = None
) -> Outcome | None:
    """Read one message delivered to an agency address and hand it to the flow (one commit); None for a bounce."""
    parsed = await asyncio.to_thread(mime.parse, raw, recipient=recipient, envelope_sender=envelope_sender)
    async with db.session() as session:
        if parsed.bounce is not None:
            if parsed.bounce.failed:
                await mail.mark_bounced(session, message_ids=parsed.bounce.message_ids)
            await session.commit()
            return None
        assert parsed.message is not None
        outcome = await pipeline.handle(session, parsed.message)
        await session.commit()
        return outcome


# ---------------------------------------------------------------- HTTP inbound (providers that POST raw MIME)


def _check_token(request: Request, settings: Settings) -> None:
    if not settings.email_inbound_token:
        raise forbidden("This endpoint is not configured: set TOWNSQUARE_EMAIL_INBOUND_TOKEN to accept mail here.")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.email_inbound_token.encode()
    ):
        raise forbidden("The Authorization bearer token is missing or wrong.")


@router.post(
    "/inbound",
    status_code=201,
    responses={200: {"description": "Already received under this Message-ID"}},
    openapi_extra={"requestBody": {"content": {t: {"schema": {"type": "string"}} for t in sorted(RAW_TYPES)}}},
)
async def inbound(
    request: Request,
    recipient: str | None = Query(default=None, description="The envelope recipient (an agency address)"),
) -> Response:
    """A raw RFC 5322 message as the body (Mailgun, SendGrid Inbound Parse, Postmark raw MIME); bearer token."""
    settings: Settings = request.app.state.settings
    _check_token(request, settings)
    raw, envelope_to = await _raw_message(request)
    recipient = recipient or envelope_to
    if recipient is not None and (why := unreadable(recipient)) is not None:
        raise invalid(f"The recipient address {why}, so it cannot be read.", FieldError("recipient", why))
    if len(raw) > settings.smtp_max_message_bytes:
        raise too_large(f"The message is {len(raw)} bytes; the limit is {settings.smtp_max_message_bytes}.")
    if not raw.strip():
        raise invalid("The request body is empty; send the raw message.", FieldError("body", "empty"))
    db: Database = request.app.state.db
    candidates = (
        [recipient]
        if recipient is not None
        else mime.addresses(await asyncio.to_thread(mime.read, raw), *RECIPIENT_HEADERS)
    )
    async with db.session(deferred=True) as session:  # a read; the pipeline writes in its own transaction
        mailbox = await mail.agency_mailbox(session, addresses=candidates)
    if mailbox is None:
        raise invalid(
            "No recipient of this message is an agency mailbox.", FieldError("recipient", "not an agency address")
        )
    result = await receive(db, request.app.state.pipeline, raw, recipient=mailbox)
    if result is None:
        return JSONResponse({"bounce": True}, status_code=200)
    return JSONResponse(_landed(result), status_code=200 if result.duplicate else 201)


def _landed(outcome: Outcome) -> dict[str, object]:
    """Where the message landed, for the provider's log (ids only, never what was written)."""
    fields = ("interaction_id", "citizen_id", "conversation_id", "case_id", "case_reference", "work_item_id")
    flags = ("duplicate", "citizen_created", "conversation_created")
    return {name: getattr(outcome, name) for name in (*fields, "identity_id", *flags)}


async def _raw_message(request: Request) -> tuple[bytes, str | None]:
    """The raw message and, if the provider said, the envelope recipient.

    Either the body itself, or a form's raw-MIME field: SendGrid Inbound Parse with "POST the raw, full MIME
    message" (`email`, with the envelope in `envelope`), Mailgun's forward to a URL ending in "mime"
    (`body-mime`, with `recipient`).
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in RAW_TYPES:
        return await request.body(), None
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_part_size=request.app.state.settings.smtp_max_message_bytes)
        for name in ("email", "body-mime"):
            value = form.get(name)
            if value is not None:
                raw = value.encode() if isinstance(value, str) else await value.read()
                return raw, _envelope_recipient(form.get("recipient"), form.get("envelope"))
        raise invalid("The form has no raw message field ('email' or 'body-mime').", FieldError("email", "missing"))
    raise Problem(
        415,
        "Unsupported media type",
        "Send the raw message as message/rfc822, text/plain or application/octet-stream, "
        "or as the 'email' or 'body-mime' field of a form.",
        "unsupported-media-type",
    )


def _envelope_recipient(recipient: object, envelope: object) -> str | None:
    if isinstance(recipient, str) and recipient.strip():
        return recipient.split(",")[0].strip()
    if isinstance(envelope, str):
        with contextlib.suppress(ValueError):
            parsed = load_json(envelope)  # a JsonRefused (too deep, not JSON) is a ValueError
            to = parsed.get("to") if isinstance(parsed, dict) else None
            if isinstance(to, list) and to and isinstance(to[0], str):
                return to[0]
    return None


# ---------------------------------------------------------------- the SMTP server


def smtp_reply(code: str, text: str) -> str:
    """One SMTP reply line: printable ASCII only (no CR/LF from a filename can inject a command), bounded."""
    safe = "".join(ch if " " <= ch <= "~" else "?" for ch in text)
    return f"{code} {safe[:400]}"


class _Handler:
    """aiosmtpd hooks: accept agency mailboxes only, ingest each message once."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, smtp: SMTP, session: SmtpSession, envelope: SmtpEnvelope, address: str, rcpt_options: list[str]
    ) -> str:
        if unreadable(address) is not None:  # NUL, controls or lone surrogates: no mailbox of ours, ever
            return "553 5.1.3 The recipient address holds characters that cannot be read"
        try:
            async with self.server.db.session(deferred=True) as db_session:
                mailbox = await mail.agency_mailbox(db_session, addresses=[address])
        except Exception as exc:
            log.error("smtp recipient check failed: %s", type(exc).__name__)
            return "451 4.3.0 Temporary failure; try again later"
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(mailbox)
        return "250 2.1.5 OK"

    async def handle_DATA(self, smtp: SMTP, session: SmtpSession, envelope: SmtpEnvelope) -> str:
        raw = envelope.original_content or b""
        try:
            result = await receive(
                self.server.db,
                self.server.pipeline,
                raw,
                recipient=envelope.rcpt_tos[0],
                envelope_sender=envelope.mail_from,
            )
        except Problem as problem:
            log.info("smtp message refused: %s %s", problem.status, problem.type_slug)
            return smtp_reply(SMTP_REFUSALS.get(problem.status, "550 5.7.1"), problem.detail)
        except Exception as exc:
            log.error("smtp message not accepted, sender will retry: %s", type(exc).__name__)
            return "451 4.3.0 Temporary failure; try again later"
        if result is None:
            return "250 2.0.0 Delivery report received"
        if result.case_reference:
            return smtp_reply("250 2.0.0", f"Received; your reference is {result.case_reference}")
        return "250 2.0.0 Received"


class SmtpServer:
    """The inbound SMTP server on TOWNSQUARE_SMTP_PORT, served on the app's own event loop.

    aiosmtpd's `Controller` would run a second loop in a thread, and the pipeline's async database engine
    must stay on the loop that created it; so the SMTP protocol is served with `loop.create_server`.
    """

    def __init__(self, settings: Settings, db: Database, pipeline: Pipeline) -> None:
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int | None:
        """The port actually listened on (TOWNSQUARE_SMTP_PORT=0 picks a free one)."""
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def _protocol(self) -> SMTP:
        return SMTP(
            _Handler(self),
            data_size_limit=self.settings.smtp_max_message_bytes,
            enable_SMTPUTF8=True,
            hostname=self.settings.mail_domain,
            ident="Townsquare ESMTP",
            loop=asyncio.get_running_loop(),
        )

    async def start(self) -> None:
        # aiosmtpd logs every command (MAIL FROM, RCPT TO: addresses) at INFO.
        logging.getLogger("mail.log").setLevel(max(logging.ERROR, logging.getLogger().level))
        loop = asyncio.get_running_loop()
        # reuse_port: every worker process of `townsquare serve --workers N` listens, and the kernel shares them out.
        self._server = await loop.create_server(
            self._protocol, host=self.settings.smtp_host, port=self.settings.smtp_port, reuse_port=True
        )
        log.info("smtp server listening on port %s", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


# ---------------------------------------------------------------- outbound: the SMTP relay


def outbound_message_id(settings: Settings, idempotency_key: str) -> str:
    """The Message-ID (without brackets) a reply leaves with: stable per outbox row, so a retry reuses it."""
    return f"ts-{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@{settings.mail_domain}"


def branded_html(
    body_html: str,
    *,
    subject: str,
    brand: str = BRAND,
    language: str = "en",
    unsubscribe: tuple[str, str] | None = None,
) -> str:
    """The reply's HTML inside a simple, accessible layout: the name on top, the body, the footer (with the
    unsubscribe link, as (words, url), when the email has one)."""
    title = html.escape(subject)
    lang = language if language in FOOTERS else "en"
    footer = html.escape(FOOTERS[lang])
    if unsubscribe is not None:
        words, url = unsubscribe
        footer += f'<br><a href="{html.escape(url)}" style="color:#1d4ed8;">{html.escape(words)}</a>'
    name = html.escape(brand)
    font = "font-family:Arial,Helvetica,sans-serif"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f4f6;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;">'
        '<tr><td align="center" style="padding:24px 12px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="max-width:600px;background:#ffffff;border:1px solid #d1d5db;">'
        f'<tr><td style="padding:16px 24px;background:#1e3a5f;color:#ffffff;{font};font-size:20px;font-weight:bold;">'
        f"{name}</td></tr>"
        f'<tr><td style="padding:24px;color:#111827;{font};font-size:16px;line-height:1.5;">{body_html}</td></tr>'
        f'<tr><td style="padding:16px 24px;border-top:1px solid #d1d5db;color:#374151;{font};font-size:14px;">'
        f"{footer}</td></tr>"
        "</table></td></tr></table></body></html>"
    )


def _bracketed(ids: list[str]) -> str:
    return " ".join(f"<{i}>" for i in ids)


def compose(settings: Settings, envelope: Envelope) -> EmailMessage:
    """The MIME message for an outbound email envelope: text and HTML alternatives, threading headers."""
    payload: dict[str, Any] = envelope.payload
    sender = str(payload.get("from") or settings.email_from_address or f"no-reply@{settings.mail_domain}")
    subject = str(payload.get("subject") or no_subject(str(payload.get("language") or "en")))
    text = str(payload.get("text") or "")
    body_html = str(payload.get("html") or "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p))
    msg = EmailMessage()
    msg["From"] = Address(display_name=BRAND, addr_spec=sender)
    msg["To"] = envelope.recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = f"<{outbound_message_id(settings, envelope.idempotency_key)}>"
    if payload.get("in_reply_to"):
        msg["In-Reply-To"] = f"<{payload['in_reply_to']}>"
    references = [str(r) for r in payload.get("references") or [] if r]
    if references:
        msg["References"] = _bracketed(references)
    if payload.get("auto_submitted"):  # notifications the platform sends on its own; never human replies
        msg["Auto-Submitted"] = "auto-generated"
    language = str(payload.get("language") or "en")
    footer = FOOTERS.get(language, FOOTER)
    link = str(payload.get("list_unsubscribe") or "")
    unsubscribe = None
    if link.startswith(("https://", "http://")):
        msg["List-Unsubscribe"] = f"<{link}>"  # RFC 2369: where the person turns this kind of email off
        if payload.get("list_unsubscribe_one_click"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: a POST there does it
        words = payload.get("unsubscribe_note") or UNSUBSCRIBE.get(language, UNSUBSCRIBE["en"])
        unsubscribe = (str(words), link)
        footer += f"\n{unsubscribe[0]}: {link}"
    msg.set_content(f"{text}\n\n-- \n{footer}\n{BRAND}\n")
    html_part = branded_html(body_html, subject=subject, language=language, unsubscribe=unsubscribe)
    msg.add_alternative(html_part, subtype="html")
    return msg


class SmtpRelayProvider:
    """Sends outbound email through TOWNSQUARE_SMTP_RELAY_HOST with aiosmtplib."""

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout

    async def send(self, envelope: Envelope) -> str:
        s = self.settings
        msg = compose(s, envelope)
        try:
            await aiosmtplib.send(
                msg,
                sender=str(msg["From"].addresses[0].addr_spec),
                recipients=[envelope.recipient],
                hostname=s.smtp_relay_host,
                port=s.smtp_relay_port,
                username=s.smtp_relay_username,
                password=s.smtp_relay_password,
                start_tls=s.smtp_relay_starttls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as exc:
            codes = (
                [r.code for r in exc.recipients] if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else [exc.code]
            )
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"the relay refused the message ({codes[0]})") from None
            raise TemporaryFailure(f"the relay deferred the message ({codes[0] if codes else '?'})") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"the relay is unavailable: {type(exc).__name__}") from None
        return outbound_message_id(s, envelope.idempotency_key)


def provider(settings: Settings) -> Provider | None:
    """The outbound email provider these settings configure, or None for the recording provider."""
    return SmtpRelayProvider(settings) if settings.smtp_relay_host else None
