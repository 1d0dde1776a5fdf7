"""Voice (IVR) on Twilio's wire format: each webhook answered with TwiML built with the twilio helpers.

Every route is signed (`TwilioForm`, whose text is normalised: NUL and control characters dropped, lone
surrogates replaced); call state the next step needs (language, attempts) travels in the action URL's query,
which the signature covers. Once a request is Twilio's, a failure is still answered
with spoken TwiML, never a JSON error, and logged without personal data.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.twiml.voice_response import Enqueue, Gather, Hangup, Leave, Record, Redirect, Say, VoiceResponse

from townsquare.channels import voice_prompts as p
from townsquare.channels.twilio import TwilioForm, twiml
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement import assistant as selfservice
from townsquare.engagement import calls
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, invalid
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.settings import Settings
from townsquare.staff.auth import PROVIDER, declared

log = logging.getLogger(__name__)
# The provider's signature (or the email door's token) is checked by each route before anything is read.
router = APIRouter(prefix="/channels/voice", tags=["channels"], dependencies=[Depends(declared(PROVIDER))])
BASE = "/channels/voice/twilio"
MAX_TRIES = 3
VOICEMAIL_MAX_SECONDS = 180
# What Twilio puts in From when the caller withheld their number ("anonymous", and keypad spellings of
# ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE).
WITHHELD = {"", "anonymous", "restricted", "blocked", "unknown", "unavailable", "private"}
WITHHELD_NUMBERS = {"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"}
SPOKEN_CHOICES: dict[str, tuple[str, ...]] = {
    "1": ("one", "un", "my request", "ma demande"),
    "2": ("two", "deux", "reference", "référence"),
    "3": ("three", "trois", "message", "voicemail"),
    "4": ("four", "quatre", "call back", "callback", "call me", "rappel", "rappelez", "rappeler"),
    "0": ("zero", "zéro", "agent", "person", "personne", "representative", "operator", "human", "humain"),
    "9": ("nine", "neuf", "french", "français", "francais", "english", "anglais"),
}
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
Tries = Annotated[int, Query(ge=0, le=MAX_TRIES)]
SHORT_ANSWER_WORDS = 4  # "option three please", "speak to an agent": longer speech is a request in its own words
KEYED_ANSWERS = {"1": "yes", "2": "no", "0": "agent"}  # keys for answering the assistant's yes/no questions


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


def action_url(settings: Settings, step: str, **params: object) -> str:
    """The absolute URL of a menu step, with the call state the next request needs in its (signed) query."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{settings.public_url.rstrip('/')}{BASE}/{step}" + (f"?{query}" if query else "")


def call_sid_of(form: dict[str, str]) -> str:
    """Twilio's id of the call; a request without one is not a call webhook (422)."""
    sid = form.get("CallSid", "").strip()
    if not sid or len(sid) > 64:
        raise invalid("The webhook has no CallSid.", FieldError("CallSid", "required"))
    return sid


def caller_sender(raw: str, *, region: str) -> Sender | None:
    """The caller as an identity to resolve, or None when the number is withheld or unusable."""
    value = raw.strip()
    if value.lower() in WITHHELD or value in WITHHELD_NUMBERS:
        return None
    try:
        citizens.normalise_phone(value, region=region)
    except Problem:
        return None
    return Sender(IdentityKind.phone, value)


def spoken_choice(speech: str) -> str | None:
    """The menu key a spoken answer means ("agent", "option three", "français"), if any."""
    text = re.sub(r"[^\w' ]+", " ", speech.lower())
    digits = re.findall(r"\d", text)
    if len(digits) == 1:
        return str(digits[0])
    for key, words in SPOKEN_CHOICES.items():
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return key
    return None


def is_request(speech: str) -> bool:
    """Whether speech at the menu is the caller saying what they need (for the assistant), not a menu choice.

    A few words that name a choice ("agent", "option three", "français") pick it; anything longer, or words that
    name no choice, are the caller's own request.
    """
    words = re.findall(r"\w+", speech)
    return bool(words) and (len(words) > SHORT_ANSWER_WORDS or spoken_choice(speech) is None)


def parse_reference(raw: str, *, prefix: str, year: int) -> str | None:
    """A case reference from keyed or spoken digits: YYYYNNNNNN, or this year's NNNNNN ("T S 2026 000123" too)."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10:
        return f"{prefix}-{digits[:4]}-{digits[4:]}"
    if len(digits) == 6:
        return f"{prefix}-{year}-{digits}"
    return None


def _say(lang: str, text: str) -> Say:
    return Say(text, voice=p.VOICE, language=p.locale(lang))


def _menu(settings: Settings, caller: calls.Caller, lang: str, tries: int, lead: list[str]) -> VoiceResponse:
    """The main menu: the caller's open case first, then the fixed options; no answer comes back as a retry."""
    response = VoiceResponse()
    for text in lead:
        response.append(_say(lang, text))
    gather = Gather(
        input="dtmf speech",
        num_digits=1,
        action=action_url(settings, "choice", lang=lang, tries=tries),
        method="POST",
        language=p.locale(lang),
        timeout=6,
    )
    for offer in caller.offers[:1]:
        label = offer.label or p.say(lang, "your_request")
        gather.append(_say(lang, p.say(lang, "offer_case", label=label, reference=p.spoken_reference(offer.reference))))
    callback = p.say(lang, "menu_callback") if caller.identity is not None else ""
    gather.append(_say(lang, p.say(lang, "menu", callback=callback)))
    if settings.assistant_enabled:
        gather.append(_say(lang, p.say(lang, "ask_anything")))
    gather.append(_say("fr" if lang == "en" else "en", p.say(lang, "switch")))
    response.append(gather)
    response.append(Redirect(action_url(settings, "choice", lang=lang, tries=tries), method="POST"))
    return response


def _goodbye(lang: str, key: str, **values: object) -> VoiceResponse:
    response = VoiceResponse()
    response.append(_say(lang, p.say(lang, key, **values)))
    response.append(Hangup())
    return response


async def _answer(
    request: Request, session: AsyncSession, lang: str, build: Callable[[], Awaitable[VoiceResponse]]
) -> Response:
    """Run one step; any failure still answers Twilio with a spoken apology (and is logged without content)."""
    try:
        return twiml(await build())
    except Exception as exc:
        await session.rollback()
        kind = exc.type_slug if isinstance(exc, Problem) else type(exc).__name__
        log.warning("voice step %s failed: %s", request.url.path, kind, exc_info=not isinstance(exc, Problem))
        return twiml(_goodbye(lang, "apology"))


async def _caller(request: Request, session: AsyncSession, form: dict[str, str]) -> calls.Caller:
    """The call's caller, recording the call first if this is its first webhook (a retry finds the same one)."""
    settings = _settings(request)
    message = InboundMessage(
        channel=Channel.voice,
        kind=InteractionKind.call,
        external_id=call_sid_of(form),
        sender=caller_sender(form.get("From", ""), region=settings.default_region),
        recipient=form.get("To") or None,
        needs_person=False,
        metadata={"menu_path": [], "call_status": form.get("CallStatus", "")},
    )
    await _pipeline(request).ingest(session, message)
    caller = await calls.caller(session, call_sid=message.external_id or "")
    if caller is None:
        raise RuntimeError("the call was not recorded")
    for offer in caller.offers[:1]:
        await calls.attach_case(session, interaction=caller.interaction, case_id=offer.case_id)
    return caller


@router.post("/twilio")
async def incoming_call(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """A call arrives: record it once, greet the caller (by name only if verified) and offer the menu."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        lang = p.language_of(caller.citizen.language)
        await calls.add_step(session, interaction=caller.interaction, step="main")
        await session.commit()
        hello = p.say(lang, "hello_name", name=caller.name) if caller.name else p.say(lang, "hello")
        return _menu(_settings(request), caller, lang, 0, [hello])

    return await _answer(request, session, "en", build)


@router.post("/twilio/main")
async def main_menu(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The main menu again (after an answer was given)."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        await session.commit()
        return _menu(_settings(request), caller, lang, 0, [])

    return await _answer(request, session, lang, build)


@router.post("/twilio/choice")
async def choice(
    request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en", tries: Tries = 0
) -> Response:
    """The caller's answer to the main menu, keyed or spoken."""
    call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        digits = (form.get("Digits") or "").strip()[:1]
        speech = form.get("SpeechResult", "").strip()
        if not digits and settings.assistant_enabled and is_request(speech):
            return await _converse(request, session, caller, lang, form, speech)
        key = digits or spoken_choice(speech) or ""
        step = calls.add_step
        if key == "1" and caller.offers:
            await step(session, interaction=caller.interaction, step="1:case-status")
            return await _status_then_menu(request, session, caller, lang, caller.offers[0].reference)
        if key == "2":
            await step(session, interaction=caller.interaction, step="2:reference")
            await session.commit()
            return _ask_reference(settings, lang, 0, [])
        if key == "3":
            await step(session, interaction=caller.interaction, step="3:voicemail")
            await session.commit()
            return _record(settings, lang)
        if key == "4" and caller.identity is not None:
            await step(session, interaction=caller.interaction, step="4:callback")
            return await _callback(request, session, caller, lang, form)
        if key == "0":
            return await _to_person(request, session, caller, lang, "0:agent", [])
        if key == "9":
            new = "en" if lang == "fr" else "fr"
            await step(session, interaction=caller.interaction, step=f"9:{new}")
            await session.commit()
            return _menu(settings, caller, new, 0, [])
        await step(session, interaction=caller.interaction, step="invalid")
        if tries + 1 >= MAX_TRIES:
            return await _to_person(request, session, caller, lang, "0:agent", [p.say(lang, "to_person_after_tries")])
        await session.commit()
        lead = [p.say(lang, "sorry_input")]
        if key == "4":
            lead = [p.say(lang, "callback_hidden")]
        return _menu(settings, caller, lang, tries + 1, lead)

    return await _answer(request, session, lang, build)


async def _status_then_menu(
    request: Request, session: AsyncSession, caller: calls.Caller, lang: str, reference: str
) -> VoiceResponse:
    report = await calls.case_status(session, reference=reference, citizen_id=caller.citizen.id)
    if report is None:
        raise RuntimeError("an offered case has no status")
    await calls.set_outcome(session, interaction=caller.interaction, outcome="self-served")
    await session.commit()
    values = {
        "reference": p.spoken_reference(report.reference),
        "status": p.status_words(lang, report.status),
        "date": p.spoken_date(lang, report.updated_at),
    }
    if report.own:
        text = p.say(lang, "status_own", label=report.label or p.say(lang, "your_request"), **values)
    else:
        text = p.say(lang, "status_other", **values)
    return _menu(_settings(request), caller, lang, 0, [text, p.say(lang, "back_to_menu")])


def _ask_reference(settings: Settings, lang: str, tries: int, lead: list[str]) -> VoiceResponse:
    response = VoiceResponse()
    for text in lead:
        response.append(_say(lang, text))
    url = action_url(settings, "reference", lang=lang, tries=tries)
    gather = Gather(
        input="dtmf speech",
        finish_on_key="#",
        action=url,
        method="POST",
        language=p.locale(lang),
        timeout=10,
        speech_timeout="auto",
    )
    gather.append(_say(lang, p.say(lang, "ask_reference")))
    response.append(gather)
    response.append(Redirect(url, method="POST"))
    return response


@router.post("/twilio/reference")
async def reference(
    request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en", tries: Tries = 0
) -> Response:
    """A reference keyed or spoken: say that case's status (details only to its own citizen)."""
    call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        raw = form.get("Digits") or form.get("SpeechResult") or ""
        ref = parse_reference(raw, prefix=settings.case_reference_prefix, year=utcnow().year)
        report = await calls.case_status(session, reference=ref, citizen_id=caller.citizen.id) if ref else None
        if report is not None:
            await calls.add_step(session, interaction=caller.interaction, step="2:case-status")
            return await _status_then_menu(request, session, caller, lang, report.reference)
        await calls.add_step(session, interaction=caller.interaction, step="2:not-found")
        await session.commit()
        if tries + 1 >= MAX_TRIES:
            return _menu(settings, caller, lang, 0, [p.say(lang, "bad_reference"), p.say(lang, "back_to_menu")])
        return _ask_reference(settings, lang, tries + 1, [p.say(lang, "bad_reference")])

    return await _answer(request, session, lang, build)


def _record(settings: Settings, lang: str, lead: tuple[str, ...] = ()) -> VoiceResponse:
    response = VoiceResponse()
    for text in (*lead, p.say(lang, "voicemail_prompt")):
        response.append(_say(lang, text))
    response.append(
        Record(
            action=action_url(settings, "voicemail", lang=lang),
            method="POST",
            max_length=VOICEMAIL_MAX_SECONDS,
            finish_on_key="#",
            play_beep=True,
            timeout=5,
        )
    )
    # Twilio only calls the action when something was recorded; silence falls through to here.
    response.append(_say(lang, p.say(lang, "voicemail_none")))
    response.append(Redirect(action_url(settings, "main", lang=lang), method="POST"))
    return response


@router.post("/twilio/voicemail")
async def voicemail(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """A recorded message: into the queue as a voicemail, on the caller's open case if they have one."""
    call_sid = call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        recording_sid, url = form.get("RecordingSid", "").strip(), form.get("RecordingUrl", "").strip()
        if not recording_sid or not url.startswith(("https://", "http://")):
            raise invalid("The recording webhook has no RecordingSid or RecordingUrl.")
        seconds = form.get("RecordingDuration", "")
        message = InboundMessage(
            channel=Channel.voice,
            kind=InteractionKind.voicemail,
            external_id=recording_sid,
            sender=caller_sender(form.get("From", ""), region=settings.default_region),
            recipient=form.get("To") or None,
            attachments=(InboundAttachment(f"{recording_sid}.wav", "audio/wav", url=url + ".wav"),),
            duration_seconds=int(seconds) if seconds.isdigit() else None,
            case_reference=caller.offers[0].reference if caller.offers else None,
            thread_refs=(call_sid,),
            metadata={"call_sid": call_sid, "recording_sid": recording_sid},
            needs_person=True,
        )
        await session.commit()
        await _pipeline(request).ingest(session, message)
        await calls.set_outcome(session, interaction=caller.interaction, outcome="voicemail")
        await session.commit()
        return _goodbye(lang, "voicemail_thanks")

    return await _answer(request, session, lang, build)


async def _callback(
    request: Request, session: AsyncSession, caller: calls.Caller, lang: str, form: dict[str, str]
) -> VoiceResponse:
    number = caller.identity.value if caller.identity is not None else ""
    details: dict[str, object] = {"callback_number": number, "call_sid": caller.interaction.external_id}
    await calls.hand_to_person(
        session, _pipeline(request), interaction=caller.interaction, kind="callback", details=details
    )
    await calls.set_outcome(session, interaction=caller.interaction, outcome="callback")
    await session.commit()
    return _goodbye(lang, "callback_done", last4=" ".join(number[-4:]))


async def _to_person(
    request: Request, session: AsyncSession, caller: calls.Caller, lang: str, step: str, lead: list[str]
) -> VoiceResponse:
    """Hand the call to a person: a work item with everything known, then the agency's queue (or a transfer)."""
    settings = _settings(request)
    await calls.add_step(session, interaction=caller.interaction, step=step)
    details: dict[str, object] = {"call_sid": caller.interaction.external_id}
    if caller.identity is not None:
        details["callback_number"] = caller.identity.value
    _, agency_slug = await calls.hand_to_person(
        session, _pipeline(request), interaction=caller.interaction, kind="call", details=details
    )
    await calls.set_outcome(session, interaction=caller.interaction, outcome="agent")
    await session.commit()
    response = VoiceResponse()
    for text in lead:
        response.append(_say(lang, text))
    if settings.voice_transfer_number:
        response.append(_say(lang, p.say(lang, "transfer")))
        response.dial(settings.voice_transfer_number)
        response.append(Hangup())
        return response
    response.append(_say(lang, p.say(lang, "hold")))
    response.append(
        Enqueue(
            f"{settings.voice_queue_prefix}-{agency_slug}",
            action=action_url(settings, "queue-result", lang=lang),
            method="POST",
            wait_url=action_url(settings, "wait", lang=lang),
            wait_url_method="POST",
        )
    )
    return response


@router.post("/twilio/wait")
async def wait(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """Played to a caller waiting in the queue: their place, and a call-back that keeps it."""
    call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        await session.commit()
        response = VoiceResponse()
        position = form.get("QueuePosition", "")
        if position.isdigit():
            response.append(_say(lang, p.say(lang, "position", position=int(position))))
        if caller.identity is not None:
            gather = Gather(
                input="dtmf", num_digits=1, action=action_url(settings, "wait-choice", lang=lang), timeout=8
            )
            gather.append(_say(lang, p.say(lang, "queue_callback")))
            response.append(gather)
        return response

    return await _answer(request, session, lang, build)


@router.post("/twilio/wait-choice")
async def wait_choice(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """1 while waiting: become a call-back, keeping the work item's place, and leave the queue."""
    call_sid_of(form)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        if (form.get("Digits") or "").strip() != "1" or caller.identity is None:
            await session.commit()
            response = VoiceResponse()
            response.append(_say(lang, p.say(lang, "keep_holding")))
            return response
        await calls.add_step(session, interaction=caller.interaction, step="queue:1:callback")
        number = caller.identity.value
        details: dict[str, object] = {"callback_number": number, "call_sid": caller.interaction.external_id}
        await calls.hand_to_person(
            session, _pipeline(request), interaction=caller.interaction, kind="callback", details=details
        )
        await calls.set_outcome(session, interaction=caller.interaction, outcome="callback")
        await session.commit()
        response = VoiceResponse()
        response.append(_say(lang, p.say(lang, "callback_done", last4=" ".join(number[-4:]))))
        response.append(Leave())
        return response

    return await _answer(request, session, lang, build)


@router.post("/twilio/queue-result")
async def queue_result(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The caller left the queue: answered, hung up, chose a call-back, or the queue could not take them."""
    call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        result = form.get("QueueResult", "").strip()[:32]
        waited = form.get("QueueTime", "")
        seconds = int(waited) if waited.isdigit() else None
        await calls.note_queue(session, interaction=caller.interaction, result=result, seconds=seconds)
        await session.commit()
        if result in ("queue-full", "error", "system-error"):
            return _record(settings, lang, (p.say(lang, "queue_busy"),))
        if result == "hangup":
            return VoiceResponse()
        response = VoiceResponse()
        response.append(Hangup())
        return response

    return await _answer(request, session, lang, build)


@router.post("/twilio/status")
async def call_status(request: Request, form: TwilioForm, session: SessionDep) -> Response:
    """Twilio's status callback: how the call ended and how long it lasted."""
    call_sid = call_sid_of(form)

    async def build() -> VoiceResponse:
        duration = form.get("CallDuration", "")
        status = form.get("CallStatus", "").strip()[:32]
        recorded = await calls.end_call(
            session, call_sid=call_sid, status=status, duration=int(duration) if duration.isdigit() else None
        )
        if recorded:
            await session.commit()
        else:
            log.info("voice status callback for a call never recorded")
        return VoiceResponse()

    return await _answer(request, session, "en", build)


def _assistant_gather(settings: Settings, lang: str, lead: tuple[str, ...], *, awaiting: str | None) -> VoiceResponse:
    """Say the assistant's replies and listen: to the answer to its question, or else to the next request.

    An answer to the assistant's question (yes or no, keyed 1 or 2) goes back to it; otherwise the caller is at
    the menu again, where a key picks an option and their own words go to the assistant.
    """
    response = VoiceResponse()
    url = action_url(settings, "assistant" if awaiting else "choice", lang=lang)
    gather = Gather(
        input="dtmf speech",
        num_digits=1,
        action=url,
        method="POST",
        language=p.locale(lang),
        timeout=6,
        speech_timeout="auto",
    )
    for text in lead:
        gather.append(_say(lang, text))
    if awaiting == "feedback":
        gather.append(_say(lang, p.say(lang, "answer_keys")))
    response.append(gather)
    response.append(Redirect(action_url(settings, "main", lang=lang), method="POST"))
    return response


async def _converse(
    request: Request, session: AsyncSession, caller: calls.Caller, lang: str, form: dict[str, str], text: str
) -> VoiceResponse:
    """What the caller said, through the same assistant as chat and SMS; its answer spoken.

    The words are recorded on the call's conversation (a retried webhook finds the same ones), so a hand-off
    gives the person who answers the whole exchange. A conversation someone already has goes to them.
    """
    settings = _settings(request)
    pipeline = _pipeline(request)
    call_sid = call_sid_of(form)
    await calls.add_step(session, interaction=caller.interaction, step="assistant")
    await session.commit()
    heard = hashlib.sha256(f"{call_sid}\n{len(caller.menu_path)}\n{text}".encode()).hexdigest()[:24]
    message = InboundMessage(
        channel=Channel.voice,
        kind=InteractionKind.message,
        external_id=f"{call_sid}:said:{heard}",
        sender=caller_sender(form.get("From", ""), region=settings.default_region),
        recipient=form.get("To") or None,
        text=text[: settings.max_body_chars],
        thread_refs=(call_sid,),
        metadata={"call_sid": call_sid, "speech": True},
        assistant=True,
    )
    result = await pipeline.ingest(session, message)
    if not result.assistant and not result.duplicate:
        return await _to_person(request, session, caller, lang, "assistant:person", [])
    turn = await selfservice.respond(
        session,
        pipeline=pipeline,
        index=request.app.state.knowledge,
        settings=settings,
        result=result,
        channel=Channel.voice,
        text=text,
    )
    if turn.handed_off:
        return await _to_person(request, session, caller, lang, f"assistant:{turn.intent}", list(turn.replies))
    if turn.article is not None:
        await calls.set_outcome(session, interaction=caller.interaction, outcome="self-served")
    await session.commit()
    if turn.awaiting is not None:
        return _assistant_gather(settings, lang, turn.replies, awaiting=turn.awaiting)
    return _assistant_gather(settings, lang, (*turn.replies, p.say(lang, "anything_else")), awaiting=None)


@router.post("/twilio/assistant")
async def assistant_answer(request: Request, form: TwilioForm, session: SessionDep, lang: Lang = "en") -> Response:
    """The caller answers the assistant (yes or no, a verification answer, a new question), spoken or keyed."""
    call_sid_of(form)
    settings = _settings(request)

    async def build() -> VoiceResponse:
        caller = await _caller(request, session, form)
        digits = (form.get("Digits") or "").strip()[:1]
        text = KEYED_ANSWERS.get(digits, digits) if digits else form.get("SpeechResult", "").strip()
        if not text:
            await session.commit()
            return _menu(settings, caller, lang, 0, [])
        return await _converse(request, session, caller, lang, form, text)

    return await _answer(request, session, lang, build)
