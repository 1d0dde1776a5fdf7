"""The SMS channel's rules: STOP/START/HELP keywords, survey answers, opt-outs, acknowledgements, delivery reports.

`Sms` is the channel policy the engagement flow consults for every inbound text; the Twilio adapter only
translates. Nothing here commits, and nothing logs a phone number or a message's text.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.assistant import reporting
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.engagement import policies
from townsquare.engagement.placing import Placed
from townsquare.engagement.policies import Screening
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import replies as answers
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, Interaction
from townsquare.notify.models import OutboxMessage

log = logging.getLogger(__name__)


class Keyword(StrEnum):
    stop = "stop"
    start = "start"
    help = "help"


@dataclass(frozen=True)
class KeywordMatch:
    keyword: Keyword
    language: str  # the language the person used, so the answer comes back in it


_KEYWORDS: dict[str, KeywordMatch] = {
    **{w: KeywordMatch(Keyword.stop, "en") for w in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")},
    "ARRET": KeywordMatch(Keyword.stop, "fr"),
    **{w: KeywordMatch(Keyword.start, "en") for w in ("START", "YES", "UNSTOP")},
    "DEBUT": KeywordMatch(Keyword.start, "fr"),
    **{w: KeywordMatch(Keyword.help, "en") for w in ("HELP", "INFO")},
    "AIDE": KeywordMatch(Keyword.help, "fr"),
}

ANSWERS: dict[tuple[Keyword, str], str] = {
    (
        Keyword.stop,
        "en",
    ): "You will get no more text messages from us at this number. Text START to receive them again.",
    (Keyword.stop, "fr"): "Vous ne recevrez plus de textos de notre part à ce numéro. Répondez DEBUT pour les recevoir "
    "à nouveau.",
    (Keyword.start, "en"): "Text messages to this number are back on. Text STOP at any time to stop them.",
    (Keyword.start, "fr"): "Les textos vers ce numéro sont réactivés. Répondez ARRET à tout moment pour les arrêter.",
    (Keyword.help, "en"): "City services: text your question and a member of staff will answer here. Text STOP to "
    "stop messages, START to resume. Message and data rates may apply.",
    (Keyword.help, "fr"): "Services municipaux : écrivez votre question et un membre du personnel vous répondra ici. "
    "Répondez ARRET pour ne plus recevoir de messages, DEBUT pour les recevoir à nouveau.",
}


# Also an answer to the assistant's "did that answer your question? Reply YES or NO": a START only for a number
# that opted out (for any other it would turn on what is already on).
AMBIGUOUS = frozenset({"YES"})


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()


def keyword_of(text: str) -> KeywordMatch | None:
    """The STOP/START/HELP keyword a whole message is, ignoring case, accents and surrounding blanks."""
    return _KEYWORDS.get(_plain(text))


def acknowledgement(*, case_reference: str | None, language: str) -> str:
    """The short answer to a message that starts a conversation."""
    if language == "fr":
        about = f" au sujet du dossier {case_reference}" if case_reference else ""
        return f"Merci, nous avons reçu votre message{about}. Un membre du personnel vous répondra ici."
    about = f" about case {case_reference}" if case_reference else ""
    return (
        f"Thanks, we have your message{about}. A member of staff will answer here. Text HELP for help, STOP to opt out."
    )


class Sms:
    """The SMS policy: a keyword is answered and applied here; an opted-out number is never texted."""

    async def screen(self, session: AsyncSession, placed: Placed) -> Screening:
        text = placed.message.text
        keyword = keyword_of(text)
        identity = placed.identity
        opted_out = identity is not None and identity.opted_out_at is not None
        if keyword is not None and _plain(text) in AMBIGUOUS and not opted_out:
            keyword = None  # "YES" answers the assistant's question unless the number asked for nothing
        if keyword is not None:
            if identity is not None and keyword.keyword is not Keyword.help:
                stop = keyword.keyword is Keyword.stop
                await citizens.set_opted_out(session, identity_id=identity.id, opted_out=stop)
            if keyword.keyword is Keyword.stop:  # (a bare CANCEL too): a guided report cannot go on by text
                await reporting.forget(session, conversation_id=placed.conversation.id)
            answer = ANSWERS[(keyword.keyword, keyword.language)]
            return Screening(answers=(answer,), answer_payload={"via": "twiml"}, needs_person=False, assistant=False)
        survey = None if opted_out else await policies.survey_answer(session, placed, via="twiml")
        if survey is not None:
            return survey
        reference = placed.case.reference if placed.case is not None else None
        return Screening(
            answer_payload={"via": "twiml"},
            assistant=not opted_out,
            silent=opted_out,
            acknowledgement=acknowledgement(case_reference=reference, language=placed.citizen.language),
        )


# Twilio's MessageStatus values, as what they say about delivery; None: no news (still on its way).
PROVIDER_STATUS: dict[str, DeliveryStatus | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": None,
    "sent": DeliveryStatus.sent,
    "delivered": DeliveryStatus.delivered,
    "read": DeliveryStatus.delivered,
    "undelivered": DeliveryStatus.failed,
    "failed": DeliveryStatus.failed,
    "canceled": DeliveryStatus.failed,
}
_RANK = {DeliveryStatus.queued: 0, DeliveryStatus.sent: 1, DeliveryStatus.delivered: 2, DeliveryStatus.failed: 2}


async def delivery_update(
    session: AsyncSession, *, message_sid: str, provider_status: str, error_code: str | None = None
) -> Interaction | None:
    """Apply a provider's delivery report to the outbound interaction it sent as `message_sid`.

    Never moves backwards (a late `sent` after `delivered` changes nothing); a failure keeps the provider's
    error code in the payload. Returns the interaction, or None if no outbound SMS has that id. Does not commit.
    """
    interaction = await interactions.find_by_external_id(session, channel=Channel.sms, external_id=message_sid)
    if interaction is None or interaction.direction is not Direction.outbound:
        return None
    status = PROVIDER_STATUS.get(provider_status.strip().lower())
    current = interaction.delivery_status or DeliveryStatus.queued
    payload = dict(interaction.payload or {})
    payload["provider_status"] = provider_status.strip().lower()[:32]
    if status is DeliveryStatus.failed and error_code:
        payload["error_code"] = error_code[:16]
    changed = status is not None and _RANK[status] > _RANK[current]
    if changed and status is not None:
        interaction.delivery_status = status
    interaction.payload = payload
    await session.flush()
    if changed and status is not None:
        publish_after_commit(session, DeliveryChanged(interaction_id=interaction.id, status=status.value))
    return interaction


@dataclass(frozen=True)
class SentText:
    """One text the platform sent to a number: an answer in TwiML or a message through the outbox."""

    id: str
    at: datetime
    body: str
    status: str
    via: str  # "twiml" or "outbox"
    sender: str | None


async def sent_to(session: AsyncSession, *, phone: str, limit: int = 50) -> list[SentText]:
    """What the platform has texted to a normalised phone number, newest first (the simulator's inbox)."""
    rows = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.channel == Channel.sms.value, OutboxMessage.recipient == phone)
        .order_by(OutboxMessage.created_at.desc())
        .limit(limit)
    )
    texts = [
        SentText(
            str(row.id),
            row.created_at,
            str(row.payload.get("body", "")),
            row.status.value,
            "outbox",
            row.payload.get("from"),
        )
        for row in rows.scalars()
    ]
    identity = await citizens.find_identity(session, kind=IdentityKind.phone, value=phone)
    if identity is not None:
        in_band = await answers.sent_in_band(session, identity_id=identity.id, channel=Channel.sms, limit=limit)
        texts += [
            SentText(str(a.id), a.occurred_at, a.body, (a.delivery_status or DeliveryStatus.sent).value, "twiml", None)
            for a in in_band
        ]
    texts.sort(key=lambda t: t.at, reverse=True)
    return texts[:limit]
