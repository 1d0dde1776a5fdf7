"""Every inbound door the platform has, as its provider calls it, signed as the provider signs: Twilio's SMS webhook
and a call's first webhook (`X-Twilio-Signature`), Meta's webhook (`X-Hub-Signature-256`), the email door (raw MIME,
bearer token), Open311 (`api_key`, with `Idempotency-Key` so that a retry is recognised) and the REST API
(`POST /api/v1/interactions`, bearer key).

Each contact carries the soak's marker (`counting.marker`) in its text, or, for a call, is known by its CallSid.
A retry sends the very same request: the same ids, so the platform can recognise it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlencode
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from .counting import Sent, marker
from .seed import MAILBOX, SERVICE_CODE, SMS_NUMBER

PEOPLE = 60  # senders per door: people write more than once, so conversations are found again, not only new
PHONE_NUMBER_ID = "106540352242922"


@dataclass(frozen=True)
class Secrets:
    """What the providers sign with and the integrations present (the same values the app processes are given)."""

    public_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    meta_app_secret: str
    email_token: str
    api_key: str
    open311_key: str


@dataclass(frozen=True)
class Webhook:
    """One contact as its door receives it (with Twilio's form, which a redirect sends again)."""

    sent: Sent
    door: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] | None = None


def phone(n: int) -> str:
    return f"+1613555{1000 + n % PEOPLE:04d}"


def _twilio(s: Secrets, path: str, form: dict[str, str]) -> tuple[dict[str, str], bytes]:
    signature = RequestValidator(s.twilio_auth_token).compute_signature(s.public_url + path, form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return headers, urlencode(form).encode()


def sms(s: Secrets, run: str, n: int) -> Webhook:
    key = marker(run, n)
    sid = "SM" + hashlib.sha256(key.encode()).hexdigest()[:32]
    form = {
        "MessageSid": sid,
        "AccountSid": s.twilio_account_sid,
        "From": phone(n),
        "To": SMS_NUMBER,
        "Body": f"The streetlight on my corner is out ({key})",
        "NumMedia": "0",
        "NumSegments": "1",
    }
    path = "/channels/sms/twilio"
    headers, body = _twilio(s, path, form)
    return Webhook(Sent(key, "sms", sid), "sms", path, headers, body)


def call(s: Secrets, run: str, n: int) -> Webhook:
    """A call's first webhook: recorded as a contact, known by its CallSid (a call has no text yet)."""
    key = marker(run, n)
    sid = "CA" + hashlib.sha256(key.encode()).hexdigest()[:32]
    form = {
        "CallSid": sid,
        "AccountSid": s.twilio_account_sid,
        "From": phone(n + 7),
        "To": SMS_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    path = "/channels/voice/twilio"
    headers, body = _twilio(s, path, form)
    return Webhook(Sent(key, "voice", sid), "voice", path, headers, body, form)


def held(s: Secrets, hook: Webhook, twiml: str) -> tuple[Webhook, float] | None:
    """What Twilio does next when a call's first webhook answers "one moment" (the platform could not record the
    call yet): after the pause, the same call's form to the URL of the `<Redirect>`, signed for it. None for any
    other answer (the menu: the call is recorded)."""
    if hook.form is None:
        return None
    try:
        root = ElementTree.fromstring(twiml)  # noqa: S314 - the platform's own TwiML, on loopback
    except ElementTree.ParseError:
        return None
    redirect, pause = root.find("Redirect"), root.find("Pause")
    url = (redirect.text or "") if redirect is not None else ""
    path = url.removeprefix(s.public_url)
    if pause is None or not path.startswith("/channels/voice/twilio?"):
        return None
    headers, body = _twilio(s, path, hook.form)
    return Webhook(hook.sent, hook.door, path, headers, body, hook.form), float(pause.get("length", "1"))


def whatsapp(s: Secrets, run: str, n: int) -> Webhook:
    key = marker(run, n)
    wa_id = f"1650555{2000 + n % PEOPLE:04d}"
    message = {
        "from": wa_id,
        "id": "wamid.SOAK" + hashlib.sha256(key.encode()).hexdigest()[:40].upper(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"There is rubbish all over the park ({key})"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": f"Resident {n % PEOPLE}"}, "wa_id": wa_id}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(s.meta_app_secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return Webhook(Sent(key, "social"), "whatsapp", "/channels/meta/webhook", headers, body)


def email(s: Secrets, run: str, n: int) -> Webhook:
    key = marker(run, n)
    mail = EmailMessage()
    mail["From"] = f"Resident {n % PEOPLE} <resident{n % PEOPLE}@example.org>"
    mail["To"] = MAILBOX
    mail["Subject"] = f"Missed bin collection ({key})"
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = make_msgid(idstring=key, domain="example.org")
    mail.set_content(f"Our bins were not collected this week. Reference {key}.\n")
    headers = {"Content-Type": "message/rfc822", "Authorization": f"Bearer {s.email_token}"}
    path = "/channels/email/inbound?" + urlencode({"recipient": MAILBOX})
    return Webhook(Sent(key, "email"), "email", path, headers, bytes(mail))


def open311(s: Secrets, run: str, n: int) -> Webhook:
    key = marker(run, n)
    form = {
        "api_key": s.open311_key,
        "service_code": SERVICE_CODE,
        "lat": f"{43.60 + (n % 997) * 0.0001:.6f}",
        "long": f"{-79.45 + (n % 991) * 0.0001:.6f}",
        "description": f"Pothole by the bus stop ({key})",
        "email": f"reporter{n % PEOPLE}@example.org",
        "device_id": f"soak-device-{n % PEOPLE}",
    }
    # Open311 v2 has no id of the client's: a client that retries says which request it repeats (the header).
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Idempotency-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
    }
    return Webhook(Sent(key, "api"), "open311", "/open311/v2/requests.json", headers, urlencode(form).encode())


def rest(s: Secrets, run: str, n: int) -> Webhook:
    key = marker(run, n)
    body = {
        "channel": "web",
        "external_id": f"soak-form-{uuid.uuid5(uuid.NAMESPACE_URL, key)}",
        "from": {"kind": "email", "value": f"writer{n % PEOPLE}@example.org"},
        "subject": "A question about my taxes",
        "text": f"When is the second instalment due? ({key})",
    }
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {s.api_key}"}
    return Webhook(Sent(key, "web"), "rest", "/api/v1/interactions", headers, json.dumps(body).encode())


DOORS: tuple[Callable[[Secrets, str, int], Webhook], ...] = (sms, call, whatsapp, email, open311, rest)


def webhook(s: Secrets, run: str, n: int) -> Webhook:
    """Contact `n` of the burst: the doors take turns."""
    return DOORS[n % len(DOORS)](s, run, n)
