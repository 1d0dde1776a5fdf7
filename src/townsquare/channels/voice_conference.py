"""The TwiML of a call connected to its agent: the caller's way into the work item's conference, the agent's leg,
the hold music, and what is said on the way, in English and French.

Twilio's `<Dial><Conference>` built with the twilio helpers. Every callback URL is the platform's own, signed by
Twilio like the menu's; the work item travels in the query. Nothing here reads or writes the database.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Conference, Dial, Hangup, Play, VoiceResponse

from townsquare.channels.voice_prompts import language_of
from townsquare.channels.voice_twiml import action_url, say
from townsquare.settings import Settings

CONFERENCE_EVENTS = "start end join leave hold"
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "connecting": "Thank you for holding. Connecting you to {agent} now.",
        "connecting_someone": "Thank you for holding. Connecting you to a person now.",
        "consent": (
            "This call is recorded so we can keep a record of what was agreed. If you do not want to be "
            "recorded, tell the person who answers, or hang up and write to us instead."
        ),
        "hold": "Please stay on the line. Someone will be with you shortly.",
        "agent_call": "A call from the work you accepted. Connecting you now.",
        "refused": "This call cannot be connected: {reason} Goodbye.",
    },
    "fr": {
        "connecting": "Merci de votre patience. Je vous mets en relation avec {agent}.",
        "connecting_someone": "Merci de votre patience. Je vous mets en relation avec une personne.",
        "consent": (
            "Cet appel est enregistré afin de garder une trace de ce qui a été convenu. Si vous ne voulez pas être "
            "enregistré, dites-le à la personne qui répond, ou raccrochez et écrivez-nous."
        ),
        "hold": "Veuillez rester en ligne. Une personne va vous répondre sous peu.",
        "agent_call": "Un appel du travail que vous avez accepté. Mise en relation.",
        "refused": "Cet appel ne peut pas être mis en relation : {reason} Au revoir.",
    },
}


def words(lang: str, key: str, **values: object) -> str:
    return WORDS[language_of(lang)][key].format(**values)


def _conference(settings: Settings, name: str, item: str, *, label: str, caller: bool, record: bool) -> Conference:
    """The conference noun: the caller waits with music until the agent's leg starts it, and its leaving ends it."""
    extra: dict[str, str] = {}
    if record:
        extra = {
            "record": "record-from-start",
            "recording_status_callback": action_url(settings, "recording", item=item),
            "recording_status_callback_method": "POST",
            "recording_status_callback_event": "completed",
        }
    return Conference(
        name,
        start_conference_on_enter=not caller,
        end_conference_on_exit=caller,
        beep=False,
        wait_url=action_url(settings, "hold-music", lang="en") if caller else None,
        wait_method="POST" if caller else None,
        status_callback=action_url(settings, "conference", item=item),
        status_callback_method="POST",
        status_callback_event=CONFERENCE_EVENTS,
        participant_label=label[:100],
        **extra,
    )


def caller_into_conference(
    settings: Settings, *, conference: str, item: str, lang: str, agent: str, record: bool
) -> VoiceResponse:
    """What the waiting caller's call is redirected to: who they are being put through to, the recording notice
    first when the call will be recorded (said before the conference, and so the recording, starts), then the
    conference. When the agent hangs up, the dial's action asks the caller the survey question."""
    response = VoiceResponse()
    response.append(say(lang, words(lang, "connecting", agent=agent) if agent else words(lang, "connecting_someone")))
    if record:
        response.append(say(lang, words(lang, "consent")))
    dial = Dial(action=action_url(settings, "dial-result", lang=language_of(lang)), method="POST")
    dial.append(_conference(settings, conference, item, label="caller", caller=True, record=record))
    response.append(dial)
    return response


def agent_into_conference(
    settings: Settings, *, conference: str, item: str, label: str, announce: bool
) -> VoiceResponse:
    """The agent's leg (their softphone through the TwiML App, or their phone the platform dialled)."""
    response = VoiceResponse()
    if announce:
        response.append(say("en", words("en", "agent_call")))
    dial = Dial()
    dial.append(_conference(settings, conference, item, label=label or "agent", caller=False, record=False))
    response.append(dial)
    return response


def refused(reason: str, lang: str = "en") -> VoiceResponse:
    """Spoken to a leg the platform will not connect, then the line is closed."""
    response = VoiceResponse()
    response.append(say(lang, words(lang, "refused", reason=reason)))
    response.append(Hangup())
    return response


def hold_music(settings: Settings, lang: str) -> VoiceResponse:
    """Played to a caller on hold or waiting for the agent's leg (Twilio plays it again when it ends)."""
    response = VoiceResponse()
    response.append(say(lang, words(lang, "hold")))
    response.append(Play(settings.voice_hold_music_url))
    return response
