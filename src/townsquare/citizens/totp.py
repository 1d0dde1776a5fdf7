"""A resident's authenticator app (TOTP, RFC 6238): set up, confirm, check a code, turn off.

A code is accepted within one 30-second step either side of now and only for a step later than the last one
accepted, so a code never works twice. Never logs or returns the secret except to show it at set-up; never commits.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import CitizenTotp
from townsquare.clock import utcnow

WINDOW = 1  # steps either side of now: a phone's clock a little off, or a code typed as it changed
DIGITS = 6


def new_secret() -> str:
    """A fresh random key (base32, 160 bits)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The key in groups of four characters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def clean_code(raw: str) -> str | None:
    """The six digits of a code as people type it (spaces or a dash allowed), or None if it is not a code."""
    code = "".join(ch for ch in raw if ch not in " -\u00a0\t")
    return code if len(code) == DIGITS and code.isascii() and code.isdigit() else None


def matching_step(secret: str, code: str, *, at: datetime, after: int | None = None) -> int | None:
    """The time step `code` belongs to (within the window around `at`), if it is later than `after`; else None."""
    cleaned = clean_code(code)
    if cleaned is None:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(cleaned, totp.generate_otp(step)):
            return step
    return None


async def get(session: AsyncSession, *, citizen_id: uuid.UUID, lock: bool = False) -> CitizenTotp | None:
    """The citizen's authenticator row (set up or only started), locked for update when asked."""
    stmt = select(CitizenTotp).where(CitizenTotp.citizen_id == citizen_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def is_on(session: AsyncSession, *, citizen_id: uuid.UUID) -> bool:
    """Whether sign-in asks this citizen for a code (their authenticator app is confirmed)."""
    row = await get(session, citizen_id=citizen_id)
    return row is not None and row.confirmed_at is not None


async def start_setup(session: AsyncSession, *, citizen_id: uuid.UUID) -> CitizenTotp | None:
    """A new unconfirmed key for the citizen (replacing an unfinished one); None when an app is already on."""
    row = await get(session, citizen_id=citizen_id, lock=True)
    if row is not None and row.confirmed_at is not None:
        return None
    if row is None:
        row = CitizenTotp(citizen_id=citizen_id, secret=new_secret(), created_at=utcnow())
        session.add(row)
    else:
        row.secret, row.created_at, row.last_step = new_secret(), utcnow(), None
    await session.flush()
    return row


async def confirm(session: AsyncSession, *, citizen_id: uuid.UUID, code: str, at: datetime | None = None) -> bool:
    """Turn the app on if `code` is current for the key being set up (the step is then used up)."""
    row = await get(session, citizen_id=citizen_id, lock=True)
    if row is None or row.confirmed_at is not None:
        return False
    step = matching_step(row.secret, code, at=at or utcnow(), after=row.last_step)
    if step is None:
        return False
    row.confirmed_at, row.last_step = utcnow(), step
    await session.flush()
    return True


async def check(session: AsyncSession, *, citizen_id: uuid.UUID, code: str, at: datetime | None = None) -> bool:
    """Whether `code` is current for the citizen's confirmed app and not used before; marks its step used."""
    row = await get(session, citizen_id=citizen_id, lock=True)
    if row is None or row.confirmed_at is None:
        return False
    step = matching_step(row.secret, code, at=at or utcnow(), after=row.last_step)
    if step is None:
        return False
    row.last_step = step
    await session.flush()
    return True


async def remove(session: AsyncSession, *, citizen_id: uuid.UUID) -> None:
    """Forget the citizen's authenticator app (sign-in goes back to the emailed link alone)."""
    row = await get(session, citizen_id=citizen_id, lock=True)
    if row is not None:
        await session.delete(row)
        await session.flush()
