"""A recording stand-in for Twilio's REST API and its conferences, for the demo and the tests (no Twilio account).

It speaks Twilio's wire format under `/simulator/twilio/2010-04-01/Accounts/{AccountSid}/…` — basic auth with the
account and its token, form-encoded requests, JSON answers and Twilio's error codes — and keeps every request it
is sent. It plays what Twilio does with them: a call redirected with `Twiml` runs that TwiML next (the
simulator's caller picks it up), a conference sends its signed status callbacks as people join, leave and are
held, an ended recorded conference sends its recording callback. It only ever calls the platform's own URLs.
"""

from __future__ import annotations

import logging
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from twilio.request_validator import RequestValidator

from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# Twilio's REST API answers the account's basic auth only (checked by each route, 401 with Twilio's code 20003).
router = APIRouter(prefix="/twilio", dependencies=[Depends(declared(PROVIDER))])
ACCOUNT_PATH = "/twilio/2010-04-01/Accounts/{account}"
RECORDING = Path(__file__).resolve().parents[1] / "static" / "simulator" / "voicemail.wav"  # every demo recording


@dataclass
class Participant:
    call_sid: str
    label: str
    starts: bool  # startConferenceOnEnter
    ends: bool  # endConferenceOnExit
    hold: bool = False
    muted: bool = False


@dataclass
class Conference:
    name: str
    sid: str
    status_callback: str
    recording_callback: str | None
    participants: dict[str, Participant] = field(default_factory=dict)
    started: bool = False
    ended: bool = False
    sequence: int = 0


@dataclass
class Call:
    sid: str
    kind: str  # caller, softphone or phone
    status: str = "in-progress"
    redirects: list[str] = field(default_factory=list)  # TwiML documents not yet run
    conference: str | None = None


@dataclass
class FakeTwilio:
    """What the stand-in was asked and what it holds: calls, conferences and every REST request."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None  # tests reach the app in-process
    requests: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, Call] = field(default_factory=dict)
    conferences: dict[str, Conference] = field(default_factory=dict)
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    def ring(self, call_sid: str, kind: str = "caller") -> Call:
        """A call Twilio is carrying (a simulated caller, an agent's leg)."""
        return self.calls.setdefault(call_sid, Call(call_sid, kind))

    def take_redirect(self, call_sid: str) -> str | None:
        call = self.calls.get(call_sid)
        return call.redirects.pop(0) if call is not None and call.redirects else None

    def conference_of(self, call_sid: str) -> Conference | None:
        call = self.calls.get(call_sid)
        return self.conferences.get(call.conference) if call is not None and call.conference else None

    async def post(self, url: str, form: dict[str, str]) -> httpx.Response:
        """A signed webhook to one of the platform's own URLs, as Twilio sends it."""
        base = self.settings.public_url.rstrip("/") + "/channels/voice/"
        if not url.startswith(base):
            raise ValueError("the stand-in only calls the platform's own voice webhooks")
        signature = RequestValidator(self.settings.twilio_auth_token or "").compute_signature(url, form)
        async with httpx.AsyncClient(timeout=15.0, transport=self.transport) as client:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        self.callbacks.append({"url": url, "form": form, "status": response.status_code})
        if response.status_code != 200:
            log.info("the platform answered a simulated callback with %s", response.status_code)
        return response

    def _account(self) -> dict[str, str]:
        return {"AccountSid": self.settings.twilio_account_sid or "", "ApiVersion": "2010-04-01"}

    async def _event(self, conference: Conference, event: str, call_sid: str | None = None) -> None:
        conference.sequence += 1
        form = {
            **self._account(),
            "ConferenceSid": conference.sid,
            "FriendlyName": conference.name,
            "StatusCallbackEvent": event,
            "SequenceNumber": str(conference.sequence),
        }
        if call_sid is not None:
            part = conference.participants.get(call_sid)
            form["CallSid"] = call_sid
            if part is not None:
                form.update(Hold=str(part.hold).lower(), Muted=str(part.muted).lower(), ParticipantLabel=part.label)
        if conference.status_callback:
            await self.post(conference.status_callback, form)

    async def join(self, call_sid: str, name: str, attrs: dict[str, str]) -> Conference:
        """A call enters the conference `name` (TwiML `<Dial><Conference>`), as Twilio reports it."""
        conference = self.conferences.get(name)
        if conference is None or conference.ended:
            conference = Conference(
                name,
                "CF" + uuid.uuid4().hex,
                attrs.get("statusCallback", ""),
                attrs.get("recordingStatusCallback") if attrs.get("record") == "record-from-start" else None,
            )
            self.conferences[name] = conference
        part = Participant(
            call_sid,
            attrs.get("participantLabel", ""),
            starts=attrs.get("startConferenceOnEnter", "true") != "false",
            ends=attrs.get("endConferenceOnExit", "false") == "true",
        )
        conference.participants[call_sid] = part
        self.ring(call_sid).conference = name
        if part.starts and not conference.started:
            conference.started = True
            await self._event(conference, "conference-start")
        await self._event(conference, "participant-join", call_sid)
        return conference

    async def leave(self, call_sid: str) -> None:
        """A call leaves its conference (hung up); one that ends the conference on exit ends it for everyone."""
        conference = self.conference_of(call_sid)
        if conference is None or conference.ended or call_sid not in conference.participants:
            return
        await self._event(conference, "participant-leave", call_sid)
        part = conference.participants.pop(call_sid)
        if part.ends or not conference.participants:
            await self.end(conference)

    async def end(self, conference: Conference) -> None:
        for call_sid in list(conference.participants):
            await self._event(conference, "participant-leave", call_sid)
        conference.participants.clear()
        conference.ended = True
        await self._event(conference, "conference-end")
        if conference.recording_callback and conference.started:
            public = self.settings.public_url.rstrip("/")
            recording_sid = "RE" + uuid.uuid4().hex
            await self.post(
                conference.recording_callback,
                {
                    **self._account(),
                    "ConferenceSid": conference.sid,
                    "RecordingSid": recording_sid,
                    "RecordingUrl": f"{public}/simulator{ACCOUNT_PATH.format(account=self._account()['AccountSid'])}"
                    f"/Recordings/{recording_sid}",
                    "RecordingStatus": "completed",
                    "RecordingDuration": "4",
                    "RecordingChannels": "1",
                    "RecordingSource": "RecordVerb",
                },
            )

    async def hold(self, conference_sid: str, call_sid: str, on: bool) -> bool:
        conference = next((c for c in self.conferences.values() if c.sid == conference_sid and not c.ended), None)
        part = conference.participants.get(call_sid) if conference is not None else None
        if conference is None or part is None:
            return False
        part.hold = on
        await self._event(conference, "participant-hold" if on else "participant-unhold", call_sid)
        return True


def verbs(twiml: str) -> list[dict[str, Any]]:
    """The TwiML document's verbs as JSON: name, attributes, text and nested verbs (a Gather's Says)."""
    root = ET.fromstring(twiml)  # noqa: S314 - the platform's own TwiML
    if root.tag != "Response":
        raise ValueError("not a TwiML response")

    def verb(el: ET.Element) -> dict[str, Any]:
        return {
            "verb": el.tag,
            "attrs": dict(el.attrib),
            "text": (el.text or "").strip(),
            "children": [verb(c) for c in el],
        }

    return [verb(el) for el in root]


def conference_in(twiml: str) -> tuple[str, dict[str, str]] | None:
    """The conference a TwiML document dials into (its name and attributes), if any."""
    for found in verbs(twiml):
        for noun in found["children"]:
            if found["verb"] == "Dial" and noun["verb"] == "Conference":
                return str(noun["text"]), dict(noun["attrs"])
    return None


def fake_of(request: Request) -> FakeTwilio:
    """The app's stand-in for Twilio, made on first use."""
    fake: FakeTwilio | None = getattr(request.app.state, "fake_twilio", None)
    if fake is None:
        fake = FakeTwilio(request.app.state.settings)
        request.app.state.fake_twilio = fake
    return fake


def _error(status: int, code: int, message: str) -> Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)


async def _read(request: Request, account: str) -> tuple[FakeTwilio, dict[str, str]] | Response:
    """The request's form, once its basic auth names this account with its token, as Twilio checks it."""
    fake = fake_of(request)
    settings = fake.settings
    auth = httpx.BasicAuth(settings.twilio_account_sid or "", settings.twilio_auth_token or "")._auth_header
    if account != settings.twilio_account_sid or request.headers.get("authorization") != auth:
        return _error(401, 20003, "Authenticate")
    form = {k: str(v) for k, v in (await request.form()).items()}
    fake.requests.append(
        {"method": request.method, "path": request.url.path, "form": form, "headers": dict(request.headers)}
    )
    return fake, form


def _call_json(fake: FakeTwilio, call: Call) -> dict[str, Any]:
    return {"sid": call.sid, "account_sid": fake.settings.twilio_account_sid, "status": call.status}


@router.post("/2010-04-01/Accounts/{account}/Calls/{call_sid}.json")
async def update_call(request: Request, account: str, call_sid: str) -> Response:
    """Redirect a live call to new TwiML, or hang it up (`Status=completed`)."""
    read = await _read(request, account)
    if isinstance(read, Response):
        return read
    fake, form = read
    call = fake.calls.get(call_sid)
    if call is None:
        return _error(404, 20404, f"The requested resource /Calls/{call_sid}.json was not found")
    if call.status == "completed":
        return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
    if form.get("Status") == "completed":
        call.status = "completed"
        await fake.leave(call_sid)
    elif form.get("Twiml"):
        call.redirects.append(form["Twiml"])
    else:
        return _error(400, 21205, "Url or Twiml is required")
    return JSONResponse(_call_json(fake, call))


@router.post("/2010-04-01/Accounts/{account}/Calls.json")
async def create_call(request: Request, account: str) -> Response:
    """Dial a phone (an agent's): in the demo the phone answers at once and runs its TwiML."""
    read = await _read(request, account)
    if isinstance(read, Response):
        return read
    fake, form = read
    if not form.get("To") or not (form.get("Twiml") or form.get("Url")):
        return _error(400, 21201, "No 'To' number is specified")
    call = fake.ring("CA" + uuid.uuid4().hex, "phone")
    try:
        dialled = conference_in(form.get("Twiml") or "<Response/>")
    except (ET.ParseError, ValueError):
        return _error(400, 12100, "Document parse failure")
    if dialled is not None:
        await fake.join(call.sid, *dialled)
    return JSONResponse(_call_json(fake, call), status_code=201)


@router.post("/2010-04-01/Accounts/{account}/Conferences/{conference_sid}/Participants/{call_sid}.json")
async def update_participant(request: Request, account: str, conference_sid: str, call_sid: str) -> Response:
    """Hold a participant (with the HoldUrl's music) or take them off hold."""
    read = await _read(request, account)
    if isinstance(read, Response):
        return read
    fake, form = read
    if "Hold" in form and not await fake.hold(conference_sid, call_sid, form["Hold"] == "true"):
        return _error(404, 20404, "The requested participant was not found")
    return JSONResponse({"call_sid": call_sid, "conference_sid": conference_sid, "hold": form.get("Hold") == "true"})


@router.post("/2010-04-01/Accounts/{account}/Conferences/{conference_sid}.json")
async def update_conference(request: Request, account: str, conference_sid: str) -> Response:
    """End a conference (`Status=completed`): everyone in it leaves."""
    read = await _read(request, account)
    if isinstance(read, Response):
        return read
    fake, form = read
    conference = next((c for c in fake.conferences.values() if c.sid == conference_sid), None)
    if conference is None:
        return _error(404, 20404, f"The requested resource /Conferences/{conference_sid}.json was not found")
    if form.get("Status") == "completed" and not conference.ended:
        await fake.end(conference)
    return JSONResponse({"sid": conference.sid, "status": "completed" if conference.ended else "in-progress"})


@router.get("/2010-04-01/Accounts/{account}/Recordings/{recording}")
async def recording_media(request: Request, account: str, recording: str) -> Response:
    """A recording's audio (`RE….wav`), served as Twilio serves it: to the account's basic auth, as audio/x-wav."""
    read = await _read(request, account)
    if isinstance(read, Response):
        return read
    if not (recording.startswith("RE") and recording.endswith(".wav")):
        return _error(404, 20404, f"The requested resource /Recordings/{recording} was not found")
    return Response(RECORDING.read_bytes(), media_type="audio/x-wav")
