"""Staff sign-in under abuse limits: failures are counted per email address and per client address in stacked
moving windows, a throttled attempt waits without its password being checked, enough failures in a row lock the
account until an administrator unlocks it, and every failure, throttle, lock and unlock is audited.

Never stores, logs or audits a password, a typed email address or a client's IP (only keyed fingerprints); an
unknown email is counted, throttled and answered exactly as a known one. Never commits: the route commits, then
calls `settle`, so the windows only count what the audit log already holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from limits import RateLimitItem, RateLimitItemPerDay
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import not_found
from townsquare.ratelimit import RateLimiter, fingerprint, longest_window, parse_tiers
from townsquare.settings import Settings
from townsquare.staff import service
from townsquare.staff.models import StaffAccount

ACCOUNT_BUCKET = "staff-sign-in-account"
CLIENT_BUCKET = "staff-sign-in-client"
FAILED = "staff.sign_in_failed"
THROTTLED = "staff.sign_in_throttled"
LOCKED = "staff.locked"
UNLOCKED = "staff.unlocked"


class Outcome(StrEnum):
    signed_in = "signed_in"
    wrong = "wrong"  # a wrong password or an unknown email: the same answer
    throttled = "throttled"  # a window is full, or the account is locked: wait (and ask an administrator)


@dataclass(frozen=True)
class Policy:
    """The windows and the lock threshold, read from the settings."""

    account: list[RateLimitItem]
    client: list[RateLimitItem]
    lock_after: int
    secret: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy; the account windows gain one of `lock_after` a day, so an unknown email is refused for as
        long, and in the same words, as an account that the same failures locked."""
        account = [
            *parse_tiers(settings.staff_sign_in_account_limits),
            RateLimitItemPerDay(settings.staff_lock_after_failures),
        ]
        return cls(
            account,
            parse_tiers(settings.staff_sign_in_client_limits),
            settings.staff_lock_after_failures,
            settings.secret_key,
        )


@dataclass(frozen=True)
class Attempt:
    """What one sign-in attempt came to; `account` is set only when it signed in."""

    outcome: Outcome
    account: StaffAccount | None
    retry_after: int
    email_key: str
    client_key: str
    counted: bool  # a failure to count in the windows once it is committed


async def attempt(
    session: AsyncSession, limiter: RateLimiter, policy: Policy, *, email: str, password: str, client: str
) -> Attempt:
    """Check the windows, then the lock, then the password; the failure, throttle or lock is audited."""
    address = email.strip().lower()
    email_key = fingerprint(policy.secret, "staff-email", address)
    client_key = fingerprint(policy.secret, "client", client)
    account = (await session.execute(_active(address))).scalar_one_or_none()
    if account is not None and account.failed_sign_ins == 0 and account.locked_at is None:
        # Nothing failed since the last success or unlock (perhaps in another process): older counts are void.
        await limiter.clear(ACCOUNT_BUCKET, email_key, policy.account)
    by_account = await limiter.check(ACCOUNT_BUCKET, email_key, policy.account)
    by_client = await limiter.check(CLIENT_BUCKET, client_key, policy.client)
    wait = max(by_account.retry_after, by_client.retry_after)
    audit_keys = {"client": client_key} if account is not None else {"client": client_key, "email": email_key}
    if wait:
        scope = [name for name, d in (("account", by_account), ("client", by_client)) if not d.allowed]
        _audit(session, THROTTLED, account, {**audit_keys, "by": scope, "retry_after": wait})
        return Attempt(Outcome.throttled, None, wait, email_key, client_key, counted=False)
    if account is not None and account.locked_at is not None:
        await _record_failure(session, policy, account, {**audit_keys, "reason": "locked"})
        return Attempt(Outcome.throttled, None, longest_window(policy.account), email_key, client_key, counted=True)
    signed_in = await service.authenticate(session, email=address, password=password)
    if signed_in is None:
        reason = "wrong_password" if account is not None else "unknown_account"
        await _record_failure(session, policy, account, {**audit_keys, "reason": reason})
        return Attempt(Outcome.wrong, None, 0, email_key, client_key, counted=True)
    signed_in.failed_sign_ins = 0
    return Attempt(Outcome.signed_in, signed_in, 0, email_key, client_key, counted=False)


async def settle(limiter: RateLimiter, policy: Policy, result: Attempt) -> None:
    """After the commit: count a failure in its windows, or start the account's windows afresh after a success."""
    if result.counted:
        await limiter.count(ACCOUNT_BUCKET, result.email_key, policy.account)
        await limiter.count(CLIENT_BUCKET, result.client_key, policy.client)
    elif result.outcome is Outcome.signed_in:
        await limiter.clear(ACCOUNT_BUCKET, result.email_key, policy.account)


def _active(address: str) -> Any:
    return select(StaffAccount).where(StaffAccount.email == address, StaffAccount.active.is_(True))


async def _record_failure(
    session: AsyncSession, policy: Policy, account: StaffAccount | None, detail: dict[str, Any]
) -> None:
    """One more failure in a row for a known account (locking it at the threshold), audited either way."""
    if account is not None:
        stmt = (
            update(StaffAccount)
            .where(StaffAccount.id == account.id)
            .values(failed_sign_ins=StaffAccount.failed_sign_ins + 1)
            .returning(StaffAccount.failed_sign_ins)
        )
        in_a_row = int((await session.execute(stmt)).scalar_one())
        detail = {**detail, "in_a_row": in_a_row}
        if in_a_row >= policy.lock_after and account.locked_at is None:
            lock = (
                update(StaffAccount)
                .where(StaffAccount.id == account.id, StaffAccount.locked_at.is_(None))
                .values(locked_at=utcnow())
                .returning(StaffAccount.id)
            )
            if (await session.execute(lock)).scalar_one_or_none() is not None:  # only the first of racing failures
                _audit(session, LOCKED, account, {"in_a_row": in_a_row})
    _audit(session, FAILED, account, detail)


def _audit(session: AsyncSession, action: str, account: StaffAccount | None, detail: dict[str, Any]) -> None:
    service.audit(
        session,
        actor_kind="client",
        actor_id=str(detail.get("client", "")) or None,
        action=action,
        subject_kind="staff",
        subject_id=str(account.id) if account is not None else None,
        detail=detail,
    )


async def unlock(session: AsyncSession, *, staff_id: uuid.UUID, actor_kind: str, actor_id: str | None) -> StaffAccount:
    """Unlock an account and start its count of failures afresh (audited, even when it was not locked)."""
    account = await session.get(StaffAccount, staff_id, with_for_update=True)
    if account is None:
        raise not_found("Staff account", "No staff account has that id.")
    was_locked = account.locked_at is not None
    account.locked_at = None
    account.failed_sign_ins = 0
    await session.flush()
    service.audit(
        session,
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=UNLOCKED,
        subject_kind="staff",
        subject_id=str(account.id),
        detail={"was_locked": was_locked},
    )
    return account


async def find(session: AsyncSession, *, email: str) -> StaffAccount | None:
    """The staff account with this sign-in email (any case), active or not."""
    stmt = select(StaffAccount).where(StaffAccount.email == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()
