"""The phone menu's prompts in TwiML, built with the twilio helpers: what each step says and where it listens.

Call state the next step needs (language, attempts) travels in the action URL's query, which Twilio's
signature covers. Nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from twilio.twiml.voice_response import Enqueue, Gather, Hangup, Record, Redirect, Say, VoiceResponse

from townsquare.channels import voice_prompts as p
from townsquare.engagement.calls import Offer
from townsquare.settings import Settings

BASE = "/channels/voice/twilio"
VOICEMAIL_MAX_SECONDS = 180


def action_url(settings: Settings, step: str, **params: object) -> str:
    """The absolute URL of a menu step, with the call state the next request needs in its (signed) query."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{settings.public_url.rstrip('/')}{BASE}/{step}" + (f"?{query}" if query else "")


def say(lang: str, text: str) -> Say:
    return Say(text, voice=p.VOICE, language=p.locale(lang))


def _lead(response: VoiceResponse | Gather, lang: str, lead: Sequence[str]) -> None:
    for text in lead:
        response.append(say(lang, text))


def menu(
    settings: Settings,
    offers: Sequence[Offer],
    *,
    can_call_back: bool,
    lang: str,
    tries: int,
    lead: Sequence[str],
    can_book: bool = False,
) -> VoiceResponse:
    """The main menu: the caller's open case first, then the fixed options; no answer comes back as a retry."""
    response = VoiceResponse()
    _lead(response, lang, lead)
    gather = Gather(
        input="dtmf speech",
        num_digits=1,
        action=action_url(settings, "choice", lang=lang, tries=tries),
        method="POST",
        language=p.locale(lang),
        timeout=6,
    )
    for offer in offers[:1]:
        label = offer.label or p.say(lang, "your_request")
        gather.append(say(lang, p.say(lang, "offer_case", label=label, reference=p.spoken_reference(offer.reference))))
    if not offers:
        gather.append(say(lang, p.say(lang, "menu_status")))
    callback = p.say(lang, "menu_callback") if can_call_back else ""
    gather.append(say(lang, p.say(lang, "menu", callback=callback)))
    if can_book:
        gather.append(say(lang, p.say(lang, "menu_book")))
    if settings.assistant_enabled:
        gather.append(say(lang, p.say(lang, "ask_anything")))
    gather.append(say("fr" if lang == "en" else "en", p.say(lang, "switch")))
    response.append(gather)
    response.append(Redirect(action_url(settings, "choice", lang=lang, tries=tries), method="POST"))
    return response


def goodbye(lang: str, key: str, **values: object) -> VoiceResponse:
    response = VoiceResponse()
    response.append(say(lang, p.say(lang, key, **values)))
    response.append(Hangup())
    return response


def one_moment(settings: Settings, lang: str, *, held: int, pause_seconds: int = 2) -> VoiceResponse:
    """The caller hears "one moment" and waits; then Twilio asks the call's first URL again (`held` times so far),
    as it would a new call, and the retry finds the call if the first try was recorded after all."""
    response = VoiceResponse()
    response.append(say(lang, p.say(lang, "one_moment")))
    response.pause(length=pause_seconds)
    response.append(Redirect(f"{settings.public_url.rstrip('/')}{BASE}?held={held}", method="POST"))
    return response


def ask_reference(settings: Settings, lang: str, tries: int, lead: Sequence[str]) -> VoiceResponse:
    response = VoiceResponse()
    _lead(response, lang, lead)
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
    gather.append(say(lang, p.say(lang, "ask_reference")))
    response.append(gather)
    response.append(Redirect(url, method="POST"))
    return response


def record(settings: Settings, lang: str, lead: Sequence[str] = ()) -> VoiceResponse:
    response = VoiceResponse()
    _lead(response, lang, (*lead, p.say(lang, "voicemail_prompt")))
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
    response.append(say(lang, p.say(lang, "voicemail_none")))
    response.append(Redirect(action_url(settings, "main", lang=lang), method="POST"))
    return response


def to_person(settings: Settings, lang: str, lead: Sequence[str], *, agency_slug: str) -> VoiceResponse:
    """Put the caller through: a transfer when one is configured, else the agency's queue with hold music."""
    response = VoiceResponse()
    _lead(response, lang, lead)
    if settings.voice_transfer_number:
        response.append(say(lang, p.say(lang, "transfer")))
        # When the other side hangs up, Twilio asks the action what next: the survey (channels/voice_survey.py).
        response.dial(settings.voice_transfer_number, action=action_url(settings, "dial-result", lang=lang))
        response.append(Hangup())
        return response
    response.append(say(lang, p.say(lang, "hold")))
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


def assistant_gather(settings: Settings, lang: str, lead: Sequence[str], *, awaiting: str | None) -> VoiceResponse:
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
    _lead(gather, lang, lead)
    if awaiting == "feedback":
        gather.append(say(lang, p.say(lang, "answer_keys")))
    response.append(gather)
    # Silence after a question goes back through the question's step (which says "back to the main menu").
    response.append(Redirect(url if awaiting else action_url(settings, "main", lang=lang), method="POST"))
    return response


def waiting(settings: Settings, lang: str, *, position: int | None, can_call_back: bool) -> VoiceResponse:
    """Played to a caller waiting in the queue: their place, and a call-back that keeps it."""
    response = VoiceResponse()
    if position is not None:
        response.append(say(lang, p.say(lang, "position", position=position)))
    if can_call_back:
        gather = Gather(input="dtmf", num_digits=1, action=action_url(settings, "wait-choice", lang=lang), timeout=8)
        gather.append(say(lang, p.say(lang, "queue_callback")))
        response.append(gather)
    return response
