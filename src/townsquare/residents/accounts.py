"""Residents signing in: by an emailed one-time link (the link goes out through the outbox, and using it proves
the person holds that address, so the email identity becomes verified), or through an OpenID Connect provider
(its subject becomes a verified `sso` identity; a verified email joins only if nobody else has it). A resident who
turned on an authenticator app also gives a code after the link (not after OIDC: the provider has its own second
step). Does not commit; the route owns the transaction.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare import sealing
from townsquare.citizens import service as citizens
from townsquare.citizens import sessions, totp
from townsquare.citizens.models import Citizen, Identity, IdentityKind, VerificationMethod
from townsquare.clock import utcnow
from townsquare.errors import Problem
from townsquare.notify import direct
from townsquare.notify.kinds import MessageType
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry

log = logging.getLogger(__name__)

PENDING_SECONDS = 300  # how long the code page waits after the link was used
MAX_WRONG_CODES = 5  # per pending sign-in; then the person asks for a new link
TURN_OFF_WRONG_CODES = 5  # per TURN_OFF_PERIOD, so a left-open session cannot guess its way to turning the app off
TURN_OFF_PERIOD = timedelta(minutes=15)
_CODE_WRONG = "citizen.totp_code_wrong"
_CODE_ACCEPTED = "citizen.totp_code_accepted"


async def send_sign_in_link(session: AsyncSession, *, email: str, settings: Settings, language: str = "en") -> None:
    """Email a one-time sign-in link to `email` (checked and normalised; a bad address is a 422 problem), in the
    language of the page that asked for it.

    Sent whether or not a record exists for the address, so the answer never tells who has an account.
    """
    address = citizens.normalise_email(email)
    token = await sessions.create_link(session, email=address, minutes=settings.sign_in_link_minutes)
    await direct.send(
        session,
        settings,
        message_type=MessageType.sign_in,
        channel="email",
        recipient=address,
        language=language,
        values={
            "url": f"{settings.public_url.rstrip('/')}/account/sign-in/{token}",
            "minutes": settings.sign_in_link_minutes,
        },
        idempotency_key=f"sign-in:{token[:16]}",
    )


async def sign_in_with_link(session: AsyncSession, *, token: str, region: str) -> Citizen | None:
    """The citizen a valid, unused link signs in (their email now verified), or None for a used/expired/bad link."""
    address = await sessions.use_link(session, token=token)
    if address is None:
        return None
    citizen, _, _ = await citizens.resolve(session, kind=IdentityKind.email, value=address)
    await citizens.add_identity(
        session,
        citizen_id=citizen.id,
        kind=IdentityKind.email,
        value=address,
        region=region,
        verification_method=VerificationMethod.email_link,
    )
    return citizen


async def sign_in_with_oidc(session: AsyncSession, *, issuer: str, claims: dict[str, Any], region: str) -> Citizen:
    """The citizen behind the provider's subject, its identity verified; a verified email joins them if it is free."""
    name = claims.get("name") if isinstance(claims.get("name"), str) else None
    citizen, identity, _ = await citizens.resolve(
        session,
        kind=IdentityKind.sso,
        value=str(claims["sub"])[:320],
        namespace=issuer[:200],
        display_name=name[:200] if name else None,
        seen_at=utcnow(),
    )
    _mark_verified(identity)
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified") is True:
        await _add_verified_email(session, citizen=citizen, email=email, region=region)
    await session.flush()
    return citizen


def _mark_verified(identity: Identity) -> None:
    if not identity.verified:
        identity.verified = True
        identity.verification_method = VerificationMethod.oidc
        identity.verified_at = utcnow()


async def _add_verified_email(session: AsyncSession, *, citizen: Citizen, email: str, region: str) -> None:
    try:
        normalised = citizens.normalise_email(email)
    except Problem:
        return  # the provider's address is not one we could ever write to
    existing = await citizens.find_identity(session, kind=IdentityKind.email, value=normalised)
    if existing is None:
        await citizens.add_identity(
            session,
            citizen_id=citizen.id,
            kind=IdentityKind.email,
            value=normalised,
            region=region,
            verification_method=VerificationMethod.oidc,
        )
    elif existing.citizen_id == citizen.id:
        _mark_verified(existing)
    else:
        log.info("OIDC email belongs to another citizen record; left unlinked for staff to review")


# --- The authenticator app as a second step ----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSignIn:
    """A used link waiting for the authenticator code, kept in a short-lived signed cookie (no session yet).

    `id` is random and names this sign-in in the audit log, which counts its wrong codes.
    """

    id: str
    citizen_id: str
    expires: int


class CodeOutcome(StrEnum):
    accepted = "accepted"
    wrong = "wrong"
    exhausted = "exhausted"  # too many wrong codes
    closed = "closed"  # this sign-in already finished, or the app was turned off meanwhile


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    attempts_left: int = 0


def pending_sign_in(citizen_id: uuid.UUID) -> PendingSignIn:
    """A new pending sign-in for the citizen, valid for PENDING_SECONDS."""
    return PendingSignIn(secrets.token_urlsafe(12), str(citizen_id), int(time.time()) + PENDING_SECONDS)


def seal_pending(secret: str, pending: PendingSignIn) -> str:
    """The pending sign-in as a cookie value only this deployment can mint."""
    return sealing.seal_json(secret, "totp-pending", asdict(pending))


def open_pending(secret: str, value: str | None) -> PendingSignIn | None:
    """The pending sign-in in a cookie this deployment minted that has not expired; None for anything else."""
    data = sealing.unseal_json(secret, "totp-pending", value)
    if data is None:
        return None
    try:
        pending = PendingSignIn(**data)
        uuid.UUID(pending.citizen_id)
    except (ValueError, TypeError):
        return None
    return pending if isinstance(pending.expires, int) and pending.expires > time.time() else None


async def _code_events(
    session: AsyncSession, *, citizen_id: uuid.UUID, subject_kind: str, subject_id: str, since: timedelta
) -> dict[str, int]:
    stmt = (
        select(AuditEntry.action, func.count())
        .where(
            AuditEntry.citizen_id == citizen_id,
            AuditEntry.occurred_at >= utcnow() - since,
            AuditEntry.subject_kind == subject_kind,
            AuditEntry.subject_id == subject_id,
        )
        .group_by(AuditEntry.action)
    )
    return {action: int(n) for action, n in (await session.execute(stmt)).all()}


def _audit(session: AsyncSession, citizen_id: uuid.UUID, action: str, subject_kind: str, subject_id: str) -> None:
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action=action,
        subject_kind=subject_kind,
        subject_id=subject_id,
        citizen_id=citizen_id,
    )


async def finish_with_code(session: AsyncSession, *, pending: PendingSignIn, code: str) -> CodeCheck:
    """Check the authenticator code of a pending sign-in: at most MAX_WRONG_CODES wrong ones, and it succeeds once."""
    citizen_id = uuid.UUID(pending.citizen_id)
    row = await totp.get(session, citizen_id=citizen_id, lock=True)  # one check at a time per person
    if row is None or row.confirmed_at is None:
        return CodeCheck(CodeOutcome.closed)
    seen = await _code_events(
        session,
        citizen_id=citizen_id,
        subject_kind="sign_in",
        subject_id=pending.id,
        since=timedelta(seconds=PENDING_SECONDS * 2),
    )
    wrong = seen.get(_CODE_WRONG, 0)
    if seen.get(_CODE_ACCEPTED):
        return CodeCheck(CodeOutcome.closed)
    if wrong >= MAX_WRONG_CODES:
        return CodeCheck(CodeOutcome.exhausted)
    if await totp.check(session, citizen_id=citizen_id, code=code):
        _audit(session, citizen_id, _CODE_ACCEPTED, "sign_in", pending.id)
        return CodeCheck(CodeOutcome.accepted)
    _audit(session, citizen_id, _CODE_WRONG, "sign_in", pending.id)
    left = MAX_WRONG_CODES - wrong - 1
    return CodeCheck(CodeOutcome.wrong, left) if left > 0 else CodeCheck(CodeOutcome.exhausted)


async def turn_on_totp(session: AsyncSession, *, citizen_id: uuid.UUID, code: str) -> bool:
    """Confirm the key being set up with a current code; sign-in asks for a code from then on (audited)."""
    if not await totp.confirm(session, citizen_id=citizen_id, code=code):
        return False
    _audit(session, citizen_id, "citizen.totp_on", "totp", str(citizen_id))
    return True


async def turn_off_totp(session: AsyncSession, *, citizen_id: uuid.UUID, code: str) -> CodeCheck:
    """Turn the authenticator app off, given a current code (audited); a few wrong codes, then a pause."""
    row = await totp.get(session, citizen_id=citizen_id, lock=True)
    if row is None or row.confirmed_at is None:
        return CodeCheck(CodeOutcome.accepted)  # already off
    seen = await _code_events(
        session, citizen_id=citizen_id, subject_kind="totp", subject_id=str(citizen_id), since=TURN_OFF_PERIOD
    )
    wrong = seen.get(_CODE_WRONG, 0)
    if wrong >= TURN_OFF_WRONG_CODES:
        return CodeCheck(CodeOutcome.exhausted)
    if not await totp.check(session, citizen_id=citizen_id, code=code):
        _audit(session, citizen_id, _CODE_WRONG, "totp", str(citizen_id))
        left = TURN_OFF_WRONG_CODES - wrong - 1
        return CodeCheck(CodeOutcome.wrong, left) if left > 0 else CodeCheck(CodeOutcome.exhausted)
    await totp.remove(session, citizen_id=citizen_id)
    _audit(session, citizen_id, "citizen.totp_off", "totp", str(citizen_id))
    return CodeCheck(CodeOutcome.accepted)
