"""A staff member's second factor: a TOTP authenticator app (RFC 6238) and one-time recovery codes.

Required for administrators and agency administrators (`required_for`). Set-up draws the key as a QR code (segno,
inline SVG) and in text; a code confirms it and ten recovery codes are made, shown once and stored as SHA-256
only. A code is accepted within one 30-second step either side of now and only for a step later than the last one
accepted, so it never works twice; wrong codes are limited like wrong passwords (staff.sign_in's windows, per
account) and audited. Never logs, audits or returns a code or the key (except to show the key at set-up); never
commits: the route commits, then calls `settle`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from limits import RateLimitItem
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.ratelimit import RateLimiter, fingerprint, parse_tiers
from townsquare.settings import Settings
from townsquare.staff import service
from townsquare.staff.models import ADMINISTERING, StaffAccount, StaffRecoveryCode, StaffRole

ENROLLED = "staff.mfa_enrolled"
REMOVED = "staff.mfa_removed"
FAILED = "staff.mfa_failed"
RECOVERY_USED = "staff.mfa_recovery_code_used"
BUCKET = "staff-mfa-account"
WINDOW = 1
RECOVERY_CODES = 10


def required_for(role: StaffRole) -> bool:
    """Whether this role must use a second factor (administrators of any kind)."""
    return role in ADMINISTERING


def grouped(secret: str) -> str:
    """The key in groups of four characters, to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(secret: str, *, account: str, issuer: str, label: str) -> str:
    """The key as an inline SVG QR code an authenticator app scans; `label` is its text alternative."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, border=4)
    safe_label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe_label}" ', 1)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _clean(raw: str) -> str:
    return "".join(ch for ch in raw if ch not in " -\u00a0\t").lower()


def start(account: StaffAccount) -> str:
    """A fresh key being set up (replacing an unfinished one); the account's MFA is not on until `confirm`."""
    account.mfa_secret = pyotp.random_base32(32)
    account.mfa_enabled_at = None
    account.mfa_last_step = None
    return account.mfa_secret


def _step(account: StaffAccount, code: str) -> int | None:
    cleaned = _clean(code)
    if account.mfa_secret is None or len(cleaned) != 6 or not cleaned.isdigit():
        return None
    totp = pyotp.TOTP(account.mfa_secret)
    now = totp.timecode(utcnow())
    for step in range(now - WINDOW, now + WINDOW + 1):
        later = account.mfa_last_step is None or step > account.mfa_last_step
        if later and hmac.compare_digest(cleaned, totp.generate_otp(step)):
            return step
    return None


async def confirm(session: AsyncSession, account: StaffAccount, code: str) -> list[str] | None:
    """Turn MFA on if `code` is current for the key being set up; returns the new recovery codes (shown once)."""
    if account.mfa_enabled_at is not None:
        return None
    step = _step(account, code)
    if step is None:
        _audit(session, account, FAILED, {"during": "enrolment"})
        return None
    account.mfa_enabled_at, account.mfa_last_step = utcnow(), step
    await session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == account.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(StaffRecoveryCode(staff_id=account.id, code_hash=_hash(_clean(c))) for c in codes)
    _audit(session, account, ENROLLED, {"recovery_codes": len(codes)})
    await session.flush()
    return codes


async def check(session: AsyncSession, account: StaffAccount, code: str) -> bool:
    """Whether `code` is a current TOTP code not used before, or an unused recovery code (then used up); a wrong
    code is audited."""
    if account.mfa_enabled_at is None:
        return False
    step = _step(account, code)
    if step is not None:
        account.mfa_last_step = step
        return True
    used = (
        update(StaffRecoveryCode)
        .where(
            StaffRecoveryCode.staff_id == account.id,
            StaffRecoveryCode.code_hash == _hash(_clean(code)),
            StaffRecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(StaffRecoveryCode.id)
    )
    if (await session.execute(used)).scalar_one_or_none() is not None:
        left = await recovery_codes_left(session, account)
        _audit(session, account, RECOVERY_USED, {"left": left})
        return True
    _audit(session, account, FAILED, {"during": "sign_in"})
    return False


async def recovery_codes_left(session: AsyncSession, account: StaffAccount) -> int:
    """How many recovery codes the account has not used."""
    stmt = select(StaffRecoveryCode.id).where(
        StaffRecoveryCode.staff_id == account.id, StaffRecoveryCode.used_at.is_(None)
    )
    return len((await session.execute(stmt)).all())


async def remove(session: AsyncSession, account: StaffAccount, *, actor_id: str) -> None:
    """Turn MFA off and forget the key and the recovery codes (audited)."""
    account.mfa_secret = account.mfa_enabled_at = account.mfa_last_step = None
    await session.execute(delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_id == account.id))
    service.audit(
        session, actor_kind="staff", actor_id=actor_id, action=REMOVED, subject_kind="staff", subject_id=str(account.id)
    )
    await session.flush()


def _audit(session: AsyncSession, account: StaffAccount, action: str, detail: dict[str, object]) -> None:
    service.audit(
        session,
        actor_kind="staff",
        actor_id=str(account.id),
        action=action,
        subject_kind="staff",
        subject_id=str(account.id),
        detail=detail,
    )


@dataclass(frozen=True)
class Limits:
    """Windows on wrong one-time codes per account: the staff sign-in's per-address windows."""

    tiers: list[RateLimitItem]
    secret: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(parse_tiers(settings.staff_sign_in_account_limits), settings.secret_key)

    def key(self, account: StaffAccount) -> str:
        return fingerprint(self.secret, "staff-mfa", str(account.id))


async def wait(limiter: RateLimiter, limits: Limits, account: StaffAccount) -> int:
    """Seconds to wait before another code may be tried (0: go ahead)."""
    return (await limiter.check(BUCKET, limits.key(account), limits.tiers)).retry_after


async def settle(limiter: RateLimiter, limits: Limits, account: StaffAccount, *, right: bool) -> None:
    """After the commit: count a wrong code, or start the windows afresh after a right one."""
    if right:
        await limiter.clear(BUCKET, limits.key(account), limits.tiers)
    else:
        await limiter.count(BUCKET, limits.key(account), limits.tiers)


def step_after_password(account: StaffAccount, *, required: bool) -> str:
    """What a right password leads to: the one-time code, MFA set-up (for a role that needs it, when `required`:
    the setting), or nothing."""
    if account.mfa_enabled_at is not None:
        return "code"
    return "enrol" if required and required_for(account.role) else ""
