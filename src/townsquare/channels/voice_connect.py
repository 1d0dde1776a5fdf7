"""The voice webhooks of a call connected to its agent, on Twilio's wire format: the TwiML App's voice URL the
agent's softphone calls through, the conference's status callbacks, the recording's status callback, and the
hold music.

Every route is signed (`TwilioForm`). The voice URL answers `<Dial><Conference>` only to the agent holding the
work item while its call lasts; anyone else hears why not, then the line closes. A callback about a call the
platform never connected is a 404, about a call already over a 409 (a problem Twilio's debugger shows);
nothing of a refused step is kept, and nothing is logged about the people on the line.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from twilio.twiml.voice_response import VoiceResponse

from townsquare.channels import voice_conference as conf
from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.db.deps import SessionDep
from townsquare.engagement import connecting
from townsquare.errors import FieldError, Problem, invalid
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
router = APIRouter(prefix="/channels/voice", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
SID = 64

REASONS = {
    403: "only the agent who accepted this work can join its call.",
    404: "the platform knows no call for that work.",
    409: "that call has ended.",
}


def _sid(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if len(value) > SID:
        raise invalid(f"{name} is too long to be a Twilio sid.", FieldError(name, "too long"))
    return value


@router.post("/twilio/agent")
async def agent_leg(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """The TwiML App's voice URL: an agent's softphone asks to join the call of the work item it names."""
    settings: Settings = request.app.state.settings
    try:
        raw = form.get("item", "").strip()
        try:
            item_id = uuid.UUID(raw)
        except ValueError:
            raise invalid("The softphone named no work item.", FieldError("item", "not a work item id")) from None
        joining = await connecting.agent_joining(session, item_id=item_id, identity=form.get("From", ""))
        await session.commit()
        return twiml(
            conf.agent_into_conference(
                settings, conference=joining.conference, item=str(item_id), label=joining.label, announce=False
            )
        )
    except Problem as problem:
        await session.rollback()
        log.info("softphone leg refused: %s", problem.type_slug)
        reason = REASONS.get(problem.status, "the request was not understood.")
        return twiml(conf.refused(reason))


@router.post("/twilio/conference")
async def conference_status(request: Request, form: TwilioForm, session: SessionDep, item: uuid.UUID) -> Response:
    """Twilio's conference status callback (start, end, join, leave, hold) for the work item's conference."""
    event = form.get("StatusCallbackEvent", "").strip()
    if event not in connecting.CONFERENCE_EVENTS:
        raise invalid("Not a conference event.", FieldError("StatusCallbackEvent", "unknown event"))
    await connecting.conference_event(
        session,
        item_id=item,
        event=event,
        call_sid=_sid(form, "CallSid"),
        conference_sid=_sid(form, "ConferenceSid"),
    )
    await session.commit()
    return twiml(VoiceResponse())


@router.post("/twilio/recording")
async def recording_status(request: Request, form: TwilioForm, session: SessionDep, item: uuid.UUID) -> Response:
    """The conference's recording is ready: kept on the call's timeline entry, the file fetched by the outbox."""
    status = form.get("RecordingStatus", "").strip()
    recording_sid, url = _sid(form, "RecordingSid"), form.get("RecordingUrl", "").strip()
    if not recording_sid or not url.startswith(("https://", "http://")):
        raise invalid("The recording callback has no RecordingSid or RecordingUrl.")
    if status != "completed":  # "absent" (nothing was recorded) or "failed": nothing to keep
        return twiml(VoiceResponse())
    seconds = form.get("RecordingDuration", "")
    await connecting.keep_recording(
        session, item_id=item, recording_sid=recording_sid, url=url, seconds=int(seconds) if seconds.isdigit() else None
    )
    await session.commit()
    return twiml(VoiceResponse())


@router.post("/twilio/hold-music")
async def hold_music(request: Request, form: TwilioForm, lang: Lang = "en") -> Response:
    """Played to a caller on hold, or waiting in the conference for the agent's leg."""
    return twiml(conf.hold_music(request.app.state.settings, lang))
