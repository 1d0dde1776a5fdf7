"""What a person does not want to hear, and where: opt-outs per channel and message type.

A person may turn off any message type we send on our own, channel by channel (updates by email but not by text,
no reminders by letter...). What they asked for themselves (a sign-in link, a code to verify a contact) is never
turned off. Every email carries a link (and RFC 2369/8058 `List-Unsubscribe` headers) that turns off that email's
type, sealed with the deployment's secret so it works without signing in, for as long as the person keeps the
email. A phone's SMS STOP stays the phone's own (on its identity), for every type, as carriers require.
Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import sealing
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.errors import FieldError, invalid
from townsquare.notify.models import MessageType, NotificationOptOut
from townsquare.notify.push import service as push
from townsquare.staff import service as staff

# In the order residents see them. Sign-in and verification codes are missing on purpose: the person just asked.
OPTIONAL_TYPES: tuple[MessageType, ...] = (
    MessageType.acknowledgement,
    MessageType.status_change,
    MessageType.information_request,
    MessageType.report_update,
    MessageType.agent_reply,
    MessageType.appointment_reminder,
    MessageType.renewal_reminder,
    MessageType.application_reminder,
    MessageType.general,
    MessageType.satisfaction_survey,
)
CHANNELS = ("push", "sms", "email", "mail")
TYPES = tuple(t.value for t in OPTIONAL_TYPES)
BY_IDENTITY = {IdentityKind.phone: "sms", IdentityKind.email: "email", IdentityKind.postal: "mail"}
SHOWN_ORDER = ("push", "email", "sms", "mail")
TOKEN_PURPOSE = "notify.unsubscribe"  # noqa: S105 - a sealing purpose, not a secret
TOKEN_MAC_BYTES = 16


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link names: whose messages, on which channel, of which type."""

    citizen_id: uuid.UUID
    channel: str
    message_type: MessageType


@dataclass(frozen=True)
class ChannelChoices:
    """One channel that reaches the person, and the message types they want on it."""

    channel: str  # push, email, sms, mail
    on: frozenset[str]  # the message types wanted here
    stopped: bool = False  # texts only: every phone on the record texted STOP


def optional(message_type: MessageType) -> bool:
    return message_type in OPTIONAL_TYPES


async def of(session: AsyncSession, citizen_id: uuid.UUID) -> set[tuple[str, MessageType]]:
    """Every (channel, message type) the person turned off."""
    rows = await session.execute(
        select(NotificationOptOut.channel, NotificationOptOut.message_type).where(
            NotificationOptOut.citizen_id == citizen_id
        )
    )
    return {(channel, message_type) for channel, message_type in rows.all()}


async def channels_off(session: AsyncSession, citizen_id: uuid.UUID, message_type: MessageType) -> set[str]:
    """The channels on which the person does not want this type."""
    if not optional(message_type):
        return set()
    rows = await session.execute(
        select(NotificationOptOut.channel).where(
            NotificationOptOut.citizen_id == citizen_id, NotificationOptOut.message_type == message_type
        )
    )
    return set(rows.scalars())


async def choices(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[ChannelChoices]:
    """The channels that reach the person (a device with push on, a phone, an email address, a postal address),
    each with the types they want on it."""
    off = await of(session, citizen_id)
    rows = (await session.execute(select(Identity).where(Identity.citizen_id == citizen_id))).scalars().all()
    reach: dict[str, bool] = {}  # channel -> every address for it has stopped
    for identity in rows:
        channel = BY_IDENTITY.get(identity.kind)
        if channel is not None:
            reach[channel] = reach.get(channel, True) and identity.opted_out_at is not None
    if await push.live_for(session, citizen_id=citizen_id):
        reach["push"] = False
    return [
        ChannelChoices(
            channel=c,
            on=frozenset(t.value for t in OPTIONAL_TYPES if (c, t) not in off),
            stopped=c == "sms" and reach[c],
        )
        for c in SHOWN_ORDER
        if c in reach
    ]


def parse(wanted: dict[str, list[str]]) -> dict[str, set[MessageType]]:
    """The wanted types per channel as a form sent them; an unknown channel or type is refused (422)."""
    parsed: dict[str, set[MessageType]] = {}
    for channel, values in wanted.items():
        if channel not in CHANNELS:
            raise invalid(f"{channel!r} is not a channel we send on.", FieldError("channel", "unknown"))
        if any(v not in TYPES for v in values):
            raise invalid("Choose only messages from the list.", FieldError("message_type", "unknown"))
        parsed[channel] = {MessageType(v) for v in values}
    return parsed


async def choose(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    wanted: dict[str, set[MessageType]],
    source: str,
    audit: bool = True,
) -> int:
    """For each channel given, keep exactly the wanted types on and turn the other optional ones off; the number
    of choices that changed (audited when any did, unless the caller writes its own audit rows: `audit=False`)."""
    before = await of(session, citizen_id)
    after = {(c, t) for c, types in wanted.items() for t in OPTIONAL_TYPES if t not in types}
    after |= {(c, t) for c, t in before if c not in wanted}
    return await _apply(session, citizen_id, before, after, source, audit=audit)


async def stop(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    channel: str,
    message_types: Iterable[MessageType],
    source: str,
) -> int:
    """Turn these types off on one channel (the ones a person cannot turn off are left on)."""
    before = await of(session, citizen_id)
    after = before | {(channel, t) for t in message_types if optional(t)}
    return await _apply(session, citizen_id, before, after, source)


async def resume(
    session: AsyncSession, *, citizen_id: uuid.UUID, channel: str, message_types: Iterable[MessageType], source: str
) -> int:
    """Turn these types back on on one channel."""
    before = await of(session, citizen_id)
    after = before - {(channel, t) for t in message_types}
    return await _apply(session, citizen_id, before, after, source)


async def _apply(
    session: AsyncSession,
    citizen_id: uuid.UUID,
    before: set[tuple[str, MessageType]],
    after: set[tuple[str, MessageType]],
    source: str,
    *,
    audit: bool = True,
) -> int:
    added, removed = after - before, before - after
    now = utcnow()
    for channel, message_type in sorted(added):
        session.add(
            NotificationOptOut(
                citizen_id=citizen_id, channel=channel, message_type=message_type, source=source, created_at=now
            )
        )
    for channel, message_type in removed:
        await session.execute(
            delete(NotificationOptOut).where(
                NotificationOptOut.citizen_id == citizen_id,
                NotificationOptOut.channel == channel,
                NotificationOptOut.message_type == message_type,
            )
        )
    if (added or removed) and audit:
        staff.audit(
            session,
            actor_kind="citizen",
            actor_id=str(citizen_id),
            action="citizen.notification_choices_changed",
            subject_kind="citizen",
            subject_id=str(citizen_id),
            citizen_id=citizen_id,
            detail={
                "source": source,
                "off": sorted(f"{c}:{t.value}" for c, t in added),
                "on": sorted(f"{c}:{t.value}" for c, t in removed),
            },
        )
    if added or removed:
        await session.flush()
    return len(added) + len(removed)


def token(secret: str, wanted: Unsubscribe) -> str:
    """The sealed part of an unsubscribe link; it never expires, like the email that carries it."""
    raw = f"{wanted.citizen_id.hex}:{wanted.channel}:{wanted.message_type.value}".encode()
    return sealing.seal(secret, TOKEN_PURPOSE, raw, mac_bytes=TOKEN_MAC_BYTES)


def read_token(secret: str, value: str) -> Unsubscribe | None:
    """What a link names, or None for a link we did not make (or one that was altered)."""
    raw = sealing.unseal(secret, TOKEN_PURPOSE, value, mac_bytes=TOKEN_MAC_BYTES)
    if raw is None:
        return None
    try:
        citizen_hex, channel, type_value = raw.decode().split(":")
        return Unsubscribe(uuid.UUID(hex=citizen_hex), channel, MessageType(type_value))
    except ValueError:
        return None
