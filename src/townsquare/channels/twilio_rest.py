"""The outbound SMS provider for Twilio's REST API (or a gateway that speaks it): one POST per message.

Failures are sorted for the outbox: throttling, server errors and network trouble are temporary (retried),
any other refusal (a bad number, an unsubscribed recipient) is permanent. Errors carry Twilio's code, never
the number or the text.
"""

from __future__ import annotations

import logging

import httpx

from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)
API_VERSION = "2010-04-01"
STATUS_CALLBACK_PATH = "/channels/sms/twilio/status"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


async def post_form(
    url: str,
    form: dict[str, str],
    *,
    auth: tuple[str, str],
    key: str,
    limits: httpx.Timeout,
    what: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.Response:
    """POST a form to Twilio's REST API, idempotently; its answer when accepted, else the failure sorted for the
    outbox (throttling, server errors and the network: temporary; any other refusal: permanent, with its code)."""
    try:
        async with httpx.AsyncClient(timeout=limits, transport=transport) as client:
            response = await client.post(url, data=form, auth=auth, headers={IDEMPOTENCY_HEADER: key})
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"twilio unreachable: {type(exc).__name__}") from None
    code = error_code(response)
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryFailure(f"twilio answered {response.status_code} (code {code})")
    if response.status_code >= 400:
        log.warning("twilio refused %s: http %s, code %s", what, response.status_code, code)
        raise PermanentFailure(f"twilio refused {what}: http {response.status_code}, code {code}")
    return response


class TwilioRestProvider:
    """Sends SMS with `POST /2010-04-01/Accounts/{sid}/Messages.json`, basic-authenticated."""

    def __init__(self, settings: Settings, *, timeout_seconds: float = 15.0) -> None:
        if not settings.twilio_account_sid or not settings.twilio_auth_token:
            raise ValueError("Twilio REST needs TOWNSQUARE_TWILIO_ACCOUNT_SID and TOWNSQUARE_TWILIO_AUTH_TOKEN")
        self.account_sid = settings.twilio_account_sid
        self.auth_token = settings.twilio_auth_token
        self.from_number = settings.twilio_from_number
        self.messaging_service_sid = settings.twilio_messaging_service_sid
        base = settings.twilio_api_base_url.rstrip("/")
        self.url = f"{base}/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        self.status_callback = settings.public_url.rstrip("/") + STATUS_CALLBACK_PATH
        self.timeout = httpx.Timeout(timeout_seconds)

    def form(self, envelope: Envelope) -> dict[str, str]:
        """The form Twilio is sent for this envelope."""
        form = {
            "To": envelope.recipient,
            "Body": str(envelope.payload.get("body", "")),
            "StatusCallback": self.status_callback,
        }
        sender = envelope.payload.get("from") or self.from_number
        if sender:
            form["From"] = str(sender)
        elif self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        else:
            raise PermanentFailure("no sender: set TOWNSQUARE_TWILIO_FROM_NUMBER or a messaging service")
        return form

    async def send(self, envelope: Envelope) -> str:
        response = await post_form(
            self.url,
            self.form(envelope),
            auth=(self.account_sid, self.auth_token),
            key=envelope.idempotency_key,
            limits=self.timeout,
            what="an sms",
        )
        try:
            sid = response.json().get("sid")
        except ValueError:
            sid = None
        if not isinstance(sid, str) or not sid:
            raise TemporaryFailure(f"twilio answered {response.status_code} without a message sid")
        return sid


def error_code(response: httpx.Response) -> str:
    """Twilio's numeric error code from an error body (its `message` may quote the number, so not that)."""
    try:
        body = response.json()
    except ValueError:
        return "none"
    code = body.get("code") if isinstance(body, dict) else None
    return str(code) if isinstance(code, int | str) else "none"


def configured(settings: Settings) -> bool:
    """Whether these settings describe a real sender: account, token, and a number or messaging service."""
    return bool(
        settings.twilio_account_sid
        and settings.twilio_auth_token
        and settings.twilio_api_base_url
        and (settings.twilio_from_number or settings.twilio_messaging_service_sid)
    )
