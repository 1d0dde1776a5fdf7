"""Call control on Twilio's REST API: the outbox's provider for the intents `engagement.connecting` writes.

Each intent becomes one POST in Twilio's wire format, basic-authenticated with the account, with the outbox's
idempotency key: the waiting caller's own call redirected into the work item's conference (`Calls/{sid}.json`,
`Twiml`), the agent's phone dialled into it (`Calls.json`), a participant held or taken off hold
(`Conferences/{sid}/Participants/{call}.json`, `Hold`, `HoldUrl`), a leg hung up (`Status=completed`), the
conference ended. Throttling, server errors and network trouble are retried; any other refusal (a call that
already ended: 404) is permanent. Errors carry Twilio's code, never a number.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from townsquare.channels import voice_conference as conf
from townsquare.channels.twilio_rest import API_VERSION, post_form
from townsquare.channels.voice_twiml import action_url
from townsquare.notify.providers import Envelope, PermanentFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)


class TwilioCallControl:
    """Sends call-control intents to `{TOWNSQUARE_TWILIO_API_BASE_URL}/2010-04-01/Accounts/{sid}/…`."""

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None, timeout: float = 15.0
    ) -> None:
        if not settings.twilio_account_sid or not settings.twilio_auth_token:
            raise ValueError("call control needs TOWNSQUARE_TWILIO_ACCOUNT_SID and TOWNSQUARE_TWILIO_AUTH_TOKEN")
        self.settings = settings
        self.account_sid = settings.twilio_account_sid
        self.auth_token = settings.twilio_auth_token
        self.base = f"{settings.twilio_api_base_url.rstrip('/')}/{API_VERSION}/Accounts/{self.account_sid}"
        self.transport = transport  # tests and the demo may hand it Twilio's stand-in in-process
        self.timeout = httpx.Timeout(timeout)

    def request(self, payload: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """The path (under the account) and form Twilio is sent for one intent."""
        s, action = self.settings, str(payload.get("action", ""))
        item = str(payload.get("item", ""))
        match action:
            case "bring_caller":
                twiml = conf.caller_into_conference(
                    s,
                    conference=str(payload["conference"]),
                    item=item,
                    lang=str(payload.get("lang", "en")),
                    agent=str(payload.get("agent", "")),
                    record=bool(payload.get("record")),
                )
                return f"/Calls/{payload['call_sid']}.json", {"Twiml": str(twiml)}
            case "dial_agent":
                label = str(payload.get("agent", ""))
                conference = str(payload["conference"])
                twiml = conf.agent_into_conference(s, conference=conference, item=item, label=label, announce=True)
                form = {"To": str(payload["to"]), "From": str(payload.get("caller_id") or s.twilio_from_number or "")}
                return "/Calls.json", {**form, "Twiml": str(twiml)}
            case "hold":
                path = f"/Conferences/{payload['conference_sid']}/Participants/{payload['call_sid']}.json"
                if payload.get("hold"):
                    music = action_url(s, "hold-music", lang="en")
                    return path, {"Hold": "true", "HoldUrl": music, "HoldMethod": "POST"}
                return path, {"Hold": "false"}
            case "drop":
                return f"/Calls/{payload['call_sid']}.json", {"Status": "completed"}
            case "end_conference":
                return f"/Conferences/{payload['conference_sid']}.json", {"Status": "completed"}
        raise PermanentFailure(f"unknown call-control action {action!r}")

    async def send(self, envelope: Envelope) -> str:
        try:
            path, form = self.request(envelope.payload)
        except KeyError as missing:
            raise PermanentFailure(f"a call-control intent without {missing}") from None
        response = await post_form(
            self.base + path,
            form,
            auth=(self.account_sid, self.auth_token),
            key=envelope.idempotency_key,
            limits=self.timeout,
            what="a call-control request",
            transport=self.transport,
        )
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        return str(sid or envelope.payload.get("action"))


def configured(settings: Settings) -> bool:
    """Whether call control can reach a Twilio REST API: an account, its token and a base URL."""
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_api_base_url)
