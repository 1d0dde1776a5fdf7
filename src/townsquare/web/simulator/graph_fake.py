"""A recording stand-in for Meta's Graph API, for the demo and the tests (no Meta app, nothing sent to Meta).

It speaks the Graph API's wire format under `/simulator/meta/graph/{version}/…`: the send endpoints of the WhatsApp
Cloud API (`{phone-number-id}/messages`) and of Messenger and Instagram (`me/messages`, `{page-id}/messages`) with
their JSON, bearer tokens and error bodies, and WhatsApp's media objects (`{media-id}`, whose `url` is fetched with
the same token). It keeps every request it is sent, which the simulator's Meta panel shows (the panel serves the
files Messenger and Instagram link to, without a token, as Meta's CDN does).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from townsquare.clock import utcnow
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

# The Graph API answers bearer tokens only (checked by each route, 401 with Graph's code 190).
router = APIRouter(prefix="/meta", dependencies=[Depends(declared(PROVIDER))])
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")


@dataclass
class Received:
    """One message the stand-in accepted, as the platform sent it."""

    at: datetime
    path: str
    product: str  # whatsapp, or messenger (Messenger and Instagram share the Send API)
    body: dict[str, Any]
    message_id: str
    recipient: str


@dataclass
class FakeGraph:
    """What the stand-in was asked and what it holds: every request, the messages it accepted, the files."""

    settings: Settings
    requests: list[dict[str, Any]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # webhooks the panel sent, and the answers

    def keep(self, data: bytes, content_type: str) -> str:
        """Hold a file a person sends (as Meta does until it is fetched); its media id."""
        media_id = str(secrets.randbelow(10**15) + 10**15)
        self.media[media_id] = (content_type, data)
        return media_id


def fake_of(request: Request) -> FakeGraph:
    """The app's stand-in for the Graph API, made on first use."""
    fake: FakeGraph | None = getattr(request.app.state, "fake_graph", None)
    if fake is None:
        fake = FakeGraph(request.app.state.settings)
        request.app.state.fake_graph = fake
    return fake


def error(status: int, code: int, message: str, kind: str = "OAuthException") -> Response:
    """An error as the Graph API writes it."""
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_urlsafe(8)}}
    return JSONResponse(body, status_code=status)


def _token_ok(request: Request, *tokens: str | None) -> bool:
    given = request.headers.get("authorization", "")
    return any(token and given == f"Bearer {token}" for token in tokens)


def _whatsapp(body: dict[str, Any]) -> str | None:
    """Why the Cloud API would refuse this message body, or None."""
    if not (isinstance(body.get("to"), str) or isinstance(body.get("recipient"), str)):
        return "(#100) The parameter to is required."
    kind = body.get("type")
    if kind == "text":
        text = body.get("text")
        ok = isinstance(text, dict) and isinstance(text.get("body"), str) and 0 < len(text["body"]) <= 4096
        return None if ok else "(#100) Invalid parameter: text.body"
    if kind == "template":
        template = body.get("template")
        language = template.get("language") if isinstance(template, dict) else None
        if not (isinstance(template, dict) and template.get("name") and isinstance(language, dict)):
            return "(#100) Invalid parameter: template"
        for component in template.get("components") or []:
            for parameter in component.get("parameters") or []:
                if "\n" in str(parameter.get("text", "")) or "\t" in str(parameter.get("text", "")):
                    return "(#132018) Param text cannot have new-line/tab characters"
        return None
    return "(#100) Invalid parameter: type"


def _messenger(body: dict[str, Any]) -> str | None:
    """Why the Send API would refuse this message body, or None."""
    recipient = body.get("recipient")
    if not (isinstance(recipient, dict) and isinstance(recipient.get("id"), str)):
        return "(#100) The parameter recipient is required"
    if body.get("messaging_type") not in MESSAGING_TYPES:
        return "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}"
    if body["messaging_type"] == "MESSAGE_TAG" and not body.get("tag"):
        return "(#100) Tag is required for MESSAGE_TAG messaging type"
    message = body.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not (isinstance(text, str) and 0 < len(text) <= 2000):
        return "(#100) Param message[text] must be a UTF-8 encoded string of at most 2000 characters"
    return None


@router.post("/graph/{version}/{node}/messages")
async def messages(request: Request, version: str, node: str) -> Response:
    """Send a message: WhatsApp's Cloud API (`messaging_product: whatsapp`), else Messenger's and Instagram's."""
    fake = fake_of(request)
    s = fake.settings
    try:
        body = await request.json()
    except ValueError:
        body = None
    fake.requests.append({"method": "POST", "path": request.url.path, "body": body})
    whatsapp = isinstance(body, dict) and body.get("messaging_product") == "whatsapp"
    tokens = (s.meta_access_token,) if whatsapp else (s.meta_page_access_token, s.meta_access_token)
    if not _token_ok(request, *tokens):
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    if not isinstance(body, dict):
        return error(400, 100, "(#100) The request body must be JSON", "GraphMethodException")
    problem = _whatsapp(body) if whatsapp else _messenger(body)
    if problem is not None:
        return error(400, 100, problem, "OAuthException")
    if whatsapp:
        wamid = "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()
        to = str(body.get("to") or body.get("recipient"))
        fake.received.append(Received(utcnow(), request.url.path, "whatsapp", body, wamid, to))
        return JSONResponse(
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": wamid}]}
        )
    mid = "m_" + secrets.token_urlsafe(24)
    recipient = str(body["recipient"]["id"])
    fake.received.append(Received(utcnow(), request.url.path, "messenger", body, mid, recipient))
    return JSONResponse({"recipient_id": recipient, "message_id": mid})


@router.get("/graph/{version}/{media_id}")
async def media_object(request: Request, version: str, media_id: str) -> Response:
    """A WhatsApp media object: where its file is (a URL fetched with the same token), its type, hash and size."""
    fake = fake_of(request)
    fake.requests.append({"method": "GET", "path": request.url.path, "body": None})
    if not _token_ok(request, fake.settings.meta_access_token):
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    held = fake.media.get(media_id)
    if held is None:
        said = f"Unsupported get request. Object with ID '{media_id[:20]}' does not exist"
        return error(400, 100, said, "GraphMethodException")
    content_type, data = held
    return JSONResponse(
        {
            "messaging_product": "whatsapp",
            "url": str(request.base_url).rstrip("/") + f"/simulator/meta/files/{media_id}",
            "mime_type": content_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_size": str(len(data)),
            "id": media_id,
        }
    )


@router.get("/files/{media_id}")
async def media_file(request: Request, media_id: str) -> Response:
    """A WhatsApp file's bytes, to the access token only, as Meta serves them."""
    fake = fake_of(request)
    if not _token_ok(request, fake.settings.meta_access_token):
        return error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    held = fake.media.get(media_id)
    if held is None:
        return Response(status_code=404)
    return Response(held[1], media_type=held[0])
