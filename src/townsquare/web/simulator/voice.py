"""The simulator's voice panel: plays Twilio against the platform's real voice webhooks.

It mints a CallSid, builds the exact form Twilio would post, signs it with the auth token, POSTs it over
HTTP to `TOWNSQUARE_PUBLIC_URL`, and hands the TwiML verbs back to the browser as JSON. It only ever calls
the platform's own voice endpoints, never a URL the browser chooses elsewhere.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from twilio.request_validator import RequestValidator

from townsquare.agencies import service as agencies
from townsquare.db import Database
from townsquare.engagement import calls
from townsquare.errors import FieldError, Problem, forbidden, invalid
from townsquare.settings import Settings
from townsquare.web.simulator.twilio_fake import fake_of, verbs

router = APIRouter()
VOICE_PATH = "/channels/voice/twilio"
WAV_PATH = "/static/simulator/voicemail"  # Twilio's RecordingUrl has no extension; the platform adds ".wav"
TIMEOUT = httpx.Timeout(15.0)


class Phone(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, max_length=32)
    to: str = Field(min_length=1, max_length=32)


class Step(Phone):
    url: str = Field(max_length=500)
    digits: str | None = Field(default=None, max_length=32, pattern=r"^[0-9*#]*$")
    speech: str | None = Field(default=None, max_length=500)
    record_seconds: int | None = Field(default=None, ge=1, le=600)
    queue_result: str | None = Field(default=None, pattern="^(leave|hangup|bridged|queue-full|error)$")
    queue_seconds: int | None = Field(default=None, ge=0)
    dial_status: str | None = Field(default=None, pattern="^(completed|busy|no-answer|failed|canceled)$")
    waiting: bool = False


class Hangup(Phone):
    duration: int = Field(ge=0, le=86_400)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _base_form(settings: Settings, call_sid: str, phone: Phone, status: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": phone.from_,
        "To": phone.to,
        "Caller": phone.from_,
        "Called": phone.to,
        "CallStatus": status,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


async def _post(settings: Settings, url: str, form: dict[str, str]) -> list[dict[str, Any]]:
    """POST a signed webhook as Twilio would, and read back the verbs."""
    if not settings.twilio_auth_token:
        raise forbidden("Set TOWNSQUARE_TWILIO_AUTH_TOKEN: the simulator signs like Twilio, with that token.")
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        raise Problem(
            502, "The voice webhook refused the call", f"It answered HTTP {response.status_code}.", "upstream"
        )
    try:
        return verbs(response.text) if response.text.strip() else []
    except (ET.ParseError, ValueError):
        raise Problem(502, "The voice webhook did not answer TwiML", "Its answer is not TwiML.", "upstream") from None


def _own_url(settings: Settings, url: str) -> str:
    base = settings.public_url.rstrip("/") + VOICE_PATH
    if not (url == base or url.startswith((base + "/", base + "?"))):
        raise invalid("The simulator only calls the platform's own voice webhooks.", FieldError("url", "not ours"))
    return url


def _call_sid(call_sid: str) -> str:
    if len(call_sid) != 34 or not call_sid.startswith("CA"):
        raise invalid("That is not a CallSid.", FieldError("call_sid", "CA followed by 32 hex digits"))
    return call_sid


@router.get("/voice/numbers")
async def numbers(request: Request) -> dict[str, list[str]]:
    """The numbers a resident can call: every agency's voice contact point."""
    async with _db(request).session(deferred=True) as session:
        return {"numbers": [address for address, _ in await agencies.contact_points(session, channel="voice")]}


@router.post("/voice/calls")
async def start_call(request: Request, phone: Phone) -> dict[str, Any]:
    """Dial: a new CallSid and the platform's first answer."""
    settings = _settings(request)
    call_sid = "CA" + uuid.uuid4().hex
    fake_of(request).ring(call_sid)  # Twilio carries the call: the platform may redirect it by its sid
    form = _base_form(settings, call_sid, phone, "ringing")
    found = await _post(settings, settings.public_url.rstrip("/") + VOICE_PATH, form)
    return {"call_sid": call_sid, "verbs": found}


@router.post("/voice/calls/{call_sid}/steps")
async def step(request: Request, call_sid: str, body: Step) -> dict[str, Any]:
    """The next webhook of a call: keys pressed, words said, a recording made, or the queue's wait music."""
    settings = _settings(request)
    url = _own_url(settings, body.url)
    form = _base_form(settings, _call_sid(call_sid), body, "in-progress")
    if body.digits is not None:
        form["Digits"] = body.digits
    if body.speech:
        form.update(SpeechResult=body.speech, Confidence="0.9")
    if body.record_seconds is not None:
        recording_sid = "RE" + uuid.uuid4().hex
        form.update(
            RecordingSid=recording_sid,
            RecordingUrl=settings.public_url.rstrip("/") + WAV_PATH,
            RecordingDuration=str(body.record_seconds),
        )
    if body.dial_status is not None:
        form.update(DialCallStatus=body.dial_status)
    if body.queue_result is not None:
        form.update(QueueResult=body.queue_result, QueueTime=str(body.queue_seconds or 0))
    if body.waiting:
        # Twilio's queue knows where the caller stands; the platform's queue is what stands in for it here.
        async with _db(request).session(deferred=True) as session:
            position = await calls.queue_position(session, call_sid=call_sid)
        form.update(QueuePosition=str(position or 1), QueueTime=str(body.queue_seconds or 0), QueueSid="QU" + "0" * 32)
    return {"verbs": await _post(settings, url, form)}


@router.post("/voice/calls/{call_sid}/hangup")
async def hang_up(request: Request, call_sid: str, body: Hangup) -> dict[str, Any]:
    """Hang up: the status callback Twilio sends when a call ends, with its duration."""
    settings = _settings(request)
    form = {**_base_form(settings, _call_sid(call_sid), body, "completed"), "CallDuration": str(body.duration)}
    fake = fake_of(request)
    fake.ring(call_sid).status = "completed"
    await fake.leave(call_sid)  # out of a conference the platform had put the call in
    await _post(settings, settings.public_url.rstrip("/") + VOICE_PATH + "/status", form)
    return {"status": "completed", "duration": body.duration}
