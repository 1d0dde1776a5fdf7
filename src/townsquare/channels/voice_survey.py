"""The one-question survey at the end of a call with a person, on Twilio's wire format.

When the agent hangs up, Twilio asks the `<Enqueue>` action (QueueResult `bridged`) or the `<Dial>` action
(DialCallStatus `completed`, a transfer) what to do with the caller still on the line: if they may be surveyed,
a `<Gather numDigits="1" input="dtmf">` asks for a key from 1 to 5; a wrong key or silence is apologised for and
asked once more, then the call ends. Every route is signed (`TwilioForm`); the survey's id travels in the signed
action URL. Each step commits once; a failure is still answered in TwiML, logged without personal data.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from twilio.twiml.voice_response import Gather, Hangup, Redirect, VoiceResponse

from townsquare.analytics.surveys import answering, inviting
from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.channels.voice_twiml import action_url, say
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement import calls
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
router = APIRouter(prefix="/channels/voice", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
RETRIES = 1  # a wrong key or silence is asked about once more

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "question": (
            "Before you go: how satisfied are you with the help you got today? Press a key from 1, very "
            "dissatisfied, to 5, very satisfied."
        ),
        "wrong_key": "Sorry, that is not a choice. Please press a key from 1 to 5.",
        "thanks": "Thank you for your answer. Goodbye.",
        "no_answer": "Thank you for calling. Goodbye.",
    },
    "fr": {
        "question": (
            "Avant de partir : êtes-vous satisfait de l'aide reçue aujourd'hui? Appuyez sur une touche de 1, très "
            "insatisfait, à 5, très satisfait."
        ),
        "wrong_key": "Désolé, ce choix n'existe pas. Appuyez sur une touche de 1 à 5.",
        "thanks": "Merci de votre réponse. Au revoir.",
        "no_answer": "Merci de votre appel. Au revoir.",
    },
}


def words(lang: str, key: str) -> str:
    return WORDS.get(lang, WORDS["en"])[key]


def ask(settings: Settings, survey_id: uuid.UUID, lang: str, *, tries: int, lead: str | None = None) -> VoiceResponse:
    """The question, listening for one key; silence comes back to the same step as a wrong key."""
    url = action_url(settings, "survey", survey=survey_id, lang=lang, tries=tries)
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, action=url, method="POST", timeout=8)
    if lead:
        gather.append(say(lang, lead))
    gather.append(say(lang, words(lang, "question")))
    response.append(gather)
    response.append(Redirect(url, method="POST"))
    return response


def goodbye(lang: str, key: str) -> VoiceResponse:
    response = VoiceResponse()
    response.append(say(lang, words(lang, key)))
    response.append(Hangup())
    return response


async def after_agent(session: Session, settings: Settings, *, call_sid: str, lang: str) -> VoiceResponse | None:
    """The survey to put to a caller whose agent has just hung up, if they may be asked one; else None."""
    caller = await calls.caller(session, call_sid=call_sid)
    if caller is None:
        return None
    survey_id = await inviting.call_survey(session, settings, call=caller.interaction)
    return ask(settings, survey_id, lang, tries=0) if survey_id is not None else None


async def _committed(session: Session, response: VoiceResponse) -> Response:
    await session.commit()
    return twiml(response)


@router.post("/twilio/survey")
async def survey_key(
    request: Request,
    form: TwilioForm,
    session: SessionDep,
    survey: uuid.UUID,
    lang: Lang = "en",
    tries: Annotated[int, Query(ge=0, le=RETRIES)] = 0,
) -> Response:
    """The key the caller pressed: kept as their answer and thanked for; else an apology and one more try."""
    try:
        digits = (form.get("Digits") or "").strip()
        recorded = await answering.answer_key(session, survey_id=survey, digits=digits)
        if recorded is not None:
            return await _committed(session, goodbye(lang, "thanks"))
        if tries < RETRIES:
            return twiml(ask(request.app.state.settings, survey, lang, tries=tries + 1, lead=words(lang, "wrong_key")))
        return twiml(goodbye(lang, "no_answer"))
    except Exception:
        await session.rollback()
        log.warning("voice survey step failed", exc_info=True)
        return twiml(goodbye(lang, "no_answer"))


@router.post("/twilio/dial-result")
async def dial_result(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """A transferred call ended (Twilio's `<Dial action>`): the survey when the other side answered, else goodbye."""
    try:
        status = form.get("DialCallStatus", "").strip()
        call_sid = form.get("CallSid", "").strip()[:64]
        if status != "completed" or not call_sid:
            return twiml(goodbye(lang, "no_answer"))
        settings: Settings = request.app.state.settings
        asked = await after_agent(session, settings, call_sid=call_sid, lang=lang)
        return await _committed(session, asked or goodbye(lang, "no_answer"))
    except Exception:
        await session.rollback()
        log.warning("voice survey after a transfer failed", exc_info=True)
        return twiml(goodbye(lang, "no_answer"))
