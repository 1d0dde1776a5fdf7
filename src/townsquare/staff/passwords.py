"""A staff member's password: its strength rules, changing it, and resetting it by an emailed link.

Strength: at least 12 characters, not the account's email address (nor its part before the @), and not one of the
commonly used passwords kept in `common_passwords.txt`. A reset link's token is random, stored as SHA-256 only,
works once and for an hour; using it sets the new password and ends every session of the account. Asking for a
link answers the same whether the address is known or not (the caller does); nothing here logs or audits a
password, a token or a typed address. Never commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.staff import service, sessions
from townsquare.staff.models import StaffAccount, StaffPasswordReset

CHANGED = "staff.password_changed"
RESET_REQUESTED = "staff.password_reset_requested"
RESET_USED = "staff.password_reset_used"
RESET_MINUTES = 60
MIN_LENGTH = service.MIN_PASSWORD_LENGTH
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_hasher = PasswordHasher()


class Weakness(StrEnum):
    short = "short"
    email = "email"
    common = "common"


@cache
def common_passwords() -> frozenset[str]:
    """The commonly used passwords refused, lower-cased."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def weakness(password: str, *, email: str) -> Weakness | None:
    """Why `password` is too weak for the account with `email`, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return Weakness.short
    lowered = password.strip().lower()
    address = email.strip().lower()
    if lowered in {address, address.partition("@")[0]} or (len(address) >= 6 and address in lowered):
        return Weakness.email
    if lowered in common_passwords():
        return Weakness.common
    return None


def right_password(account: StaffAccount, password: str) -> bool:
    """Whether `password` is the account's (an account made by single sign-on has none)."""
    try:
        return bool(account.password_hash) and _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit(session: AsyncSession, account_id: uuid.UUID, action: str, *, actor_id: uuid.UUID | None) -> None:
    service.audit(
        session,
        actor_kind="staff" if actor_id is not None else "system",
        actor_id=str(actor_id) if actor_id is not None else None,
        action=action,
        subject_kind="staff",
        subject_id=str(account_id),
    )


async def change(
    session: AsyncSession, account: StaffAccount, *, current: str, new: str, keep_token: str
) -> Weakness | bool | None:
    """Set a new password if `current` is right and `new` strong enough; the person's other sessions end.

    Returns False for a wrong current password, the weakness of a weak new one, else None (changed)."""
    if not right_password(account, current):
        return False
    found = weakness(new, email=account.email)
    if found is not None:
        return found
    account.password_hash = service.hash_password(new)
    _audit(session, account.id, CHANGED, actor_id=account.id)
    await sessions.revoke(session, staff_id=account.id, actor_id=account.id, keep_token=keep_token, why="password")
    await session.flush()
    return None


def token_digest(token: str) -> str:
    """What the table keeps of a reset token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_reset(session: AsyncSession, *, email: str) -> tuple[StaffAccount, str] | None:
    """A reset link's token for the active account with this address (audited), or None for any other address."""
    stmt = select(StaffAccount).where(StaffAccount.email == email.strip().lower(), StaffAccount.active.is_(True))
    account = (await session.execute(stmt)).scalar_one_or_none()
    if account is None:
        return None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffPasswordReset(
            token_hash=token_digest(token),
            staff_id=account.id,
            created_at=now,
            expires_at=now + timedelta(minutes=RESET_MINUTES),
        )
    )
    _audit(session, account.id, RESET_REQUESTED, actor_id=None)
    await session.flush()
    return account, token


async def reset_holder(session: AsyncSession, *, token: str) -> StaffAccount | None:
    """The active account a live, unused reset link belongs to; None for anything else."""
    stmt = (
        select(StaffAccount)
        .join(StaffPasswordReset, StaffPasswordReset.staff_id == StaffAccount.id)
        .where(
            StaffPasswordReset.token_hash == token_digest(token),
            StaffPasswordReset.used_at.is_(None),
            StaffPasswordReset.expires_at > utcnow(),
            StaffAccount.active.is_(True),
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def use_reset(session: AsyncSession, *, token: str, new: str) -> StaffAccount | Weakness | None:
    """Set the new password with a live link (then used up) and end every session of the account.

    Returns the account, the weakness of a weak password (the link still works), or None for a dead link."""
    account = await reset_holder(session, token=token)
    if account is None:
        return None
    found = weakness(new, email=account.email)
    if found is not None:
        return found
    used = (
        update(StaffPasswordReset)
        .where(StaffPasswordReset.token_hash == token_digest(token), StaffPasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(StaffPasswordReset.id)
    )
    if (await session.execute(used)).scalar_one_or_none() is None:
        return None  # used by a racing request
    account.password_hash = service.hash_password(new)
    _audit(session, account.id, RESET_USED, actor_id=None)
    await sessions.revoke(session, staff_id=account.id, actor_id=None, why="password_reset")
    await session.flush()
    return account
