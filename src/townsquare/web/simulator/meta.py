"""The simulator's Meta panel: a person on WhatsApp, Messenger or Instagram, playing Meta against the real webhook.

`POST /simulator/meta/send` writes the delivery Meta would send for a text, a photo or a shared location, in
Meta's exact format, signs it with the app secret as `X-Hub-Signature-256` and posts it over HTTP to the
platform's public URL; the page shows each delivery and the answer, and what the Graph API stand-in
(`graph_fake`) received from the platform, with buttons that send Meta's delivery and read receipts for it.
Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.clock import utcnow
from townsquare.errors import FieldError, Problem, conflict, invalid, too_large
from townsquare.settings import Settings
from townsquare.web.simulator.graph_fake import FakeGraph, fake_of
from townsquare.web.templating import templates

router = APIRouter()
WEBHOOK_PATH = "/channels/meta/webhook"
PRODUCTS = ("whatsapp", "messenger", "instagram")
WABA_ID = "102290129340398"  # the demo's WhatsApp Business Account
DISPLAY_NUMBER = "15550783881"
DEMO_NUMBER_ID = "106540352242922"  # used when TOWNSQUARE_META_PHONE_NUMBER_ID is not set
DEMO_PAGE_ID = "104560001234567"
DEMO_INSTAGRAM_ID = "17841400000000001"
Short = Annotated[str, Form(max_length=200)]


def _stamp() -> tuple[int, int]:
    now = utcnow().timestamp()
    return int(now), int(now * 1000)


def whatsapp_delivery(settings: Settings, account: str, name: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The Cloud API's `messages` webhook carrying `messages` from one WhatsApp user, as Meta sends it."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DISPLAY_NUMBER,
            "phone_number_id": settings.meta_phone_number_id or DEMO_NUMBER_ID,
        },
        "contacts": [{"profile": {"name": name or "WhatsApp user"}, "wa_id": account}],
        "messages": messages,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def whatsapp_message(account: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """One message of a WhatsApp delivery."""
    seconds, _ = _stamp()
    wamid = "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()
    return {"from": account, "id": wamid, "timestamp": str(seconds), "type": kind, kind: content}


def messaging_delivery(settings: Settings, product: str, account: str, message: dict[str, Any]) -> dict[str, Any]:
    """A Messenger (`page`) or Instagram (`instagram`) webhook with one message from one person, as Meta sends it."""
    _, millis = _stamp()
    business = (settings.meta_page_id or DEMO_PAGE_ID) if product == "messenger" else DEMO_INSTAGRAM_ID
    event = {"sender": {"id": account}, "recipient": {"id": business}, "timestamp": millis, "message": message}
    return {
        "object": "page" if product == "messenger" else "instagram",
        "entry": [{"id": business, "time": millis, "messaging": [event]}],
    }


async def post_signed(
    settings: Settings, payload: dict[str, Any], transport: httpx.AsyncBaseTransport | None = None
) -> httpx.Response:
    """Post a delivery to the platform's webhook, signed with the app secret exactly as Meta signs it."""
    if not settings.meta_app_secret:
        raise conflict("Set TOWNSQUARE_META_APP_SECRET: the simulator signs its deliveries with it, as Meta does.")
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(settings.meta_app_secret.encode(), body, hashlib.sha256).hexdigest()
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0), transport=transport) as client:
            return await client.post(url, content=body, headers=headers)
    except httpx.HTTPError:
        raise Problem(
            502, "Platform unreachable", f"Nothing answered at {url}; check TOWNSQUARE_PUBLIC_URL.", "bad-gateway"
        ) from None


def _point(lat: str, long: str) -> tuple[float, float] | None:
    if not lat.strip() and not long.strip():
        return None
    try:
        return float(lat), float(long)
    except ValueError:
        raise invalid("A location needs a latitude and a longitude.", FieldError("lat", "not a number")) from None


async def _photo(fake: FakeGraph, settings: Settings, image: UploadFile | None) -> tuple[str, str, bytes] | None:
    """The photo the person attached, held by the stand-in as Meta holds it: (media id, type, bytes)."""
    if image is None or not image.filename:
        return None
    data = await image.read(settings.max_attachment_bytes + 1)
    if len(data) > settings.max_attachment_bytes:
        raise too_large(f"The photo may be at most {settings.max_attachment_bytes} bytes.")
    content_type = image.content_type or "image/jpeg"
    return fake.keep(data, content_type), content_type, data


def _delivery(
    fake: FakeGraph,
    product: str,
    account: str,
    name: str,
    text: str,
    photo: tuple[str, str, bytes] | None,
    point: tuple[float, float] | None,
    place: str,
) -> dict[str, Any]:
    settings = fake.settings
    if product == "whatsapp":
        messages = []
        if photo is not None:
            media_id, content_type, data = photo
            sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
            image = {"caption": text, "mime_type": content_type, "sha256": sha, "id": media_id}
            messages.append(whatsapp_message(account, "image", {k: v for k, v in image.items() if v}))
        elif text:
            messages.append(whatsapp_message(account, "text", {"body": text}))
        if point is not None:
            where = {"latitude": point[0], "longitude": point[1], **({"name": place} if place else {})}
            messages.append(whatsapp_message(account, "location", where))
        return whatsapp_delivery(settings, account, name, messages)
    if point is not None:
        raise invalid(
            "Messenger and Instagram no longer send shared locations to businesses; use WhatsApp.",
            FieldError("lat", "not on this product"),
        )
    message: dict[str, Any] = {"mid": "m_" + secrets.token_urlsafe(24)}
    if text:
        message["text"] = text
    if photo is not None:
        url = settings.public_url.rstrip("/") + f"/simulator/meta/cdn/{photo[0]}"
        message["attachments"] = [{"type": "image", "payload": {"url": url}}]
    return messaging_delivery(settings, product, account, message)


@router.get("/meta", response_class=HTMLResponse)
async def panel(request: Request) -> Response:
    """The phone, the deliveries it sent and what the Graph API stand-in received, newest first."""
    fake = fake_of(request)
    context = {
        "deliveries": list(reversed(fake.deliveries[-20:])),
        "received": list(reversed(list(enumerate(fake.received))[-20:])),
        "configured": bool(fake.settings.meta_app_secret),
    }
    return templates.TemplateResponse(request, "simulator/meta.html", context)


@router.post("/meta/send")
async def send(
    request: Request,
    product: Short,
    account: Short,
    name: Short = "",
    text: Annotated[str, Form(max_length=5000)] = "",
    lat: Short = "",
    long: Short = "",
    place: Short = "",
    image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Write to the city as Meta delivers it: a text, a photo (with its caption), a shared location (WhatsApp)."""
    fake = fake_of(request)
    if product not in PRODUCTS:
        raise invalid("Choose WhatsApp, Messenger or Instagram.", FieldError("product", "unknown"))
    account = account.strip()
    if not account.replace(".", "").isalnum():
        raise invalid(
            "The account is a WhatsApp number (digits) or a Messenger or Instagram id.", FieldError("account", "bad")
        )
    point = _point(lat, long)
    photo = await _photo(fake, fake.settings, image)
    if not (text.strip() or photo or point):
        raise invalid("Write something, attach a photo or share a location.", FieldError("text", "empty"))
    payload = _delivery(fake, product, account, name.strip(), text.strip(), photo, point, place.strip())
    response = await post_signed(fake.settings, payload)
    fake.deliveries.append(
        {
            "at": utcnow(),
            "product": product,
            "payload": payload,
            "status": response.status_code,
            "answer": response.text[:2000],
        }
    )
    return RedirectResponse("/simulator/meta#deliveries", status_code=303)


@router.post("/meta/status")
async def status(request: Request, index: Annotated[int, Form(ge=0)], state: Short = "delivered") -> Response:
    """Meta's report on a message the platform sent: WhatsApp's `statuses` (delivered, read), Messenger's delivery."""
    fake = fake_of(request)
    if index >= len(fake.received) or state not in ("delivered", "read"):
        raise invalid("Choose a message the Graph API received, and delivered or read.", FieldError("index", "unknown"))
    sent = fake.received[index]
    seconds, millis = _stamp()
    if sent.product == "whatsapp":
        report = {"id": sent.message_id, "status": state, "timestamp": str(seconds), "recipient_id": sent.recipient}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": DISPLAY_NUMBER,
                "phone_number_id": fake.settings.meta_phone_number_id or DEMO_NUMBER_ID,
            },
            "statuses": [report],
        }
        payload: dict[str, Any] = {
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
        }
    else:
        page = fake.settings.meta_page_id or DEMO_PAGE_ID
        event = {
            "sender": {"id": sent.recipient},
            "recipient": {"id": page},
            "delivery": {"mids": [sent.message_id], "watermark": millis},
        }
        payload = {"object": "page", "entry": [{"id": page, "time": millis, "messaging": [event]}]}
    response = await post_signed(fake.settings, payload)
    fake.deliveries.append(
        {
            "at": utcnow(),
            "product": sent.product,
            "payload": payload,
            "status": response.status_code,
            "answer": response.text[:2000],
        }
    )
    return RedirectResponse("/simulator/meta#deliveries", status_code=303)


@router.get("/meta/cdn/{media_id}")
async def linked_file(request: Request, media_id: str) -> Response:
    """A file sent on Messenger or Instagram, at the address the webhook gave (no token, as Meta's CDN serves it)."""
    held = fake_of(request).media.get(media_id)
    if held is None:
        return Response(status_code=404)
    return Response(held[1], media_type=held[0])
