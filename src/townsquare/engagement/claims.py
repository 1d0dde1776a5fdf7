"""Claiming a contact: a device proves it holds a phone or email, and joins the citizen who holds it.

An anonymous chat becomes the citizen's once they verify a contact: a provisional record made only of devices
is folded into the verified one (its conversations, interactions, work items and cases move; it is marked
merged and the move is audited with every id, so it can be undone). Never merges on anything but a verified
code; never commits (the caller owns the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens import verification
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.errors import FieldError, invalid
from townsquare.events import ContactClaimed, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.notify import direct
from townsquare.notify.kinds import MessageType
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff import service as staff

CHANNEL_FOR = {IdentityKind.phone: "sms", IdentityKind.email: "email"}


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
    only_devices = all(i.kind is IdentityKind.device for i in own_identities)
    if own.status is not CitizenStatus.provisional or not only_devices:
        # A record with other contacts of its own is someone's; only this device changes hands.
        device.citizen_id = holder.id
        await session.flush()
        _audit(session, holder.id, {"device_identity_id": str(device.id), "from_citizen_id": str(own.id)})
        return Claim(holder.id, identity_id)
    moved = await fold(session, own, holder, own_identities)
    return Claim(holder.id, identity_id, merged_from=own.id, moved_conversations=moved)


async def fold(session: AsyncSession, own: Citizen, holder: Citizen, own_identities: list[Identity]) -> list[uuid.UUID]:
    """Move a device-only provisional record's history to the verified citizen and mark it merged."""
    moved_cases = list((await session.execute(select(Case.id).where(Case.citizen_id == own.id))).scalars())
    moved_items = list((await session.execute(select(WorkItem.id).where(WorkItem.citizen_id == own.id))).scalars())
    conversations = await interactions.move_to_citizen(session, from_citizen_id=own.id, to_citizen_id=holder.id)
    await session.execute(update(Case).where(Case.citizen_id == own.id).values(citizen_id=holder.id))
    await session.execute(update(WorkItem).where(WorkItem.citizen_id == own.id).values(citizen_id=holder.id))
    for identity in own_identities:
        identity.citizen_id = holder.id
    own.status = CitizenStatus.merged
    own.merged_into_id = holder.id
    await session.flush()
    _audit(
        session,
        holder.id,
        {
            "merged_citizen_id": str(own.id),
            "identity_ids": [str(i.id) for i in own_identities],
            "conversation_ids": [str(c) for c in conversations],
            "case_ids": [str(c) for c in moved_cases],
            "work_item_ids": [str(w) for w in moved_items],
        },
    )
    publish_after_commit(session, ContactClaimed(citizen_id=holder.id, merged_citizen_id=own.id))
    return conversations


def _audit(session: AsyncSession, citizen_id: uuid.UUID, detail: dict[str, object]) -> None:
    staff.audit_own_record(session, citizen_id, ContactClaimed.name, detail)  # named after the event
