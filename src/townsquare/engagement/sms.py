"""What the SMS channel does with the database: keyword opt-outs, answers sent in TwiML, delivery callbacks.

The Twilio adapter translates the wire format and calls these; none of them commits (the adapter does) and
none of them logs a phone number or a message's text.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.db.engine import Database
from townsquare.engagement import assistant as engine
from townsquare.engagement.messages import IngestResult
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.events import DeliveryChanged, InteractionRecorded, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import (
    Attachment,
    Channel,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.interactions.storage import AttachmentStore
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings

log = logging.getLogger(__name__)
TWIML_ID_PREFIX = "twiml:"  # an answer sent in TwiML has no provider id of its own: it is named after the message


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


@dataclass(frozen=True)
class Sorted:
    """What an inbound text is before it is recorded: a keyword to act on, and whether the number opted out."""

    keyword: KeywordMatch | None
    opted_out: bool


async def sort_inbound(session: AsyncSession, *, sender: str, text: str, region: str) -> Sorted:
    """Read the sender's opt-out (one query) to tell a keyword from an answer to the assistant ("YES")."""
    keyword = keyword_of(text)
    try:
        phone = citizens.normalise_phone(sender, region=region)
    except Problem:
        return Sorted(keyword, False)  # the pipeline refuses the number; nothing to sort
    identity = await citizens.find_identity(session, kind=IdentityKind.phone, value=phone)
    opted_out = identity is not None and identity.opted_out_at is not None
    if keyword is not None and _plain(text) in AMBIGUOUS and not opted_out:
        keyword = None
    return Sorted(keyword, opted_out)


def acknowledgement(*, case_reference: str | None, language: str) -> str:
    """The short answer to a message that starts a conversation."""
    if language == "fr":
        about = f" au sujet du dossier {case_reference}" if case_reference else ""
        return f"Merci, nous avons reçu votre message{about}. Un membre du personnel vous répondra ici."
    about = f" about case {case_reference}" if case_reference else ""
    return (
        f"Thanks, we have your message{about}. A member of staff will answer here. Text HELP for help, STOP to opt out."
    )


@dataclass(frozen=True)
class Assistant:
    """What the SMS channel needs to let the assistant answer: the pipeline and the knowledge index."""

    pipeline: Pipeline
    index: KnowledgeIndex
    settings: Settings


async def answer_inbound(
    session: AsyncSession,
    *,
    result: IngestResult,
    message_sid: str,
    keyword: KeywordMatch | None,
    text: str = "",
    assistant: Assistant | None = None,
) -> list[str]:
    """Act on an ingested SMS (a keyword, a turn of the assistant) and the texts to answer it with in TwiML.

    Every answer is recorded on the timeline (ids `twiml:<MessageSid>`, then `:1`, `:2`). A retried webhook gets
    the answers the first delivery got, and a keyword is applied only once. Does not commit; the caller does.
    """
    answer_id = TWIML_ID_PREFIX + message_sid
    earlier = await interactions.find_by_external_id(session, channel=Channel.sms, external_id=answer_id)
    if earlier is not None and (earlier.payload or {}).get("via") != "assistant":
        return [earlier.body]
    if keyword is None and assistant is not None and (result.assistant or result.duplicate):
        turn = await engine.respond(
            session,
            pipeline=assistant.pipeline,
            index=assistant.index,
            settings=assistant.settings,
            result=result,
            channel=Channel.sms,
            text=text,
            reply_key=answer_id,
            handoff_reply=await _acknowledgement_for(session, result),
        )
        if turn.replies or result.assistant:
            return list(turn.replies)
    if earlier is not None:
        return [earlier.body]
    inbound = await session.get_one(Interaction, uuid.UUID(result.interaction_id))
    identity = await session.get(Identity, inbound.identity_id) if inbound.identity_id else None
    if keyword is not None:
        if identity is not None and keyword.keyword is not Keyword.help:
            await citizens.set_opted_out(session, identity_id=identity.id, opted_out=keyword.keyword is Keyword.stop)
        answer = ANSWERS[(keyword.keyword, keyword.language)]
    elif result.conversation_created and not result.duplicate:
        if identity is not None and identity.opted_out_at is not None:
            return []  # they asked for no messages here
        answer = await _acknowledgement_for(session, result)
    else:
        return []
    return [await _record_answer(session, inbound=inbound, answer_id=answer_id, text=answer)]


async def _acknowledgement_for(session: AsyncSession, result: IngestResult) -> str:
    citizen = await session.get(Citizen, uuid.UUID(result.citizen_id))
    return acknowledgement(case_reference=result.case_reference, language=citizen.language if citizen else "en")


async def _record_answer(session: AsyncSession, *, inbound: Interaction, answer_id: str, text: str) -> str:
    conversation = await interactions.get_conversation(session, conversation_id=inbound.conversation_id)
    try:
        async with session.begin_nested():
            answer = await interactions.record(
                session,
                conversation=conversation,
                channel=Channel.sms,
                direction=Direction.outbound,
                kind=InteractionKind.message,
                body=text,
                external_id=answer_id,
                payload={"via": "twiml"},
                delivery_status=DeliveryStatus.sent,
                identity_id=inbound.identity_id,
            )
    except IntegrityError:
        # Another delivery of the same webhook recorded the answer first; give the same one.
        found = await interactions.find_by_external_id(session, channel=Channel.sms, external_id=answer_id)
        if found is None:
            raise
        return found.body
    publish_after_commit(
        session,
        InteractionRecorded(
            interaction_id=answer.id,
            citizen_id=answer.citizen_id,
            conversation_id=answer.conversation_id,
            channel=Channel.sms.value,
        ),
    )
    return text


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
        answers = await session.execute(
            select(Interaction)
            .where(
                Interaction.identity_id == identity.id,
                Interaction.channel == Channel.sms,
                Interaction.direction == Direction.outbound,
                Interaction.external_id.startswith(TWIML_ID_PREFIX, autoescape=True),
            )
            .order_by(Interaction.occurred_at.desc())
            .limit(limit)
        )
        texts += [
            SentText(str(a.id), a.occurred_at, a.body, (a.delivery_status or DeliveryStatus.sent).value, "twiml", None)
            for a in answers.scalars()
        ]
    texts.sort(key=lambda t: t.at, reverse=True)
    return texts[:limit]


async def fetch_media(db: Database, store: AttachmentStore, settings: Settings, *, interaction_id: str) -> int:
    """Copy the media of an MMS from the provider's URLs into attachment storage; returns how many were kept.

    Runs after the message is committed. A file over the size limit, of a type not accepted, or that cannot
    be fetched keeps its URL only (and is logged without the URL, which can be read with the account's key).
    """
    async with db.session(deferred=True) as session:
        rows = await session.execute(
            select(Attachment.id, Attachment.source_url).where(
                Attachment.interaction_id == uuid.UUID(interaction_id),
                Attachment.sha256.is_(None),
                Attachment.source_url.is_not(None),
            )
        )
        pending = [(att_id, str(url)) for att_id, url in rows.all()]
    if not pending:
        return 0
    auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    kept: dict[uuid.UUID, tuple[str, int]] = {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(20.0), follow_redirects=True) as client:
        for att_id, url in pending:
            data = await _download(
                client,
                url,
                auth=auth if all(auth) else None,
                limit=settings.max_attachment_bytes,
                allowed=settings.allowed_attachment_types,
            )
            if data is None:
                log.warning("sms media for attachment %s kept as a link only", att_id)
                continue
            kept[att_id] = (store.save(data), len(data))
    if kept:
        async with db.session() as session:
            for att_id, (sha256, size) in kept.items():
                attachment = await session.get(Attachment, att_id)
                if attachment is not None:
                    attachment.sha256 = sha256
                    attachment.size_bytes = size
            await session.commit()
    return len(kept)


async def _download(
    client: httpx.AsyncClient, url: str, *, auth: tuple[str | None, str | None] | None, limit: int, allowed: list[str]
) -> bytes | None:
    """The file at `url`, streamed and abandoned past `limit` bytes or when of a type not allowed."""
    basic = (str(auth[0]), str(auth[1])) if auth else None
    try:
        async with client.stream("GET", url, auth=basic) as response:
            if response.status_code != 200:
                return None
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in allowed:
                return None
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    return None
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError:
        return None
