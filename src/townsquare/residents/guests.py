"""Reporting a problem, or following a report, without an account.

A person who starts a report signed out gets a guest record (provisional, no contact yet) and a session of method
`guest` for this browser. Before the report is sent (or a follow recorded) they prove a phone or an email by a
code, so the city can reach them. A contact nobody has proved becomes theirs; a contact someone already proved
belongs to that person, so the guest record is folded into theirs (a recorded, undoable merge by
`claims.fold`) and this browser's guest session ends: proving a phone by code sends a report in its holder's
name, but never opens their account. Never commits (the route owns the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions, verification
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.engagement import claims, merges
from townsquare.residents import identities
from townsquare.settings import Settings
from townsquare.staff import service as staff

GUEST = "guest"  # the session method of a browser reporting without an account
REACHABLE = (IdentityKind.phone, IdentityKind.email)


@dataclass(frozen=True)
class Verified:
    """Who the proved contact belongs to now, and whether the guest record was folded into theirs."""

    citizen_id: uuid.UUID
    kind: IdentityKind
    folded: bool
    moved_drafts: frozenset[uuid.UUID] = frozenset()


async def begin(session: AsyncSession, *, settings: Settings, language: str, device: str) -> tuple[Citizen, str]:
    """A guest record and a session for this browser; returns the record and the cookie's token."""
    citizen = await citizens.anonymous(session)
    citizen.language = language
    token = await sessions.start(
        session, citizen_id=citizen.id, method=GUEST, hours=settings.citizen_session_hours, device=device
    )
    staff.audit_own_record(session, citizen.id, "citizen.guest_started", {})
    return citizen, token


async def reachable(session: AsyncSession, *, citizen_id: uuid.UUID) -> bool:
    """Whether the record has a proved phone or email the city can write to."""
    stmt = select(Identity.id).where(
        Identity.citizen_id == citizen_id, Identity.verified.is_(True), Identity.kind.in_(REACHABLE)
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def send_code(
    session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, kind: IdentityKind, raw_value: str
) -> str:
    """Text or email a code to the contact typed; returns it normalised (problems name their `reason`)."""
    _, value = await claims.start_verification(
        session, settings=settings, citizen_id=citizen_id, kind=kind, raw_value=raw_value
    )
    return value


async def pending(session: AsyncSession, *, citizen_id: uuid.UUID) -> tuple[IdentityKind, str] | None:
    """The contact the latest unanswered code went to, if any."""
    return await verification.latest_unanswered(session, citizen_id=citizen_id)


async def confirm(session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, code: str) -> Verified:
    """Check the code; a right one gives the contact to the guest, or folds the guest into the contact's holder.

    Every answer counts as an attempt, so the caller commits whether this returns or raises."""
    cleaned = "".join(code.split())
    if not cleaned.isdigit():
        raise identities.refusal(422, "Enter the code we sent, in numbers only.", "code_format")
    result = await verification.check(session, citizen_id=citizen_id, code=cleaned, secret_key=settings.secret_key)
    outcome = verification.Outcome
    if result.outcome is outcome.missing:
        raise identities.refusal(422, "There is no code waiting for an answer. Ask for a new one.", "no_code")
    if result.outcome is outcome.expired:
        raise identities.refusal(422, "That code has expired. Ask for a new one.", "code_expired")
    if result.outcome is outcome.exhausted:
        raise identities.refusal(422, "Too many wrong codes. Ask for a new one.", "code_exhausted")
    if result.outcome is outcome.wrong:
        raise identities.refusal(422, "That code is not right.", "code_wrong", attempts_left=result.attempts_left)
    challenge = result.challenge
    assert challenge is not None
    kind, method = challenge.kind, verification.METHOD[challenge.kind]
    holder = await _holder(session, kind=kind, value=challenge.value, guest_id=citizen_id)
    if holder is None:
        attached = await identities.attach(
            session, citizen_id=citizen_id, kind=kind, value=challenge.value, method=method
        )
        return Verified(attached.citizen_id, kind, folded=False)
    moved = await _fold_into(session, guest_id=citizen_id, holder=holder)
    return Verified(holder.id, kind, folded=True, moved_drafts=moved)


async def _holder(session: AsyncSession, *, kind: IdentityKind, value: str, guest_id: uuid.UUID) -> Citizen | None:
    """Someone else who already proved this contact, or has anything proved: the contact is theirs."""
    identity = await citizens.find_identity(session, kind=kind, value=value)
    if identity is None:
        return None
    holder = await claims.current_citizen(session, citizen_id=identity.citizen_id)
    if holder.id == guest_id or await identities.unconfirmed(session, holder):
        return None
    if not identity.verified:  # theirs, and now proved
        identity.verified, identity.verification_method = True, verification.METHOD[kind]
    return holder


async def _fold_into(session: AsyncSession, *, guest_id: uuid.UUID, holder: Citizen) -> frozenset[uuid.UUID]:
    """Move the guest's history to the holder (an open draft stays with the guest when the holder has one open for
    the same service), mark it merged and end its sessions, so this browser is never signed in as the holder."""
    guest = await session.get_one(Citizen, guest_id)
    record = await claims.fold(session, guest, holder)
    await sessions.end_all(session, citizen_id=guest.id)
    return frozenset(merges.moved(record, "drafts"))
