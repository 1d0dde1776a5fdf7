"""What the live chat does with the record, as use cases the websocket adapter calls.

The adapter owns the socket, the session and the commit; these functions read and write in that session and
hand back plain read models (`ChatLine`, `Welcome`, `Landed`), so the adapter never touches a table. Nothing
here commits or logs what people write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions as citizen_sessions
from townsquare.citizens import verification
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.engagement import claims
from townsquare.engagement.messages import Outcome
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.settings import Settings

NAMESPACE = "chat"  # a device's identity namespace
HISTORY = 50  # messages sent with a welcome when the device has seen none


@dataclass(frozen=True)
class ChatLine:
    """One message as the person may see it in their chat, from any channel."""

    id: str
    direction: str  # "in" or "out"
    channel: str
    text: str
    at: datetime
    from_assistant: bool
    quick_replies: tuple[str, ...]  # the assistant's suggested answers to this line
    client_id: str | None  # the widget's own id for a line it sent


@dataclass(frozen=True)
class History:
    conversation_id: str | None
    lines: tuple[ChatLine, ...]


@dataclass(frozen=True)
class Landed:
    """A chat message after the flow took it: whose it is, the line itself, and the answers to it."""

    citizen_id: uuid.UUID
    conversation_id: str
    line: ChatLine
    answers: tuple[ChatLine, ...]


def line_of(interaction: Interaction, *, text: str | None = None) -> ChatLine:
    payload = interaction.payload or {}
    assistant = interaction.direction is Direction.outbound and payload.get("via") == "assistant"
    suggested = payload.get("quick_replies")
    ext = interaction.external_id
    own = interaction.channel is Channel.chat and interaction.direction is Direction.inbound and ext and ":" in ext
    return ChatLine(
        id=str(interaction.id),
        direction="in" if interaction.direction is Direction.inbound else "out",
        channel=interaction.channel.value,
        text=text if text is not None else interaction.body,
        at=interaction.occurred_at,
        from_assistant=assistant,
        quick_replies=tuple(str(q) for q in suggested) if isinstance(suggested, list) and assistant else (),
        client_id=ext.split(":", 1)[1] if own and ext else None,
    )


async def device_identity(session: AsyncSession, *, device: str) -> Identity:
    """The device's identity, made (with a provisional citizen) if it has never written."""
    _, identity, _ = await citizens.resolve(session, kind=IdentityKind.device, value=device, namespace=NAMESPACE)
    return identity


async def device_citizen(session: AsyncSession, *, device: str) -> uuid.UUID | None:
    """The citizen a device belongs to (following merges), or None for a device that has never written."""
    identity = await citizens.find_identity(session, kind=IdentityKind.device, value=device, namespace=NAMESPACE)
    if identity is None:
        return None
    return (await claims.current_citizen(session, citizen_id=identity.citizen_id)).id


async def verified_name(session: AsyncSession, *, citizen_id: uuid.UUID) -> str | None:
    """The citizen's name, only if one of their contacts is verified (so a device never learns a stranger's)."""
    citizen = await session.get_one(Citizen, citizen_id)
    if not citizen.display_name:
        return None
    phone = await citizens.contact_for(session, citizen_id=citizen.id, kind=IdentityKind.phone)
    email = await citizens.contact_for(session, citizen_id=citizen.id, kind=IdentityKind.email)
    return citizen.display_name if any(i is not None and i.verified for i in (phone, email)) else None


async def history(
    session: AsyncSession, settings: Settings, *, citizen_id: uuid.UUID | None, last_seen: uuid.UUID | None
) -> History:
    """The citizen's current conversation and its messages after `last_seen` (or the latest few)."""
    if citizen_id is None:
        return History(None, ())
    since = utcnow() - timedelta(hours=settings.conversation_idle_hours)
    conversation = await interactions.recent_open_conversation(session, citizen_id=citizen_id, active_since=since)
    if conversation is None:
        return History(None, ())
    cursor = None
    if last_seen is not None:
        seen = await session.get(Interaction, last_seen)
        if seen is not None and seen.citizen_id == citizen_id:
            cursor = (seen.occurred_at, seen.id)
    rows = await interactions.messages_after(
        session, conversation_id=conversation.id, after=cursor, limit=HISTORY if cursor is None else 500
    )
    return History(str(conversation.id), tuple(line_of(i) for i in rows))


async def landed(session: AsyncSession, outcome: Outcome) -> Landed:
    """The message the flow took, and its answers, as lines for the person's devices."""
    interaction = await session.get_one(Interaction, uuid.UUID(outcome.interaction_id))
    citizen = await claims.current_citizen(session, citizen_id=interaction.citizen_id)
    answers = [await session.get_one(Interaction, uuid.UUID(r.interaction_id)) for r in outcome.replies]
    return Landed(citizen.id, str(interaction.conversation_id), line_of(interaction), tuple(map(line_of, answers)))


async def staff_reply(
    session: AsyncSession, *, recipient: str, interaction_id: uuid.UUID | None, text: str | None
) -> tuple[uuid.UUID, ChatLine] | None:
    """An agent's reply the outbox hands to the chat: whose devices get it, and the line; None if unknown."""
    try:
        citizen_id = uuid.UUID(recipient)
    except ValueError:
        return None
    if interaction_id is None or await session.get(Citizen, citizen_id) is None:
        return None
    interaction = await session.get(Interaction, interaction_id)
    if interaction is None:
        return None
    citizen = await claims.current_citizen(session, citizen_id=citizen_id)
    return citizen.id, line_of(interaction, text=text)


async def message_elsewhere(session: AsyncSession, *, interaction_id: uuid.UUID) -> ChatLine | None:
    """A message recorded on another channel, as a line for the person's open chat (None if not a message)."""
    interaction = await session.get(Interaction, interaction_id)
    if interaction is None or interaction.kind is not InteractionKind.message:
        return None
    return line_of(interaction)


@dataclass(frozen=True)
class Shown:
    """A chat line recorded by another process: whose devices show it, and the device it came from (if one)."""

    citizen_id: uuid.UUID
    line: ChatLine
    device: str | None


async def shown_line(session: AsyncSession, *, interaction_id: uuid.UUID) -> Shown | None:
    """A chat message (or an answer to one) as the person's other devices show it; None if unknown."""
    interaction = await session.get(Interaction, interaction_id)
    if interaction is None:
        return None
    citizen = await claims.current_citizen(session, citizen_id=interaction.citizen_id)
    identity = await session.get(Identity, interaction.identity_id) if interaction.identity_id else None
    own = identity is not None and identity.kind is IdentityKind.device and identity.namespace == NAMESPACE
    return Shown(citizen.id, line_of(interaction), identity.value if own and identity is not None else None)


async def owner_of(session: AsyncSession, *, citizen_id: uuid.UUID) -> uuid.UUID:
    """The citizen whose devices show a conversation (following merges)."""
    return (await claims.current_citizen(session, citizen_id=citizen_id)).id


async def start_code(
    session: AsyncSession, settings: Settings, *, device: str, kind: IdentityKind, raw_value: str
) -> tuple[uuid.UUID, str]:
    """Send a code to the number or address the device's person gave; their citizen and the normalised value."""
    identity = await device_identity(session, device=device)
    _, normalised = await claims.start_verification(
        session, settings=settings, citizen_id=identity.citizen_id, kind=kind, raw_value=raw_value
    )
    return identity.citizen_id, normalised


def masked(kind: IdentityKind, value: str) -> str:
    """A number or address as the chat may echo it back: enough to recognise, never the whole."""
    if kind is IdentityKind.phone:
        return "•••" + value[-4:]
    local, _, domain = value.partition("@")
    return f"{local[:1]}•••@{domain}"


@dataclass(frozen=True)
class CodeChecked:
    outcome: verification.Outcome
    attempts_left: int
    claim: claims.Claim | None  # the device joined this citizen (and maybe folded another into it)


async def check_code(session: AsyncSession, settings: Settings, *, device: str, code: str) -> CodeChecked:
    """Check a code typed in the chat; a right one joins the device to the contact's citizen."""
    identity = await device_identity(session, device=device)
    checked = await verification.check(
        session, citizen_id=identity.citizen_id, code=code, secret_key=settings.secret_key
    )
    result = None
    if checked.outcome is verification.Outcome.verified and checked.challenge is not None:
        result = await claims.claim(
            session, device=identity, kind=checked.challenge.kind, value=checked.challenge.value
        )
    return CodeChecked(checked.outcome, checked.attempts_left, result)


async def join_signed_in(session: AsyncSession, *, device: str, portal_token: str) -> claims.Claim | None:
    """One sign-in for the portal and the chat: a resident signed in on this browser owns this device."""
    signed_in = await citizen_sessions.citizen_for(session, token=portal_token)
    if signed_in is None:
        return None
    identity = await device_identity(session, device=device)
    return await claims.join_signed_in(session, device=identity, citizen_id=signed_in.id)
