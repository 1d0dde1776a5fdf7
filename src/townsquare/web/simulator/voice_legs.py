"""Both ends of a connected call in the demo: the simulated caller following the platform's REST redirect into a
conference, and the agent's demo softphone, which plays Twilio's Voice SDK for the desk.

The caller's page asks whether Twilio was told to run new TwiML for its call (`redirect`), joins the conference
that TwiML dials (`conference`), and reads who it is connected to. The demo softphone hands over the access token
the desk minted; the stand-in checks it as Twilio would (signed with the API key's secret), then posts the
TwiML App's voice URL, signed, with the softphone's identity and parameters, and joins the conference the answer
dials. Demo only (the simulator's router), and it only ever calls the platform's own voice webhooks.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from twilio.jwt import Jwt, JwtDecodeError

from townsquare.errors import FieldError, conflict, forbidden, invalid, not_found
from townsquare.web.simulator.twilio_fake import Conference, conference_in, fake_of, verbs

router = APIRouter()
AGENT_PATH = "/channels/voice/twilio/agent"  # the TwiML App's voice URL


class Join(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    attrs: dict[str, str] = Field(default_factory=dict, max_length=40)


class Device(BaseModel):
    token: str = Field(min_length=1, max_length=4000)
    params: dict[str, str] = Field(default_factory=dict, max_length=10)


class Mute(BaseModel):
    muted: bool


def _sid(call_sid: str) -> str:
    if len(call_sid) != 34 or not call_sid.startswith("CA"):
        raise invalid("That is not a CallSid.", FieldError("call_sid", "CA followed by 32 hex digits"))
    return call_sid


def _view(conference: Conference | None, call_sid: str, ended: bool) -> dict[str, Any]:
    if conference is None:
        return {"conference": None, "with": [], "on_hold": False, "ended": ended}
    me = conference.participants.get(call_sid)
    others = [p.label for sid, p in conference.participants.items() if sid != call_sid and p.label]
    return {
        "conference": conference.name,
        "with": others,
        "on_hold": bool(me and me.hold),
        "ended": ended or conference.ended or me is None,
    }


@router.get("/voice/calls/{call_sid}/redirect")
async def redirect(request: Request, call_sid: str) -> dict[str, Any]:
    """New TwiML Twilio was told to run for this call (a REST redirect), if any: the call leaves what it was
    doing (the queue) for it."""
    twiml = fake_of(request).take_redirect(_sid(call_sid))
    return {"verbs": verbs(twiml) if twiml else None}


@router.post("/voice/calls/{call_sid}/conference")
async def join_conference(request: Request, call_sid: str, body: Join) -> dict[str, Any]:
    """The caller's `<Dial><Conference>`: into the conference, as Twilio reports it to the platform."""
    fake = fake_of(request)
    conference = await fake.join(_sid(call_sid), body.name, body.attrs)
    return _view(conference, call_sid, ended=False)


@router.get("/voice/calls/{call_sid}/conference")
async def conference_state(request: Request, call_sid: str) -> dict[str, Any]:
    """Who the caller is connected to, whether they are on hold, whether the conference ended."""
    fake = fake_of(request)
    call = fake.calls.get(_sid(call_sid))
    return _view(fake.conference_of(call_sid), call_sid, ended=call is None or call.status == "completed")


def _identity(request: Request, token: str) -> str:
    """The softphone's identity from its access token, checked as Twilio checks it: signed with the API key's
    secret (in the demo, the account's token) and granting calls out through a TwiML App."""
    settings = fake_of(request).settings
    try:
        decoded = Jwt.from_jwt(token, settings.twilio_auth_token or "")
    except JwtDecodeError:
        raise forbidden("The access token is not valid (Twilio answers 20101).") from None
    grants = decoded.payload.get("grants", {})
    identity = grants.get("identity") if isinstance(grants, dict) else None
    outgoing = grants.get("voice", {}).get("outgoing", {}) if isinstance(grants, dict) else {}
    if not isinstance(identity, str) or not outgoing.get("application_sid"):
        raise forbidden("The access token grants no outgoing voice calls.")
    return identity


@router.post("/twilio/devices/connect")
async def device_connect(request: Request, body: Device) -> dict[str, Any]:
    """`device.connect({params})`: a new leg from the softphone through the TwiML App's voice URL."""
    fake = fake_of(request)
    identity = _identity(request, body.token)
    call_sid = "CA" + uuid.uuid4().hex
    fake.ring(call_sid, "softphone")
    settings = fake.settings
    form = {
        "CallSid": call_sid,
        "AccountSid": settings.twilio_account_sid or "",
        "ApplicationSid": "AP" + "0" * 32,
        "From": f"client:{identity}",
        "Caller": f"client:{identity}",
        "To": "",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **{k[:64]: v[:200] for k, v in body.params.items()},
    }
    answer = await fake.post(settings.public_url.rstrip("/") + AGENT_PATH, form)
    try:
        dialled = conference_in(answer.text) if answer.status_code == 200 else None
        said = (
            " ".join(v["text"] for v in verbs(answer.text) if v["verb"] == "Say") if answer.status_code == 200 else ""
        )
    except (ET.ParseError, ValueError):
        dialled, said = None, ""
    if dialled is None:
        fake.calls[call_sid].status = "completed"
        raise conflict(said or "The platform did not put the softphone through.")
    conference = await fake.join(call_sid, *dialled)
    return {"call_sid": call_sid, **_view(conference, call_sid, ended=False)}


def _device_call(request: Request, call_sid: str) -> str:
    call = fake_of(request).calls.get(_sid(call_sid))
    if call is None or call.kind != "softphone":
        raise not_found("Softphone call")
    return call_sid


@router.post("/twilio/devices/{call_sid}/disconnect")
async def device_disconnect(request: Request, call_sid: str) -> dict[str, Any]:
    """`call.disconnect()`: the softphone's leg hangs up."""
    fake = fake_of(request)
    sid = _device_call(request, call_sid)
    fake.calls[sid].status = "completed"
    await fake.leave(sid)
    return {"call_sid": sid, "status": "completed"}


@router.post("/twilio/devices/{call_sid}/mute")
async def device_mute(request: Request, call_sid: str, body: Mute) -> dict[str, Any]:
    """`call.mute(on)`: the softphone's microphone (the caller hears nothing from it)."""
    fake = fake_of(request)
    sid = _device_call(request, call_sid)
    conference = fake.conference_of(sid)
    part = conference.participants.get(sid) if conference is not None else None
    if part is not None:
        part.muted = body.muted
    return {"call_sid": sid, "muted": body.muted}
