"""The phone menu as a state machine: where the call is, and what the caller keyed or said → what happens next.

Pure: no database, no HTTP, no TwiML. A voice adapter gathers the call's facts (`CallFacts`), asks the
function for the step the caller is at, carries out the actions it gets back (noting the step on the call,
handing it to a person, ...) and renders the last one as its provider's prompt. Prompts are named by phrase
key (`channels.voice_prompts`), so the words stay in one place and in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

MAX_TRIES = 3
SHORT_ANSWER_WORDS = 4  # "option three please", "speak to an agent": longer speech is a request in its own words
KEYED_ANSWERS = {"1": "yes", "2": "no", "0": "agent"}  # keys for answering the assistant's yes/no questions
SPOKEN_CHOICES: dict[str, tuple[str, ...]] = {
    "1": ("one", "un", "my request", "ma demande"),
    "2": ("two", "deux", "reference", "référence"),
    "3": ("three", "trois", "message", "voicemail"),
    "4": ("four", "quatre", "call back", "callback", "call me", "rappel", "rappelez", "rappeler"),
    "5": ("five", "cinq", "appointment", "rendez-vous", "rendez vous"),
    "0": ("zero", "zéro", "agent", "person", "personne", "representative", "operator", "human", "humain"),
    "9": ("nine", "neuf", "french", "français", "francais", "english", "anglais"),
}


@dataclass(frozen=True)
class At:
    """Where the caller is: the language the menu speaks and how many answers it could not use in a row."""

    lang: str
    tries: int = 0


@dataclass(frozen=True)
class CallFacts:
    """What the menu may offer this caller."""

    has_offer: bool  # an open case of theirs to offer first
    can_call_back: bool  # the number is known, so a call-back is possible
    assistant: bool  # the assistant takes requests in the caller's own words
    can_book: bool = False  # the line books appointments (the next free times, read out)


# Actions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """Add this step to the call's menu path (what the person who answers sees)."""

    step: str


@dataclass(frozen=True)
class Menu:
    """Say the lead prompts, then the main menu, and listen."""

    at: At
    lead: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferStatus:
    """Say the status of the case offered first, then the menu."""


@dataclass(frozen=True)
class CaseStatus:
    """Say the status of the case whose reference the caller gave, then the menu."""

    reference: str


@dataclass(frozen=True)
class AskReference:
    at: At
    lead: tuple[str, ...] = ()


@dataclass(frozen=True)
class TakeVoicemail:
    lead: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallBack:
    """Hand the call to a person as a call-back to the caller's number, and end it."""

    leave_queue: bool = False


@dataclass(frozen=True)
class ToPerson:
    """Hand the call to a person now (the queue, or a transfer), noting `step`."""

    step: str
    lead: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferTimes:
    """Read out the next free appointment times and listen for one."""


@dataclass(frozen=True)
class Converse:
    """Give the caller's own words to the assistant."""

    text: str


@dataclass(frozen=True)
class KeepHolding:
    pass


@dataclass(frozen=True)
class HangUp:
    silently: bool = False


Action: TypeAlias = (
    Note
    | Menu
    | OfferStatus
    | CaseStatus
    | AskReference
    | TakeVoicemail
    | CallBack
    | ToPerson
    | OfferTimes
    | Converse
    | KeepHolding
    | HangUp
)


# Reading what was said ----------------------------------------------------------------------------------------


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


def assistant_answer(digits: str, speech: str) -> str:
    """An answer to the assistant's question: a key stands for yes/no/agent, else the caller's words."""
    return KEYED_ANSWERS.get(digits, digits) if digits else speech


# The steps ----------------------------------------------------------------------------------------------------


def at_menu(at: At, facts: CallFacts, *, digits: str, speech: str) -> tuple[Action, ...]:
    """The caller's answer to the main menu, keyed or spoken."""
    if not digits and facts.assistant and is_request(speech):
        return (Converse(speech),)
    key = digits or spoken_choice(speech) or ""
    if key == "1":  # always the status of a request: the caller's open one, or one by its reference
        return (
            (Note("1:case-status"), OfferStatus())
            if facts.has_offer
            else (Note("1:reference"), AskReference(At(at.lang)))
        )
    if key == "2":  # announced beside an offer ("another request"); the same as 1 without one
        return (Note("2:reference"), AskReference(At(at.lang)))
    if key == "3":
        return (Note("3:voicemail"), TakeVoicemail())
    if key == "4" and facts.can_call_back:
        return (Note("4:callback"), CallBack())
    if key == "5" and facts.can_book:
        return (Note("5:appointment"), OfferTimes())
    if key == "0":
        return (ToPerson("0:agent"),)
    if key == "9":
        other = "en" if at.lang == "fr" else "fr"
        return (Note(f"9:{other}"), Menu(At(other)))
    if at.tries + 1 >= MAX_TRIES:
        return (Note("invalid"), ToPerson("0:agent", ("to_person_after_tries",)))
    lead = ("callback_hidden",) if key == "4" else ("sorry_input",)
    return (Note("invalid"), Menu(At(at.lang, at.tries + 1), lead))


def at_reference(at: At, *, known: str | None) -> tuple[Action, ...]:
    """A reference keyed or spoken: `known` is the case it names if the caller may hear its status."""
    if known is not None:
        return (Note("2:case-status"), CaseStatus(known))
    if at.tries + 1 >= MAX_TRIES:
        return (Note("2:not-found"), Menu(At(at.lang), ("bad_reference", "back_to_menu")))
    return (Note("2:not-found"), AskReference(At(at.lang, at.tries + 1), ("bad_reference",)))


def at_assistant(at: At, facts: CallFacts, *, digits: str, speech: str) -> tuple[Action, ...]:
    """The caller answers the assistant's question (yes or no, a verification answer, a new question); silence
    goes back to the main menu, saying so, so a 1 or 2 meant as yes or no is never taken as a menu choice."""
    text = assistant_answer(digits, speech)
    return (Converse(text),) if text else (Menu(At(at.lang), ("back_to_menu",)),)


def at_times(at: At, *, digits: str, speech: str, offered: int) -> tuple[Action, ...] | int:
    """The caller's choice among `offered` times read out: the number of the time (1 to `offered`), a person (0),
    or, for anything else, the main menu again."""
    key = digits or spoken_choice(speech) or ""
    if key.isdigit() and 1 <= int(key) <= offered:
        return int(key)
    if key == "0":
        return (ToPerson("appointment:agent"),)
    return (Note("appointment:none"), Menu(At(at.lang), ("back_to_menu",)))


def while_waiting(*, digits: str, facts: CallFacts) -> tuple[Action, ...]:
    """A key pressed while waiting in the queue: 1 becomes a call-back that keeps the place."""
    if digits == "1" and facts.can_call_back:
        return (Note("queue:1:callback"), CallBack(leave_queue=True))
    return (KeepHolding(),)


def left_queue(*, result: str) -> tuple[Action, ...]:
    """The caller left the queue: answered, hung up, or the queue could not take them (a message instead)."""
    if result in ("queue-full", "error", "system-error"):
        return (TakeVoicemail(("queue_busy",)),)
    return (HangUp(silently=result == "hangup"),)
