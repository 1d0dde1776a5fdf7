"""The outbound provider for Meta's channels (outbox channel `meta`): the Graph API's send endpoints.

WhatsApp: `POST {graph}/{phone-number-id}/messages` with `messaging_product: whatsapp`, a text or, after the
24-hour window, the approved template with the reply as its body parameter. Messenger and Instagram:
`POST {graph}/{page-id or me}/messages` with `recipient.id` and `messaging_type` (RESPONSE, or MESSAGE_TAG with
the HUMAN_AGENT tag). Failures are sorted for the outbox by Meta's error codes; nothing logs an id or a text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from townsquare.engagement.meta import external_id
from townsquare.engagement.social import Network, Way
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)
GRAPH_ID = re.compile(r"[0-9]{1,40}")
# Graph error codes worth another try later: throttling, a temporary outage, WhatsApp's rate and pair limits.
TEMPORARY_CODES = frozenset(
    {"1", "2", "4", "17", "32", "613", "80007", "130429", "131000", "131016", "131048", "131056"}
)


def graph_root(settings: Settings) -> str:
    """The Graph API's address with its version: `https://graph.facebook.com/v25.0`."""
    return f"{settings.meta_graph_base_url.rstrip('/')}/{settings.meta_graph_version}"


def configured(settings: Settings) -> bool:
    """Whether these settings hold a token to send with (else the recording provider keeps what would go)."""
    return bool(settings.meta_access_token or settings.meta_page_access_token)


def exact_account(value: str) -> str:
    """A WhatsApp business-scoped user id as Meta wrote it (`US.1349…`, `US.ENT.1182…`): the platform keeps social
    handles lower-cased, and the id's country code and ENT are capitals."""
    parts = value.split(".")
    return ".".join(p.upper() if i < len(parts) - 1 else p for i, p in enumerate(parts))


def _text(payload: dict[str, Any]) -> str:
    text = str(payload.get("text", ""))
    link = payload.get("link")
    return f"{text}\n{link}" if link else text


def whatsapp_body(envelope: Envelope) -> dict[str, Any]:
    """The Cloud API's JSON for a reply: a text, or the approved template with the reply as its body parameter."""
    to = envelope.recipient
    addressed = {"to": to} if to.isdigit() else {"recipient": exact_account(to)}  # a business-scoped user id
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", **addressed}
    payload = envelope.payload
    if payload.get("sent_as") == Way.template.value:
        parameter = {"type": "text", "text": str(payload.get("text", ""))}
        body["type"] = "template"
        body["template"] = {
            "name": str(payload.get("template", "")),
            "language": {"code": str(payload.get("language") or "en")},
            "components": [{"type": "body", "parameters": [parameter]}],
        }
        return body
    body["type"] = "text"
    body["text"] = {"preview_url": False, "body": _text(payload)}
    return body


def messenger_body(envelope: Envelope) -> dict[str, Any]:
    """The Send API's JSON for Messenger and Instagram: a response in the window, else tagged HUMAN_AGENT."""
    tag = envelope.payload.get("tag")
    body: dict[str, Any] = {
        "recipient": {"id": envelope.recipient},
        "messaging_type": "MESSAGE_TAG" if tag else "RESPONSE",
        "message": {"text": _text(envelope.payload)},
    }
    if tag:
        body["tag"] = str(tag)
    return body


class GraphProvider:
    """Sends replies on WhatsApp, Messenger and Instagram through the Graph API, with the deployment's tokens."""

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None, timeout_seconds: float = 15.0
    ) -> None:
        self.settings = settings
        self.root = graph_root(settings)
        self.transport = transport  # tests reach the simulator's stand-in in-process
        self.timeout = httpx.Timeout(timeout_seconds)

    def request(self, envelope: Envelope) -> tuple[Network, str, str, dict[str, Any]]:
        """The product, the URL, the token and the JSON body for this envelope."""
        try:
            network = Network(str(envelope.payload.get("network")))
        except ValueError:
            raise PermanentFailure("a meta message without its product (network)") from None
        s = self.settings
        if network is Network.whatsapp:
            sender = str(envelope.payload.get("from") or "")
            number = sender if GRAPH_ID.fullmatch(sender) else s.meta_phone_number_id
            if not number or not s.meta_access_token:
                raise PermanentFailure("no WhatsApp number or token: set TOWNSQUARE_META_PHONE_NUMBER_ID and _TOKEN")
            return network, f"{self.root}/{number}/messages", s.meta_access_token, whatsapp_body(envelope)
        token = s.meta_page_access_token or s.meta_access_token
        if not token:
            raise PermanentFailure("no Page token: set TOWNSQUARE_META_PAGE_ACCESS_TOKEN")
        page = s.meta_page_id if s.meta_page_id and GRAPH_ID.fullmatch(s.meta_page_id) else "me"
        return network, f"{self.root}/{page}/messages", token, messenger_body(envelope)

    async def send(self, envelope: Envelope) -> str:
        network, url, token, body = self.request(envelope)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                response = await client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"graph api unreachable: {type(exc).__name__}") from None
        code = error_code(response)
        if response.status_code == 429 or response.status_code >= 500 or code in TEMPORARY_CODES:
            raise TemporaryFailure(f"graph api answered {response.status_code} (code {code})")
        if response.status_code >= 400:
            said = f"a {network.value} message: http {response.status_code}, code {code}"
            log.warning("graph api refused %s", said)
            raise PermanentFailure(f"graph api refused {said}")
        sent = _message_id(response, network)
        if sent is None:
            raise TemporaryFailure(f"graph api answered {response.status_code} without a message id")
        return external_id(network, sent)


def _message_id(response: httpx.Response, network: Network) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if network is Network.whatsapp:
        messages = data.get("messages")
        first = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], dict) else {}
        found = first.get("id")
    else:
        found = data.get("message_id")
    return found if isinstance(found, str) and 0 < len(found) <= 200 else None


def error_code(response: httpx.Response) -> str:
    """The Graph API's numeric error code (`error.code`), never its message (it may quote the recipient)."""
    try:
        body = response.json()
    except ValueError:
        return "none"
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if isinstance(code, int | str) else "none"


def provider(settings: Settings) -> GraphProvider | None:
    """The outbound provider these settings configure, or None for the recording provider."""
    return GraphProvider(settings) if configured(settings) else None
