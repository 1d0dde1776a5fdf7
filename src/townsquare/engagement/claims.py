"""Claiming a contact: a device (or a social account) proves it holds a phone or email, and joins its holder.

An anonymous chat (or a Messenger, Instagram, WhatsApp or Mastodon account) becomes the citizen's once they verify
a contact: a provisional record made only of devices and social accounts is folded into the verified one by a
recorded merge (`engagement.merges`: every row it held moves, it is marked merged, both records' logs say so, and the
merge can be undone). Never merges on anything but a verified code; never commits (the caller owns the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import verification
from townsquare.citizens.models import (
    Citizen,
    CitizenMerge,
    CitizenStatus,
    Identity,
    IdentityKind,
    VerificationChallenge,
)
from townsquare.clock import utcnow
from townsquare.engagement import merges
from townsquare.errors import FieldError, invalid
from townsquare.events import ContactClaimed, publish_after_commit
from townsquare.notify import direct
from townsquare.notify.kinds import MessageType
from townsquare.settings import Settings
from townsquare.staff import service as staff

CHANNEL_FOR = {IdentityKind.phone: "sms", IdentityKind.email: "email"}
CODES_PER_ADDRESS_PER_HOUR = 3  # codes one phone or address may be sent in an hour, however many accounts ask
# What a record made only of these is: someone not yet known (a chat device, a social account), whose history joins
# the verified record wholesale. A record holding anything else is someone's own, and only the device moves.
JOINABLE = frozenset({IdentityKind.device, IdentityKind.social})


@dataclass(frozen=True)
class Claim:
    """Where the device ended up after verifying a contact."""

    citizen_id: uuid.UUID
    identity_id: uuid.UUID
    merged_from: uuid.UUID | None = None
    moved_conversations: list[uuid.UUID] = field(default_factory=list)


async def current_citizen(session: AsyncSession, *, citizen_id: uuid.UUID) -> Citizen:
    """The record a citizen id stands for today, following merges."""
    citizen = await session.get_one(Citizen, citizen_id)
    while citizen.status is CitizenStatus.merged and citizen.merged_into_id is not None:
        citizen = await session.get_one(Citizen, citizen.merged_into_id)
    return citizen


async def start_verification(
    session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, kind: IdentityKind, raw_value: str
) -> tuple[uuid.UUID, str]:
    """Issue a code for a phone or email and queue it in the outbox; returns (challenge id, normalised value)."""
    if kind not in CHANNEL_FOR:
        raise invalid("Only a phone number or an email address can be verified.", FieldError("kind", "phone or email"))
    value = citizens.normalise(kind, raw_value, region=settings.default_region)
    existing = await citizens.find_identity(session, kind=kind, value=value)
    if kind is IdentityKind.phone and existing is not None and existing.opted_out_at is not None:
        raise invalid(
            "That number asked us to stop texting it (STOP). Text START to our number first, or verify an email.",
            FieldError("value", "opted out"),
        )
    challenge, code = await verification.issue(
        session,
        citizen_id=citizen_id,
        kind=kind,
        value=value,
        secret_key=settings.secret_key,
        valid_minutes=settings.verification_code_minutes,
    )
    owner = await session.get(Citizen, citizen_id)
    await direct.send(
        session,
        settings,
        message_type=MessageType.verification,
        channel=CHANNEL_FOR[kind],
        recipient=value,
        language=owner.language if owner is not None else "en",
        values={"code": code, "minutes": settings.verification_code_minutes},
        idempotency_key=f"verification:{challenge.id}",
    )
    return challenge.id, value


async def claim(session: AsyncSession, *, device: Identity, kind: IdentityKind, value: str) -> Claim:
    """Mark a just-verified contact verified and join the device to the citizen who holds it."""
    method = verification.METHOD[kind]
    now = utcnow()
    own = await current_citizen(session, citizen_id=device.citizen_id)
    contact = await citizens.find_identity(session, kind=kind, value=value)
    if contact is None:
        contact = Identity(citizen_id=own.id, kind=kind, value=value, last_seen_at=now)
        session.add(contact)
    if not contact.verified:
        contact.verified, contact.verification_method, contact.verified_at = True, method, now
    await session.flush()
    holder = await current_citizen(session, citizen_id=contact.citizen_id)
    return await _hand_over(session, device, own, holder, contact.id)


async def join_signed_in(session: AsyncSession, *, device: Identity, citizen_id: uuid.UUID) -> Claim:
    """A chat device used by someone signed in to the portal is theirs: their session proves who they are."""
    own = await current_citizen(session, citizen_id=device.citizen_id)
    holder = await current_citizen(session, citizen_id=citizen_id)
    return await _hand_over(session, device, own, holder, device.id)


async def _hand_over(
    session: AsyncSession, device: Identity, own: Citizen, holder: Citizen, identity_id: uuid.UUID
) -> Claim:
    """Join the device to `holder`, bringing an anonymous device-only record's history along."""
    if holder.id == own.id:
        return Claim(own.id, identity_id)
    own_identities = list((await session.execute(select(Identity).where(Identity.citizen_id == own.id))).scalars())
    only_devices = all(i.kind in JOINABLE for i in own_identities)
    if own.status is not CitizenStatus.provisional or not only_devices:
        # A record with other contacts of its own is someone's; only this device changes hands.
        device.citizen_id = holder.id
        await session.flush()
        _audit(session, holder.id, {"device_identity_id": str(device.id), "from_citizen_id": str(own.id)})
        return Claim(holder.id, identity_id)
    record = await fold(session, own, holder)
    return Claim(holder.id, identity_id, merged_from=own.id, moved_conversations=merges.moved(record, "conversations"))


async def fold(session: AsyncSession, own: Citizen, holder: Citizen) -> CitizenMerge:
    """Join a device-only provisional record to the verified citizen: a recorded merge (`engagement.merges`), so
    every row it held moves to the holder and the join can be undone."""
    record = await merges.merge(
        session,
        survivor_id=holder.id,
        merged_id=own.id,
        actor_kind="citizen",
        actor_id=str(holder.id),
        reason="A device proved it holds this person's phone or email.",
        source="verification",
    )
    publish_after_commit(session, ContactClaimed(citizen_id=holder.id, merged_citizen_id=own.id))
    return record


def _audit(session: AsyncSession, citizen_id: uuid.UUID, detail: dict[str, object]) -> None:
    staff.audit_own_record(session, citizen_id, ContactClaimed.name, detail)  # named after the event


async def codes_sent_to(session: AsyncSession, *, kind: IdentityKind, value: str) -> int:
    """Codes sent to this phone or address in the last hour, whoever asked: social accounts are cheap to make, and
    a person's phone must not be flooded from many of them."""
    since = utcnow() - timedelta(hours=1)
    stmt = select(func.count()).where(
        VerificationChallenge.kind == kind,
        VerificationChallenge.value == value,
        VerificationChallenge.created_at >= since,
    )
    return int((await session.execute(stmt)).scalar_one())
