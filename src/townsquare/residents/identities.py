"""A signed-in resident managing how we know them: add a phone (SMS code) or an email (emailed link), remove one,
and say how they want to be contacted.

A contact that already belongs to another record moves over only from a provisional record with nothing verified;
two confirmed people are never merged here. Raises problems whose `extra["reason"]` names what went wrong (the
portal words it in the reader's language); audits ids only; never commits (the route owns the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens import sessions, verification
from townsquare.citizens.models import (
    Citizen,
    CitizenStatus,
    Identity,
    IdentityKind,
    VerificationMethod,
)
from townsquare.clock import utcnow
from townsquare.engagement import claims
from townsquare.errors import Problem
from townsquare.interactions.models import Interaction
from townsquare.notify import direct
from townsquare.notify.kinds import MessageType
from townsquare.settings import Settings
from townsquare.staff import service as staff

MANAGED = (IdentityKind.phone, IdentityKind.email, IdentityKind.sso)  # what a resident sees and may remove
SIGN_IN_KINDS = (IdentityKind.email, IdentityKind.sso)
MAX_EMAIL_LINKS_PER_HOUR = 5
LANGUAGES = ("en", "fr")


def refusal(status: int, detail: str, reason: str, **extra: Any) -> Problem:
    """A problem the portal can word for the reader: `reason` says which one it is."""
    return Problem(
        status, "Not possible", detail, "identity-" + reason.replace("_", "-"), [], {"reason": reason, **extra}
    )


def reason_of(problem: Problem) -> str:
    """What a problem from this module (or from the normalising and code-issuing it relies on) was about."""
    reason = problem.extra.get("reason")
    if isinstance(reason, str):
        return reason
    known = {
        "not a phone number": "not_a_phone",
        "impossible number": "not_a_phone",
        "opted out": "opted_out",
        "too many codes": "too_many_codes",
    }
    for error in problem.errors:
        if error.message in known:
            return known[error.message]
        if error.field == "email":
            return "not_an_email"
    return "invalid"


@dataclass(frozen=True)
class Attached:
    """A contact now verified on the citizen's record; `moved_from` is the provisional record it came from."""

    citizen_id: uuid.UUID
    identity_id: uuid.UUID
    moved_from: uuid.UUID | None = None


def channels_for(identities: list[Identity]) -> list[str]:
    """The channels a citizen can be contacted on, from their verified contacts (SMS not after a STOP)."""
    found: list[str] = []
    for identity in identities:
        if not identity.verified:
            continue
        if identity.kind is IdentityKind.phone:
            found += ([] if identity.opted_out_at else ["sms"]) + ["voice"]
        elif identity.kind is IdentityKind.email:
            found.append("email")
    return list(dict.fromkeys(found))


async def _identities(session: AsyncSession, citizen_id: uuid.UUID) -> list[Identity]:
    stmt = select(Identity).where(Identity.citizen_id == citizen_id).order_by(Identity.created_at)
    return list((await session.execute(stmt)).scalars())


async def start_phone(session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, raw_phone: str) -> str:
    """Text a code to a phone number the citizen typed; returns the number in E.164."""
    number = citizens.normalise_phone(raw_phone, region=settings.default_region)
    mine = await citizens.find_identity(session, kind=IdentityKind.phone, value=number)
    if mine is not None and mine.citizen_id == citizen_id and mine.verified:
        raise refusal(409, "That number is already on your account and verified.", "already_yours")
    _, value = await claims.start_verification(
        session, settings=settings, citizen_id=citizen_id, kind=IdentityKind.phone, raw_value=number
    )
    return value


async def pending_phone(session: AsyncSession, *, citizen_id: uuid.UUID) -> str | None:
    """The number the citizen's latest unanswered code went to, if any."""
    found = await verification.latest_unanswered(session, citizen_id=citizen_id, kind=IdentityKind.phone)
    return found[1] if found is not None else None


async def confirm_phone(session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, code: str) -> Attached:
    """Check the code the citizen typed; a right one makes the number a verified phone on their record.

    Every answer counts as an attempt, so the caller commits whether this returns or raises.
    """
    cleaned = "".join(code.split())
    if not cleaned.isdigit():
        raise refusal(422, "Enter the code from the text message, in numbers only.", "code_format")
    result = await verification.check(session, citizen_id=citizen_id, code=cleaned, secret_key=settings.secret_key)
    challenge = result.challenge
    outcome = verification.Outcome
    if result.outcome is outcome.missing or (challenge is not None and challenge.kind is not IdentityKind.phone):
        raise refusal(422, "There is no code waiting for an answer. Ask for a new one.", "no_code")
    if result.outcome is outcome.expired:
        raise refusal(422, "That code has expired. Ask for a new one.", "code_expired")
    if result.outcome is outcome.exhausted:
        raise refusal(422, "Too many wrong codes. Ask for a new one.", "code_exhausted")
    if result.outcome is outcome.wrong:
        raise refusal(422, "That code is not right.", "code_wrong", attempts_left=result.attempts_left)
    assert challenge is not None
    return await attach(
        session,
        citizen_id=citizen_id,
        kind=IdentityKind.phone,
        value=challenge.value,
        method=VerificationMethod.sms_code,
    )


async def start_email(session: AsyncSession, *, settings: Settings, citizen_id: uuid.UUID, raw_email: str) -> str:
    """Email a one-time link that adds the address to this citizen's record; returns the normalised address."""
    address = citizens.normalise_email(raw_email)
    mine = await citizens.find_identity(session, kind=IdentityKind.email, value=address)
    if mine is not None and mine.citizen_id == citizen_id and mine.verified:
        raise refusal(409, "That email address is already on your account and verified.", "already_yours")
    recent = await sessions.citizen_links_since(session, citizen_id=citizen_id, since=utcnow() - timedelta(hours=1))
    if recent >= MAX_EMAIL_LINKS_PER_HOUR:
        raise refusal(422, "Too many links were asked for in the last hour; try again later.", "too_many_links")
    minutes = settings.sign_in_link_minutes
    token = await sessions.create_citizen_link(session, email=address, citizen_id=citizen_id, minutes=minutes)
    language = (await citizens.get(session, citizen_id=citizen_id)).language
    await direct.send(
        session,
        settings,
        message_type=MessageType.verification,
        channel="email",
        recipient=address,
        language=language,
        values={
            "url": f"{settings.public_url.rstrip('/')}/account/identities/email/confirm/{token}",
            "minutes": minutes,
        },
        idempotency_key=f"add-email:{token[:16]}",
    )
    return address


async def confirm_email(session: AsyncSession, *, token: str) -> Attached:
    """Use an emailed link: the address joins the citizen the link was made for, whoever opens it.

    Opening the link proves only that the reader holds the mailbox; the record it joins was fixed when a signed-in
    citizen asked for it, so a link opened signed out, or signed in as someone else, still adds it there only.
    """
    used = await sessions.use_citizen_link(session, token=token)
    if used is None:
        raise refusal(400, "That link has been used or has expired. Ask for a new one.", "link_invalid")
    citizen_id, address = used
    citizen = await claims.current_citizen(session, citizen_id=citizen_id)
    return await attach(
        session, citizen_id=citizen.id, kind=IdentityKind.email, value=address, method=VerificationMethod.email_link
    )


async def attach(
    session: AsyncSession, *, citizen_id: uuid.UUID, kind: IdentityKind, value: str, method: VerificationMethod
) -> Attached:
    """Mark a just-proved contact verified on the citizen, moving it from an unconfirmed record if need be."""
    now = utcnow()
    identity = await citizens.find_identity(session, kind=kind, value=value)
    moved_from: uuid.UUID | None = None
    if identity is None:
        identity = Identity(citizen_id=citizen_id, kind=kind, value=value, last_seen_at=now)
        session.add(identity)
    elif identity.citizen_id != citizen_id:
        holder = await claims.current_citizen(session, citizen_id=identity.citizen_id)
        if holder.id != citizen_id:
            if not await unconfirmed(session, holder):
                staff.audit_own_record(
                    session, citizen_id, "citizen.identity_refused", {"identity_id": str(identity.id)}
                )
                raise refusal(
                    409, "That contact is already linked to another account; contact us to sort it out.", "elsewhere"
                )
            moved_from = holder.id
        identity.citizen_id = citizen_id
    identity.verified, identity.verification_method, identity.verified_at = True, method, now
    await session.flush()
    detail: dict[str, object] = {"identity_id": str(identity.id), "kind": kind.value, "method": method.value}
    if moved_from is not None:
        detail["moved_from_citizen_id"] = str(moved_from)
    staff.audit_own_record(session, citizen_id, "citizen.identity_verified", detail)
    return Attached(citizen_id, identity.id, moved_from)


async def unconfirmed(session: AsyncSession, citizen: Citizen) -> bool:
    """A provisional record nobody has proved anything of: its contacts may move to whoever proves them."""
    return citizen.status is CitizenStatus.provisional and not any(
        i.verified for i in await _identities(session, citizen.id)
    )


async def removable(session: AsyncSession, *, citizen_id: uuid.UUID, identity_id: uuid.UUID) -> tuple[Identity, bool]:
    """The citizen's identity (404 if it is not theirs) and whether they may remove it.

    Not the last verified email or sign-in account: they would have no way left to sign in.
    """
    identities = await _identities(session, citizen_id)
    identity = next((i for i in identities if i.id == identity_id and i.kind in MANAGED), None)
    if identity is None:
        raise Problem(404, "Not found", "That is not one of your contacts.", "not-found", [], {"reason": "not_found"})
    if not (identity.verified and identity.kind in SIGN_IN_KINDS):
        return identity, True
    others = [i for i in identities if i.id != identity.id and i.verified and i.kind in SIGN_IN_KINDS]
    return identity, bool(others)


async def remove(session: AsyncSession, *, citizen: Citizen, identity_id: uuid.UUID) -> None:
    """Take a contact off the citizen's record (past contacts from it stay on their timeline)."""
    identity, allowed = await removable(session, citizen_id=citizen.id, identity_id=identity_id)
    if not allowed:
        raise refusal(409, "This is the only way you sign in, so it cannot be removed.", "last_sign_in")
    kind = identity.kind
    await session.execute(update(Interaction).where(Interaction.identity_id == identity.id).values(identity_id=None))
    await session.execute(delete(Identity).where(Identity.id == identity.id))
    left = channels_for(await _identities(session, citizen.id))
    citizen.preferred_channels = [c for c in citizen.preferred_channels if c in left]
    await session.flush()
    staff.audit_own_record(
        session, citizen.id, "citizen.identity_removed", {"identity_id": str(identity_id), "kind": kind.value}
    )


async def update_preferences(
    session: AsyncSession,
    *,
    citizen: Citizen,
    language: str,
    channels: list[str],
    quiet_hours: tuple[time, time] | None,
) -> None:
    """Save how the citizen wants to be contacted; channels keep the order given, among those they can use."""
    if language not in LANGUAGES:
        raise refusal(422, "Choose a language we offer.", "bad_language")
    usable = channels_for(await _identities(session, citizen.id))
    if any(c not in usable for c in channels):
        raise refusal(422, "Choose only channels from your verified contacts.", "bad_channel")
    if quiet_hours is not None and quiet_hours[0] == quiet_hours[1]:
        raise refusal(422, "Quiet hours need to start and end at different times.", "quiet_same")
    await citizens.update_preferences(
        session, citizen=citizen, language=language, preferred_channels=channels, quiet_hours=quiet_hours
    )
    if quiet_hours is None:
        citizen.quiet_hours_start = citizen.quiet_hours_end = None
        await session.flush()
    staff.audit_own_record(session, citizen.id, "citizen.preferences_changed", {})


def audit_download(session: AsyncSession, *, citizen_id: uuid.UUID) -> None:
    """Record that the citizen downloaded everything held about them."""
    staff.audit_own_record(session, citizen_id, "citizen.data_downloaded", {})
