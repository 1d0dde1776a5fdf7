"""Residents' sign-in sessions and one-time email sign-in links.

Tokens are random and stored only as SHA-256; a session serves the portal and the chat widget alike, and
"sign out everywhere" revokes every session of the person.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import Citizen, CitizenSession, SignInLink
from townsquare.clock import utcnow

CITIZEN_COOKIE = "ts_citizen"
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(session: AsyncSession, *, citizen_id: uuid.UUID, method: str, hours: int, device: str = "") -> str:
    """A new session for the citizen; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        CitizenSession(
            token_hash=_sha256(token),
            citizen_id=citizen_id,
            method=method,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=hours),
            device=device[:200],
        )
    )
    await session.flush()
    return token


async def citizen_for(session: AsyncSession, *, token: str) -> Citizen | None:
    """The signed-in citizen for a cookie token, if the session is live; follows a merge to the surviving record."""
    row = (
        await session.execute(select(CitizenSession).where(CitizenSession.token_hash == _sha256(token)))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    citizen = await session.get(Citizen, row.citizen_id)
    while citizen is not None and citizen.merged_into_id is not None:
        citizen = await session.get(Citizen, citizen.merged_into_id)
    return citizen


async def end(session: AsyncSession, *, token: str) -> None:
    """Sign this browser out."""
    await session.execute(
        update(CitizenSession)
        .where(CitizenSession.token_hash == _sha256(token), CitizenSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def end_all(session: AsyncSession, *, citizen_id: uuid.UUID) -> int:
    """Sign the citizen out on every device; returns how many sessions ended."""
    result = await session.execute(
        update(CitizenSession)
        .where(CitizenSession.citizen_id == citizen_id, CitizenSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def live_sessions(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[CitizenSession]:
    """The citizen's sessions still signed in, most recently used first ("your devices")."""
    now = utcnow()
    stmt = (
        select(CitizenSession)
        .where(
            CitizenSession.citizen_id == citizen_id,
            CitizenSession.revoked_at.is_(None),
            CitizenSession.expires_at > now,
        )
        .order_by(CitizenSession.last_seen_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def create_link(session: AsyncSession, *, email: str, minutes: int) -> str:
    """A one-time sign-in link token for a (normalised) email address."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        SignInLink(token_hash=_sha256(token), email=email, created_at=now, expires_at=now + timedelta(minutes=minutes))
    )
    await session.flush()
    return token


async def use_link(session: AsyncSession, *, token: str) -> str | None:
    """The email a live, unused sign-in link was sent to, marking it used (once only); None if it is not valid.

    A link made to add an address to someone's record (`citizen_id` set) is not a sign-in link and is refused.
    """
    row = (
        await session.execute(select(SignInLink).where(SignInLink.token_hash == _sha256(token)).with_for_update())
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.citizen_id is not None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    await session.flush()
    return row.email


async def create_citizen_link(session: AsyncSession, *, email: str, citizen_id: uuid.UUID, minutes: int) -> str:
    """A one-time link token proving that whoever opens it holds `email`, to add that address to `citizen_id`."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        SignInLink(
            token_hash=_sha256(token),
            email=email,
            citizen_id=citizen_id,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    await session.flush()
    return token


async def citizen_links_since(session: AsyncSession, *, citizen_id: uuid.UUID, since: datetime) -> int:
    """How many address-confirmation links were made for the citizen since `since` (to limit how many are sent)."""
    stmt = select(func.count()).where(SignInLink.citizen_id == citizen_id, SignInLink.created_at >= since)
    return int((await session.execute(stmt)).scalar_one())


async def use_citizen_link(session: AsyncSession, *, token: str) -> tuple[uuid.UUID, str] | None:
    """(citizen id, email) of a live, unused address-confirmation link, marking it used (once only).

    A plain sign-in link (no citizen) is never accepted here: it adds nothing to anyone's record.
    """
    row = (
        await session.execute(select(SignInLink).where(SignInLink.token_hash == _sha256(token)).with_for_update())
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.citizen_id is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    await session.flush()
    return row.citizen_id, row.email
