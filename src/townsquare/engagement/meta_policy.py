"""The rules of Meta's channels: a Messenger, Instagram or WhatsApp account joins its person's record by a code.

"VERIFY" (or "VÉRIFIER") and a phone number or email address sends a code there (`engagement.claims`, as a chat
device does); the code sent back on the account proves the person holds both, and the account joins the record
that holds the contact. These are answered on the account itself (through the outbox: Meta's webhooks carry no
answer) and open no work. Everything else goes to a person, a new conversation thanked for on the app. Never
commits, never logs a contact or a code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import verification
from townsquare.citizens.models import IdentityKind
from townsquare.engagement import claims
from townsquare.engagement.chat import masked
from townsquare.engagement.placing import Placed
from townsquare.engagement.policies import Screening
from townsquare.engagement.social import Network, network_of
from townsquare.errors import Problem
from townsquare.settings import Settings

CODE = re.compile(r"\d{3} ?\d{3}")
KEYWORDS = {"VERIFY": "en", "VERIFIER": "fr"}
NAMES = {Network.whatsapp: "WhatsApp", Network.messenger: "Messenger", Network.instagram: "Instagram"}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "sent": "We sent a 6-digit code to {where}. Send it here to join this {network} account to your record.",
        "how": "Send VERIFY and your phone number or email address, for example: VERIFY +1 613 555 0142.",
        "busy": "Too many codes were asked for; please wait an hour and try again.",
        "stopped": "That number asked us to stop texting it (STOP). Text START to our number first, or give an "
        "email address.",
        "verified": "Thank you: this {network} account is now joined to your record.",
        "wrong": "That code is not right. You can try {left} more time(s).",
        "again": "That code can no longer be used. Send VERIFY and your phone number or email address for a new one.",
        "thanks": "Thanks, we have your message{about}. A member of staff will answer here.",
        "about": " about case {reference}",
    },
    "fr": {
        "sent": "Nous avons envoyé un code à 6 chiffres à {where}. Envoyez-le ici pour joindre ce compte {network} "
        "à votre dossier.",
        "how": "Envoyez VERIFIER suivi de votre numéro de téléphone ou de votre adresse courriel, par exemple : "
        "VERIFIER +1 613 555 0142.",
        "busy": "Trop de codes ont été demandés ; veuillez attendre une heure et réessayer.",
        "stopped": "Ce numéro nous a demandé de ne plus lui écrire (ARRET). Écrivez DEBUT à notre numéro d'abord, ou "
        "donnez une adresse courriel.",
        "verified": "Merci : ce compte {network} est maintenant joint à votre dossier.",
        "wrong": "Ce code n'est pas le bon. Il vous reste {left} essai(s).",
        "again": "Ce code ne peut plus servir. Envoyez VERIFIER et votre numéro ou votre adresse courriel pour en "
        "recevoir un nouveau.",
        "thanks": "Merci, nous avons reçu votre message{about}. Un membre du personnel vous répondra ici.",
        "about": " au sujet du dossier {reference}",
    },
}


@dataclass(frozen=True)
class Asked:
    """A request for a code: the contact as typed, and the language the keyword was in."""

    contact: str
    language: str


def _plain(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()


def asked_for_code(text: str) -> Asked | None:
    """'VERIFY +1 613…' or 'vérifier marie@…' as a request for a code; None for any other message."""
    keyword, _, rest = text.strip().partition(" ")
    language = KEYWORDS.get(_plain(keyword))
    return Asked(rest.strip(), language) if language is not None else None


def _answer(text: str) -> Screening:
    said = {"via": "meta"}
    return Screening(answers=(text,), answer_payload=said, needs_person=False, assistant=False, counted=False)


def _to_a_person(placed: Placed) -> Screening:
    """An ordinary message: to a person (no assistant on Meta's apps), a new conversation thanked for."""
    words = WORDS[placed.citizen.language if placed.citizen.language in WORDS else "en"]
    about = words["about"].format(reference=placed.case.reference) if placed.case is not None else ""
    thanks = words["thanks"].format(about=about)
    return Screening(answer_payload={"via": "meta"}, assistant=False, acknowledgement=thanks)


class MetaPolicy:
    """Codes that join a Meta account to its person; every other message goes on to a person."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def screen(self, session: AsyncSession, placed: Placed) -> Screening:
        identity = placed.identity
        network = network_of(identity.namespace) if identity is not None else None
        if identity is None or identity.kind is not IdentityKind.social or network is None:
            return Screening()  # another network's account: its own rules, if any
        text = placed.message.text
        asked = asked_for_code(text)
        if asked is not None:
            return await self._send_code(session, placed, asked, network)
        if CODE.fullmatch(text.strip()):
            return await self._check_code(session, placed, text, network) or _to_a_person(placed)
        return _to_a_person(placed)

    async def _send_code(self, session: AsyncSession, placed: Placed, asked: Asked, network: Network) -> Screening:
        words = WORDS[asked.language]
        kind = IdentityKind.email if "@" in asked.contact else IdentityKind.phone
        try:
            value = citizens.normalise(kind, asked.contact, region=self.settings.default_region)
        except Problem:
            return _answer(words["how"])
        if await claims.codes_sent_to(session, kind=kind, value=value) >= claims.CODES_PER_ADDRESS_PER_HOUR:
            return _answer(words["busy"])
        try:
            await claims.start_verification(
                session, settings=self.settings, citizen_id=placed.citizen.id, kind=kind, raw_value=value
            )
        except Problem as problem:
            said = {e.message for e in problem.errors}
            return _answer(words["stopped"] if "opted out" in said else words["busy"] if said else words["how"])
        return _answer(words["sent"].format(where=masked(kind, value), network=NAMES[network]))

    async def _check_code(self, session: AsyncSession, placed: Placed, text: str, network: Network) -> Screening | None:
        """A code answering the person's open challenge; None when they have none (the digits are a message)."""
        assert placed.identity is not None
        checked = await verification.check(
            session, citizen_id=placed.citizen.id, code=text, secret_key=self.settings.secret_key
        )
        if checked.outcome is verification.Outcome.missing:
            return None
        words = WORDS[placed.citizen.language if placed.citizen.language in WORDS else "en"]
        if checked.outcome is verification.Outcome.verified and checked.challenge is not None:
            challenge = checked.challenge
            await claims.claim(session, device=placed.identity, kind=challenge.kind, value=challenge.value)
            # A record made only of this account was folded into the holder's by bulk updates: read the rows the
            # flow goes on with afresh, so its answer is written on the person's record where the contact now is.
            for row in (placed.identity, placed.conversation, placed.interaction):
                await session.refresh(row)
            return _answer(words["verified"].format(network=NAMES[network]))
        if checked.outcome is verification.Outcome.wrong:
            return _answer(words["wrong"].format(left=checked.attempts_left))
        return _answer(words["again"])
