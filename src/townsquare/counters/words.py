"""What the counters say to a visitor, in English and French: the estimated wait in words, and the texts sent to
a phone given at check-in (in line, then "it's your turn"). Kept with the domain (the texts leave through the
outbox, far from any page), one sentence per language.
"""

from __future__ import annotations

ROUND_TO = 5  # minutes: an estimate is a promise of roughly, never of the minute

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "none": "no wait",
        "soon": "less than 5 minutes",
        "minutes": "about {n} minutes",
        "hours": "about {n} hours",
        "hour": "about 1 hour",
        "in_line": (
            "{office}: your ticket is {label} ({service}). Estimated wait: {wait}. "
            "We will text you when it is your turn."
        ),
        "appointment": "{office}: your ticket is {label} ({service}). You will be called at your appointment time.",
        "turn": "{office}: it is your turn. Ticket {label}, please go to counter {counter}.",
    },
    "fr": {
        "none": "aucune attente",
        "soon": "moins de 5 minutes",
        "minutes": "environ {n} minutes",
        "hours": "environ {n} heures",
        "hour": "environ 1 heure",
        "in_line": (
            "{office} : votre ticket est le {label} ({service}). Attente estimée : {wait}. "
            "Nous vous écrirons quand ce sera votre tour."
        ),
        "appointment": (
            "{office} : votre ticket est le {label} ({service}). Vous serez appelé à l'heure de votre rendez-vous."
        ),
        "turn": "{office} : c'est votre tour. Ticket {label}, présentez-vous au guichet {counter}.",
    },
}


def _of(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def about(seconds: int | None, language: str) -> str:
    """An estimated wait in words: "no wait", "less than 5 minutes", "about 15 minutes", "about 2 hours"."""
    words = _of(language)
    if not seconds or seconds <= 0:
        return words["none"]
    minutes = seconds / 60
    if minutes < ROUND_TO:
        return words["soon"]
    if minutes < 90:
        return words["minutes"].format(n=int(ROUND_TO * round(minutes / ROUND_TO)))
    hours = round(minutes / 60)
    return words["hour"] if hours == 1 else words["hours"].format(n=hours)


def in_line(language: str, *, office: str, label: str, service: str, wait_seconds: int | None) -> str:
    """The text a visitor gets on taking a ticket."""
    if wait_seconds is None:
        return _of(language)["appointment"].format(office=office, label=label, service=service)
    wait = about(wait_seconds, language)
    return _of(language)["in_line"].format(office=office, label=label, service=service, wait=wait)


def turn(language: str, *, office: str, label: str, counter: str) -> str:
    """The text a visitor gets when called to a counter."""
    return _of(language)["turn"].format(office=office, label=label, counter=counter)
