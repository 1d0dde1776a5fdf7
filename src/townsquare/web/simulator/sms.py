"""The simulator's SMS panel: a phone that texts the city, playing Twilio against the real SMS webhook.

`POST /simulator/sms/send` builds the form Twilio would send, signs it with the auth token exactly as Twilio
does and posts it over HTTP to the platform's public URL; the inbox lists what the platform texted back.
Demo mode only (the simulator router is not mounted otherwise).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from twilio.request_validator import RequestValidator

from townsquare.agencies import service as agencies
from townsquare.citizens import service as citizens
from townsquare.citizens.kinds import IdentityKind
from townsquare.db.engine import Database
from townsquare.engagement import sms as engagement_sms
from townsquare.errors import Problem, conflict
from townsquare.settings import Settings
from townsquare.web import times

router = APIRouter()
WEBHOOK_PATH = "/channels/sms/twilio"


class TextIn(BaseModel):
    """What the person types on the simulated phone."""

    from_number: str = Field(min_length=1, max_length=40)
    to_number: str = Field(min_length=1, max_length=40)
    body: str = Field(default="", max_length=25_000)


def twilio_form(settings: Settings, text: TextIn) -> dict[str, str]:
    """The form Twilio posts for an inbound SMS, field for field."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text.body,
        "To": text.to_number.strip(),
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": settings.twilio_account_sid or "",
        "From": text.from_number.strip(),
        "ApiVersion": "2010-04-01",
    }


@router.post("/sms/send")
async def send(request: Request, text: TextIn) -> Response:
    """Text the city as Twilio would deliver it; answers with the status and the TwiML the platform returned."""
    settings: Settings = request.app.state.settings
    if not settings.twilio_auth_token:
        raise conflict("Set TOWNSQUARE_TWILIO_AUTH_TOKEN: the simulator signs its requests with it, as Twilio does.")
    form = twilio_form(settings, text)
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
    except httpx.HTTPError:
        raise Problem(
            502, "Platform unreachable", f"Nothing answered at {url}; check TOWNSQUARE_PUBLIC_URL.", "bad-gateway"
        ) from None
    result: dict[str, Any] = {"status": response.status_code, "message_sid": form["MessageSid"]}
    if response.headers.get("content-type", "").startswith("application/xml"):
        result["twiml"] = response.text
    else:
        result["problem"] = response.json() if "json" in response.headers.get("content-type", "") else None
    return JSONResponse(result)


@router.get("/sms/inbox")
async def inbox(request: Request, number: str) -> Response:
    """What the platform texted to `number`: answers in TwiML and messages through the outbox, newest first."""
    settings: Settings = request.app.state.settings
    phone = citizens.normalise_phone(number[:40], region=settings.default_region)
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        texts = await engagement_sms.sent_to(session, phone=phone)
    messages = [
        {
            "id": t.id,
            "at": t.at.isoformat(),
            "when": times.when(t.at),  # as every page writes a time: the city's zone, one format
            "body": t.body,
            "status": t.status,
            "via": t.via,
            "from": t.sender,
        }
        for t in texts
    ]
    return JSONResponse({"number": phone, "messages": messages})


@router.get("/sms/numbers")
async def numbers(request: Request) -> Response:
    """The city's SMS numbers and a few residents' phones, to fill in the simulated phone."""
    db: Database = request.app.state.db
    async with db.session(deferred=True) as session:
        city = await agencies.contact_points(session, channel="sms")
        residents = await citizens.sample_contacts(session, kind=IdentityKind.phone)
    return JSONResponse(
        {
            "city": [{"number": n, "name": name} for n, name in city],
            "residents": [{"number": n, "name": name} for n, name in residents],
        }
    )
