"""What demo citizens say and what staff answer, in English and French (the words are in demo/content/city.toml)."""

from __future__ import annotations

import random

from townsquare.demo.city import city


def inbound_text(rng: random.Random, service_code: str, lang: str, ref: str, *, first: bool) -> str:
    phrases = city().phrases
    if first:
        openers = phrases.openers[service_code]
        return rng.choice(openers.get(lang) or openers["en"])
    return rng.choice(phrases.follow_ups[lang]).format(ref=ref)


def reply_text(rng: random.Random, lang: str, ref: str) -> str:
    return rng.choice(city().phrases.replies[lang]).format(ref=ref)


def handoff_text(rng: random.Random, lang: str) -> str:
    """The assistant passing the person to a colleague."""
    handoffs = city().phrases.handoffs
    return rng.choice(handoffs.get(lang) or handoffs["en"])


def helped_text(rng: random.Random, lang: str) -> str:
    """A staff answer that settles the question without a case."""
    helped = city().phrases.helped
    return rng.choice(helped.get(lang) or helped["en"])
