"""Meta's webhook deliveries for tests, written out as Meta's documentation shows them, and signed as Meta signs them
(`X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret).

The shapes are the tests' own copies of Meta's examples (the WhatsApp Cloud API's `messages` webhook, Messenger's
and Instagram's `messaging` events), never built by the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from townsquare.app import Runtime
from townsquare.channels.meta_graph import GraphProvider
from townsquare.engagement.media import MediaFetcher
from townsquare.settings import Settings
from townsquare.web.simulator import graph_fake
from townsquare.web.simulator import meta as meta_panel
from townsquare.web.simulator.graph_fake import FakeGraph

APP_SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-meta-verify-token"
ACCESS_TOKEN = "test-meta-access-token"
PAGE_TOKEN = "test-meta-page-token"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "104560001234567"
INSTAGRAM_ID = "17841400000000001"
WA_ID = "16505551234"
PSID = "6789012345678901"
IGSID = "1234567890123456"
PATH = "/channels/meta/webhook"
TIMESTAMP = "1749416383"


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_meta(
    client: httpx.AsyncClient, payload: dict[str, Any] | bytes, *, secret: str = APP_SECRET, signed: str | None = None
) -> httpx.Response:
    """POST a delivery signed with `secret` (or with the given header value; "" sends none)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    header = signature(body, secret) if signed is None else signed
    headers = {"Content-Type": "application/json", **({"X-Hub-Signature-256": header} if header else {})}
    return await client.post(PATH, content=body, headers=headers)


def wamid() -> str:
    return "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQz" + uuid.uuid4().hex.upper() + "="


def whatsapp(
    *messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None, name: str = "Sheena Nelson"
) -> dict[str, Any]:
    """A `messages` webhook of the WhatsApp Cloud API, carrying `messages` (and `statuses`)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def wa_text(body: str, *, message_id: str | None = None, timestamp: str = TIMESTAMP) -> dict[str, Any]:
    return {"from": WA_ID, "id": message_id or wamid(), "timestamp": timestamp, "type": "text", "text": {"body": body}}


def wa_image(media_id: str, *, caption: str = "", mime_type: str = "image/jpeg") -> dict[str, Any]:
    image = {"mime_type": mime_type, "sha256": "d2lsbCBiZSBpZ25vcmVk", "id": media_id}
    if caption:
        image["caption"] = caption
    return {"from": WA_ID, "id": wamid(), "timestamp": TIMESTAMP, "type": "image", "image": image}


def wa_location(lat: float, long: float, *, name: str = "", address: str = "") -> dict[str, Any]:
    where: dict[str, Any] = {"latitude": lat, "longitude": long}
    where |= {"name": name} if name else {}
    where |= {"address": address} if address else {}
    return {"from": WA_ID, "id": wamid(), "timestamp": TIMESTAMP, "type": "location", "location": where}


def wa_status(message_id: str, status: str, *, code: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": message_id, "status": status, "timestamp": TIMESTAMP, "recipient_id": WA_ID}
    if code is not None:
        found["errors"] = [{"code": code, "title": "Re-engagement message"}]
    return found


def messaging(product: str, message: dict[str, Any], *, sender: str | None = None) -> dict[str, Any]:
    """A Messenger (`page`) or Instagram (`instagram`) webhook with one `message` event."""
    business = PAGE_ID if product == "page" else INSTAGRAM_ID
    who = sender or (PSID if product == "page" else IGSID)
    event = {"sender": {"id": who}, "recipient": {"id": business}, "timestamp": 1458692752478, "message": message}
    return {"object": product, "entry": [{"id": business, "time": 1458692752478, "messaging": [event]}]}


def mid() -> str:
    return "m_" + uuid.uuid4().hex


GRAPH_BASE = "http://graph.test/simulator/meta/graph"  # where the stand-in answers, reached in-process


def meta_settings(settings: Settings) -> Settings:
    """Settings with Meta's app secret, verify token, tokens and ids, the Graph API at the stand-in."""
    return settings.model_copy(
        update={
            "meta_app_secret": APP_SECRET,
            "meta_verify_token": VERIFY_TOKEN,
            "meta_access_token": ACCESS_TOKEN,
            "meta_page_access_token": PAGE_TOKEN,
            "meta_phone_number_id": PHONE_NUMBER_ID,
            "meta_page_id": PAGE_ID,
            "meta_graph_base_url": GRAPH_BASE,
        }
    )


def stand_in(runtime: Runtime, settings: Settings) -> FakeGraph:
    """The simulator's Graph API stand-in, served in-process; the runtime's provider and media fetcher reach it."""
    app = FastAPI()
    app.state.settings = settings
    fake = FakeGraph(settings)
    app.state.fake_graph = fake
    app.include_router(graph_fake.router, prefix="/simulator")
    app.include_router(meta_panel.router, prefix="/simulator")  # Messenger's files, without a token
    transport = httpx.ASGITransport(app=app)
    runtime.providers.by_channel["meta"] = GraphProvider(settings, transport=transport)
    fetcher = runtime.providers.by_channel["media"]
    assert isinstance(fetcher, MediaFetcher)
    fetcher.transport = transport
    return fake
