"""One-time codes that prove a person holds a phone or an email: issue a challenge, check an answer.

Only an HMAC of the code (keyed with the deployment's secret) is stored; a challenge expires after minutes and
allows a few attempts. Sending the code is the caller's job (through the outbox); nothing here sends or commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import IdentityKind, VerificationChallenge, VerificationMethod
from townsquare.clock import utcnow
from townsquare.db import new_id
from townsquare.errors import FieldError, invalid

MAX_ATTEMPTS = 5
MAX_CHALLENGES_PER_HOUR = 5
CODE_DIGITS = 6
VERIFIABLE = (IdentityKind.phone, IdentityKind.email)
METHOD = {IdentityKind.phone: VerificationMethod.sms_code, IdentityKind.email: VerificationMethod.email_code}


class Outcome(StrEnum):
    verified = "verified"
    wrong = "wrong"
    expired = "expired"
    exhausted = "exhausted"  # too many wrong attempts
    missing = "missing"  # no open challenge


@dataclass(frozen=True)
class Check:
    """What an answer to a challenge came to."""

    outcome: Outcome
    challenge: VerificationChallenge | None = None
    attempts_left: int = 0


def code_hash(secret_key: str, challenge_id: uuid.UUID, code: str) -> str:
    """The stored form of a code: an HMAC bound to its challenge, so a hash is useless anywhere else."""
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


async def issue(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    kind: IdentityKind,
    value: str,
    secret_key: str,
    valid_minutes: int,
    now: datetime | None = None,
) -> tuple[VerificationChallenge, str]:
    """A new challenge for a normalised phone or email and its code (to send, never to store).

    Refuses more than a few challenges an hour for one citizen, so a device cannot be used to flood a number.
    """
    if kind not in VERIFIABLE:
        raise invalid("Only a phone number or an email address can be verified.", FieldError("kind", "not verifiable"))
    at = now or utcnow()
    recent = select(func.count()).where(
        VerificationChallenge.citizen_id == citizen_id,
        VerificationChallenge.created_at >= at - timedelta(hours=1),
    )
    if int((await session.execute(recent)).scalar_one()) >= MAX_CHALLENGES_PER_HOUR:
        raise invalid(
            "Too many codes were asked for in the last hour; please wait a while and try again.",
            FieldError("value", "too many codes"),
        )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    challenge_id = new_id()
    challenge = VerificationChallenge(
        id=challenge_id,
        citizen_id=citizen_id,
        kind=kind,
        value=value,
        code_hash=code_hash(secret_key, challenge_id, code),
        attempts=0,
        expires_at=at + timedelta(minutes=valid_minutes),
        created_at=at,
    )
    session.add(challenge)
    await session.flush()
    return challenge, code


async def latest_unanswered(
    session: AsyncSession, *, citizen_id: uuid.UUID, kind: IdentityKind | None = None
) -> tuple[IdentityKind, str] | None:
    """Where the citizen's latest unanswered code went (of `kind`, if given), for a page to say so; no lock."""
    stmt = select(VerificationChallenge.kind, VerificationChallenge.value).where(
        VerificationChallenge.citizen_id == citizen_id, VerificationChallenge.verified_at.is_(None)
    )
    if kind is not None:
        stmt = stmt.where(VerificationChallenge.kind == kind)
    row = (await session.execute(stmt.order_by(VerificationChallenge.created_at.desc()).limit(1))).first()
    return (row.kind, row.value) if row is not None else None


async def open_challenge(session: AsyncSession, *, citizen_id: uuid.UUID) -> VerificationChallenge | None:
    """The citizen's latest challenge not yet answered correctly (locked for update where the database can)."""
    stmt = (
        select(VerificationChallenge)
        .where(VerificationChallenge.citizen_id == citizen_id, VerificationChallenge.verified_at.is_(None))
        .order_by(VerificationChallenge.created_at.desc(), VerificationChallenge.id.desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def check(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    code: str,
    secret_key: str,
    now: datetime | None = None,
) -> Check:
    """Answer the citizen's open challenge; every answer counts as an attempt. The caller commits either way."""
    at = now or utcnow()
    challenge = await open_challenge(session, citizen_id=citizen_id)
    if challenge is None:
        return Check(Outcome.missing)
    if challenge.expires_at <= at:
        return Check(Outcome.expired, challenge)
    if challenge.attempts >= MAX_ATTEMPTS:
        return Check(Outcome.exhausted, challenge)
    challenge.attempts += 1
    cleaned = "".join(code.split())
    expected = challenge.code_hash
    if hmac.compare_digest(code_hash(secret_key, challenge.id, cleaned), expected):
        challenge.verified_at = at
        await session.flush()
        return Check(Outcome.verified, challenge, MAX_ATTEMPTS - challenge.attempts)
    await session.flush()
    left = MAX_ATTEMPTS - challenge.attempts
    return Check(Outcome.wrong if left > 0 else Outcome.exhausted, challenge, left)
