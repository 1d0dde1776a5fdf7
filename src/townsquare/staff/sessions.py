"""A staff member's own sign-in sessions: listed (started, last seen, which browser: never an IP address), revoked
one by one, all but this one, or all of them (by the person, a password reset, or an administrator), and the
half-way sessions of a sign-in that still needs its one-time code or its MFA set-up.

Every revocation is audited; never commits.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.staff import service
from townsquare.staff.models import StaffAccount, StaffSession

REVOKED = "staff.sessions_revoked"
STEP_CODE = "code"  # the password was right; the one-time code is to come
STEP_ENROL = "enrol"  # the password was right; MFA must be set up before anything else
STEP_MINUTES = 10  # how long a half-way sign-in may wait for its code or its set-up

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_summary(user_agent: str) -> str:
    """“Firefox · Linux”: enough for a person to recognise their own browser, nothing more of the header."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or re.sub(r"[^\w .-]", "", user_agent.split("/")[0])[:40]


def token_hash(token: str) -> str:
    """What the table keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionView:
    """One of a person's live sessions, as their account page lists it."""

    id: uuid.UUID
    started: datetime
    last_seen: datetime
    browser: str
    method: str
    current: bool


def _live(staff_id: uuid.UUID) -> tuple[object, ...]:
    return (
        StaffSession.staff_id == staff_id,
        StaffSession.revoked_at.is_(None),
        StaffSession.expires_at > utcnow(),
        StaffSession.step == "",
    )


async def listed(session: AsyncSession, *, staff_id: uuid.UUID, token: str) -> list[SessionView]:
    """The person's live sessions, this one first, then the most recently seen."""
    rows = (await session.execute(select(StaffSession).where(*_live(staff_id)))).scalars()  # type: ignore[arg-type]
    mine = token_hash(token)
    views = [
        SessionView(
            r.id, r.created_at, r.last_seen_at or r.created_at, r.browser, r.method, current=r.token_hash == mine
        )
        for r in rows
    ]
    return sorted(views, key=lambda v: (not v.current, -v.last_seen.timestamp()))


async def revoke(
    session: AsyncSession,
    *,
    staff_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    session_id: uuid.UUID | None = None,
    keep_token: str | None = None,
    why: str,
) -> int:
    """End the account's sessions: one (`session_id`), all but `keep_token`'s, or all; returns how many, audited."""
    stmt = update(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
    if session_id is not None:
        stmt = stmt.where(StaffSession.id == session_id)
    if keep_token is not None:
        stmt = stmt.where(StaffSession.token_hash != token_hash(keep_token))
    ended = (await session.execute(stmt.values(revoked_at=utcnow()).returning(StaffSession.id))).scalars().all()
    service.audit(
        session,
        actor_kind="staff" if actor_id is not None else "system",
        actor_id=str(actor_id) if actor_id is not None else None,
        action=REVOKED,
        subject_kind="staff",
        subject_id=str(staff_id),
        detail={"why": why, "ended": len(ended)},
    )
    return len(ended)


async def halfway(session: AsyncSession, *, token: str | None, step: str) -> StaffAccount | None:
    """The active account whose sign-in with this token is half-way, at `step`; None for anything else."""
    if not token:
        return None
    stmt = (
        select(StaffAccount)
        .join(StaffSession, StaffSession.staff_id == StaffAccount.id)
        .where(
            StaffSession.token_hash == token_hash(token),
            StaffSession.step == step,
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > utcnow(),
            StaffAccount.active.is_(True),
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def finish(session: AsyncSession, *, token: str, account: StaffAccount, hours: int, browser: str) -> str:
    """The half-way session ends and a new full one starts (a new token: the half-way one is worth nothing more);
    the sign-in is audited. Returns the new token."""
    await session.execute(
        update(StaffSession).where(StaffSession.token_hash == token_hash(token)).values(revoked_at=utcnow())
    )
    method = "password+mfa" if account.mfa_enabled_at is not None else "password"
    fresh = await service.start_session(session, staff_id=account.id, hours=hours, browser=browser, method=method)
    account.last_sign_in_at = utcnow()
    service.audit(
        session,
        actor_kind="staff",
        actor_id=str(account.id),
        action="staff.sign_in",
        subject_kind="staff",
        subject_id=str(account.id),
        detail={"method": method},
    )
    return fresh


async def account_of(session: AsyncSession, *, staff_id: uuid.UUID) -> StaffAccount:
    """The signed-in person's own account."""
    account = await session.get(StaffAccount, staff_id)
    if account is None:
        raise LookupError(staff_id)
    return account


async def account_exists(session: AsyncSession, *, staff_id: uuid.UUID) -> bool:
    """Whether a staff account has this id."""
    return await session.get(StaffAccount, staff_id) is not None
