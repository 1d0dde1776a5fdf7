"""Mastodon mentions after the flow took them, and the city's answers to them: public once, private after.

The first answer to a public post is itself public (unlisted), says thanks and offers to continue privately; every
other answer is a private mention. A public answer never carries personal data (`in_public.redact`). A private
mention saying "verify" and a phone or email, then the code sent there, joins the account to that person's record
as a verified chat device is joined (`claims`). Answers are recorded and go through the outbox; nothing commits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import verification
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.engagement import claims, in_public
from townsquare.engagement.mastodon_words import language_of, say
from townsquare.engagement.messages import InboundMessage, Outcome, ReplyResult
from townsquare.errors import Problem
from townsquare.events import InteractionRecorded, ReplyQueued, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import (
    Channel,
    Conversation,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.notify import rendering
from townsquare.notify import service as outbox
from townsquare.routing import service as routing
from townsquare.settings import Settings

NETWORK = "mastodon"  # the namespace of a Mastodon account's identity (IdentityKind.social)
OUTBOX = "mastodon"  # the outbox channel the Mastodon provider sends
PUBLIC = ("public", "unlisted")
CONTACT_PATH = "/#contact"  # the portal's ways to reach the city privately (phone, email, the chat)
VERIFY = re.compile(r"^(?:verify|v[ée]rifier)\s+(\S.{2,319})$", re.IGNORECASE)  # a phone may be spaced
CODE = re.compile(r"^\d{3}\s?\d{3}$")
KNOWN_KINDS = (IdentityKind.phone, IdentityKind.email, IdentityKind.postal)


@dataclass(frozen=True)
class Step:
    """A private mention that is a step of verifying a contact: asking for a code, or giving it back."""

    code: str | None = None
    contact: str | None = None


def verification_step(text: str, visibility: str | None) -> Step | None:
    """The verification step a private mention's words take, if any (only ever in a private mention)."""
    if visibility != "direct":
        return None
    words = " ".join(text.split())
    if (asked := VERIFY.match(words)) is not None:
        return Step(contact=asked.group(1))
    if CODE.match(words):
        return Step(code=words.replace(" ", ""))
    return None


def status_of(interaction: Interaction | None) -> dict[str, Any]:
    """What an interaction recorded of its Mastodon status (empty for any other)."""
    return status_of_payload(interaction.payload if interaction is not None else None)


def status_of_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    found = (payload or {}).get(NETWORK)
    return dict(found) if isinstance(found, dict) else {}


def is_account(identity: Identity | None) -> bool:
    return identity is not None and identity.kind is IdentityKind.social and identity.namespace == NETWORK


async def after_contact(
    session: AsyncSession, settings: Settings, *, outcome: Outcome, message: InboundMessage
) -> None:
    """What the city says at once to a new mention: a verification step's answer, else the first answer of a
    conversation (public after a public post, private after a private one); nothing to a post without words."""
    placed = outcome.placed
    if placed is None or placed.identity is None or outcome.duplicate:
        return
    status = message.metadata.get(NETWORK, {})
    language = language_of(status.get("language"))
    step = verification_step(message.text, status.get("visibility"))
    if step is not None:
        text = await _verify(session, settings, placed.identity, step, language)
        await _answer_at_once(session, settings, placed.interaction, text, "direct")
        return
    if not message.needs_person or not settings.mastodon_acknowledge:
        return
    if status.get("visibility") in PUBLIC:
        if await public_answer_given(session, conversation_id=placed.conversation.id):
            return
        head, tail = say(language, "thanks_public"), offer(settings, language)
        await _answer_at_once(session, settings, placed.interaction, f"{head} {tail}", "unlisted")
    elif outcome.conversation_created:
        await _answer_at_once(session, settings, placed.interaction, say(language, "thanks_private"), "direct")


def offer(settings: Settings | None, language: str) -> str:
    """The invitation to continue privately, with the portal's contact page."""
    link = settings.public_url.rstrip("/") + CONTACT_PATH if settings is not None else "—"
    return say(language, "offer", link=link)


async def public_answer_given(session: AsyncSession, *, conversation_id: uuid.UUID) -> bool:
    """Whether the city already answered publicly in this conversation (then every later answer is private)."""
    rows = await session.execute(
        select(Interaction.payload).where(
            Interaction.conversation_id == conversation_id,
            Interaction.channel == Channel.social,
            Interaction.direction == Direction.outbound,
        )
    )
    return any(status_of_payload(payload).get("visibility") in PUBLIC for payload in rows.scalars())


async def _verify(session: AsyncSession, settings: Settings, account: Identity, step: Step, language: str) -> str:
    """Send a code to the contact asked for, or check the code given back and join the account to its holder."""
    if step.contact is not None:
        kind = IdentityKind.email if "@" in step.contact else IdentityKind.phone
        try:
            value = citizens.normalise(kind, step.contact, region=settings.default_region)
            if await claims.codes_sent_to(session, kind=kind, value=value) >= claims.CODES_PER_ADDRESS_PER_HOUR:
                return say(language, "cannot_send")
            await claims.start_verification(
                session, settings=settings, citizen_id=account.citizen_id, kind=kind, raw_value=value
            )
        except Problem:
            return say(language, "cannot_send")
        minutes = settings.verification_code_minutes
        return say(language, "code_sent", where=masked(kind, value), minutes=minutes)
    checked = await verification.check(
        session, citizen_id=account.citizen_id, code=step.code or "", secret_key=settings.secret_key
    )
    if checked.outcome is verification.Outcome.verified and checked.challenge is not None:
        await claims.claim(session, device=account, kind=checked.challenge.kind, value=checked.challenge.value)
        return say(language, "verified")
    if checked.outcome is verification.Outcome.wrong:
        return say(language, "code_wrong", left=checked.attempts_left)
    if checked.outcome is verification.Outcome.missing:
        return say(language, "no_code")
    return say(language, "code_expired")


def masked(kind: IdentityKind, value: str) -> str:
    """A phone or an address as a private answer may echo it: enough to recognise, never the whole."""
    if kind is IdentityKind.phone:
        return "•••" + value[-4:]
    local, _, domain = value.partition("@")
    return f"{local[:1]}•••@{domain}"


async def _answer_at_once(
    session: AsyncSession, settings: Settings, inbound: Interaction, text: str, visibility: str
) -> None:
    """The city's own answer to a mention, recorded as that contact's answer and sent through the outbox."""
    status = status_of(inbound)
    account = str(status.get("account", ""))
    body = in_public.fit(f"@{account}", text, "", limit=settings.mastodon_max_characters)
    conversation = await interactions.get_conversation(session, conversation_id=inbound.conversation_id)
    answered = await _record(
        session,
        conversation,
        body,
        external_id=None,  # the status id Mastodon gives it, once posted: an answer to it threads back here
        identity_id=inbound.identity_id,
        status={"visibility": visibility, "in_reply_to_id": status.get("status_id"), "via": "acknowledgement"},
        extra={"in_reply_to": str(inbound.id)},
    )
    await _send(session, answered, account, language_of(status.get("language")))
    publish_after_commit(
        session,
        InteractionRecorded(
            interaction_id=answered.id,
            citizen_id=answered.citizen_id,
            conversation_id=answered.conversation_id,
            channel=Channel.social.value,
        ),
    )


async def _record(
    session: AsyncSession,
    conversation: Conversation,
    body: str,
    *,
    external_id: str | None,
    identity_id: uuid.UUID | None,
    status: dict[str, Any],
    staff_id: uuid.UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> Interaction:
    return await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.social,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body=body,
        external_id=external_id,
        payload={NETWORK: status, **(extra or {})},
        staff_id=staff_id,
        delivery_status=DeliveryStatus.queued,
        identity_id=identity_id,
    )


async def _send(session: AsyncSession, answered: Interaction, account: str, language: str) -> uuid.UUID:
    """Queue the status for Mastodon's `POST /api/v1/statuses` (the provider adds the token and the key)."""
    status = status_of(answered)
    payload = {
        "status": answered.body,
        "visibility": status["visibility"],
        "in_reply_to_id": status.get("in_reply_to_id"),
        "language": language,
    }
    answered.payload = {**answered.payload, "rendered": payload}
    row = await outbox.enqueue(
        session,
        channel=OUTBOX,
        recipient=account[:320],
        payload=payload,
        idempotency_key=f"interaction:{answered.id}",
        interaction_id=answered.id,
    )
    return row.id


async def account_of(
    session: AsyncSession, *, citizen_id: uuid.UUID, answered: Interaction | None, chosen: uuid.UUID | None
) -> Identity | None:
    """The Mastodon account a social reply goes to, or None when the reply is for another network: the account
    staff chose, else the one the person last wrote from, else (writing first) their Mastodon account."""
    if chosen is not None:
        identity = await session.get(Identity, chosen)
        return identity if is_account(identity) and identity is not None and identity.citizen_id == citizen_id else None
    if answered is not None:
        identity = await session.get(Identity, answered.identity_id) if answered.identity_id else None
        return identity if is_account(identity) else None
    best = await citizens.contact_for(session, citizen_id=citizen_id, kind=IdentityKind.social)
    return best if is_account(best) else None


async def answer(
    session: AsyncSession,
    *,
    conversation: Conversation,
    account: Identity,
    answered: Interaction | None,
    content: rendering.Content,
    staff_id: uuid.UUID | None,
    settings: Settings | None,
    read_more: Callable[[uuid.UUID], str] | None = None,
) -> ReplyResult:
    """A reply from staff to a Mastodon account: public (redacted, with the offer to continue privately) only as the
    first answer to a public post; a private mention otherwise, with a link to the full text if it is too long."""
    status = status_of(answered)
    language = language_of(status.get("language"))
    given = await public_answer_given(session, conversation_id=conversation.id)
    visibility = in_public.visibility(status.get("visibility"), public_answer_given=given)
    limit = settings.mastodon_max_characters if settings is not None else 500
    head, text, tail = f"@{account.value}", content.text.strip(), ""
    removed: tuple[str, ...] = ()
    if visibility != "direct":
        known = await known_of(session, citizen_id=conversation.citizen_id)
        region = settings.default_region if settings is not None else "CA"
        redacted = in_public.redact(text, known=known, region=region, language=language)
        text, removed, tail = redacted.text, redacted.removed, offer(settings, language)
    meta: dict[str, Any] = {
        "visibility": visibility,
        "in_reply_to_id": status.get("status_id"),
        "redacted": list(removed),
    }
    recorded = await _record(
        session, conversation, "", external_id=None, identity_id=account.id, status=meta, staff_id=staff_id
    )
    if visibility == "direct" and len(f"{head} {text}") > limit and read_more is not None:
        tail = read_more(recorded.id)
        recorded.payload = {**recorded.payload, "full_text": content.text}
    recorded.body = in_public.fit(head, text, tail, limit=limit)
    outbox_id = await _send(session, recorded, account.value, language)
    if staff_id is not None:
        await routing.mark_answered(session, conversation_id=conversation.id, at=recorded.occurred_at)
    publish_after_commit(
        session,
        ReplyQueued(
            interaction_id=recorded.id,
            conversation_id=conversation.id,
            citizen_id=conversation.citizen_id,
            channel=Channel.social.value,
        ),
    )
    return ReplyResult(str(recorded.id), str(outbox_id), Channel.social, dict(recorded.payload["rendered"]))


async def known_of(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[str]:
    """What is known of the person that a public answer must not repeat: their names and their contacts."""
    citizen = await session.get(Citizen, citizen_id)
    names = [citizen.display_name, citizen.given_name, citizen.family_name] if citizen is not None else []
    rows = await session.execute(
        select(Identity.value).where(Identity.citizen_id == citizen_id, Identity.kind.in_(KNOWN_KINDS))
    )
    contacts = [line for value in rows.scalars() for line in value.splitlines()]
    return [n for n in (*names, *contacts) if n]
