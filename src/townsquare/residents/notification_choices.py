"""What a resident wants to hear about, and on which channel; and an email's unsubscribe link.

The choices page lists the channels that can reach the person today (a device with push on, a phone, an email
address, a postal address) and, on each, the message types we send on our own, ticked when wanted. An email's
link turns off one type on email without signing in (the link is the proof), or every type; it can be undone
from the same page. Changes are audited (in `notify.opt_outs`). Never commits; the route does, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import Citizen
from townsquare.notify import opt_outs

TYPES = opt_outs.TYPES
ChannelChoices = opt_outs.ChannelChoices


@dataclass(frozen=True)
class UnsubscribeLink:
    """What an email's unsubscribe link is about, and whether that type is off on email already."""

    channel: str
    message_type: str
    off: bool
    every_type_off: bool


async def choices(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[ChannelChoices]:
    """The channels that reach the person, each with the types they want on it."""
    return await opt_outs.choices(session, citizen_id=citizen_id)


async def save(session: AsyncSession, *, citizen_id: uuid.UUID, wanted: dict[str, list[str]]) -> int:
    """Keep exactly the wanted types on each channel given; an unknown channel or type is refused, nothing saved.
    The number of choices that changed."""
    parsed = opt_outs.parse(wanted)
    return await opt_outs.choose(session, citizen_id=citizen_id, wanted=parsed, source="portal")


async def link(session: AsyncSession, *, secret: str, token: str) -> UnsubscribeLink | None:
    """What a link is about; None for a link we did not make, or whose person is no longer on record."""
    found = await _holder(session, secret, token)
    if found is None:
        return None
    off = {t for c, t in await opt_outs.of(session, found.citizen_id) if c == found.channel}
    return UnsubscribeLink(
        channel=found.channel,
        message_type=found.message_type.value,
        off=found.message_type in off,
        every_type_off=all(t in off for t in opt_outs.OPTIONAL_TYPES),
    )


async def unsubscribe(
    session: AsyncSession, *, secret: str, token: str, every_type: bool, source: str
) -> UnsubscribeLink | None:
    """Turn off the link's type on its channel (or every type we send on our own); None for a link we did not
    make."""
    found = await _holder(session, secret, token)
    if found is None:
        return None
    types = opt_outs.OPTIONAL_TYPES if every_type else (found.message_type,)
    await opt_outs.stop(session, citizen_id=found.citizen_id, channel=found.channel, message_types=types, source=source)
    return await link(session, secret=secret, token=token)


async def resubscribe(session: AsyncSession, *, secret: str, token: str) -> UnsubscribeLink | None:
    """Undo: every type on the link's channel is on again."""
    found = await _holder(session, secret, token)
    if found is None:
        return None
    await opt_outs.resume(
        session,
        citizen_id=found.citizen_id,
        channel=found.channel,
        message_types=opt_outs.OPTIONAL_TYPES,
        source="email_link",
    )
    return await link(session, secret=secret, token=token)


async def _holder(session: AsyncSession, secret: str, token: str) -> opt_outs.Unsubscribe | None:
    found = opt_outs.read_token(secret, token)
    if found is None or found.channel not in opt_outs.CHANNELS:
        return None
    citizen = await session.get(Citizen, found.citizen_id)
    if citizen is None or citizen.merged_into_id is not None:
        return None
    return found
