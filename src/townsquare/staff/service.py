"""Staff accounts, sign-in sessions, integration API keys and audit entries.

Passwords are hashed with argon2; session tokens and API keys are random and stored only as SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.db import remembered
from townsquare.errors import FieldError, conflict, invalid
from townsquare.staff.models import ApiKey, ApiKeyScope, AuditEntry, StaffAccount, StaffAgency, StaffRole, StaffSession

remembered.watch(ApiKey)  # a request's key is read once every few seconds; revoking it here forgets it at once

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("townsquare-timing-equaliser")
API_KEY_PREFIX = "ts_"
MIN_PASSWORD_LENGTH = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_RATE_LIMIT_PER_MINUTE = 100_000


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the minimum length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.",
            FieldError("password", f"shorter than {MIN_PASSWORD_LENGTH} characters"),
        )
    return _hasher.hash(password)


async def create_staff(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str,
    role: StaffRole,
    agency_ids: Iterable[uuid.UUID] = (),
) -> StaffAccount:
    """A new staff account in the given agencies."""
    account = StaffAccount(
        email=email.strip().lower(),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
    )
    try:
        async with session.begin_nested():
            session.add(account)
            await session.flush()
    except IntegrityError:
        raise conflict("A staff account with that email already exists.") from None
    for agency_id in agency_ids:
        session.add(StaffAgency(staff_id=account.id, agency_id=agency_id))
    await session.flush()
    return account


async def authenticate(session: AsyncSession, *, email: str, password: str) -> StaffAccount | None:
    """The active, unlocked account with this email and password, else None (same cost either way)."""
    stmt = select(StaffAccount).where(
        StaffAccount.email == email.strip().lower(), StaffAccount.active.is_(True), StaffAccount.locked_at.is_(None)
    )
    account = (await session.execute(stmt)).scalar_one_or_none()
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_sign_in_at = utcnow()
    return account


async def agency_ids_for(session: AsyncSession, *, staff_id: uuid.UUID) -> set[uuid.UUID]:
    """The agencies a staff account belongs to."""
    rows = await session.execute(select(StaffAgency.agency_id).where(StaffAgency.staff_id == staff_id))
    return set(rows.scalars())


async def start_session(
    session: AsyncSession,
    *,
    staff_id: uuid.UUID,
    hours: int,
    step: str = "",
    browser: str = "",
    method: str = "password",
    minutes: int | None = None,
) -> str:
    """A new sign-in session; returns the token for the cookie (only its hash is stored).

    `step` "code" or "enrol" starts a session half-way through signing in (staff.sessions), for `minutes`."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lasts = timedelta(minutes=minutes) if minutes is not None else timedelta(hours=hours)
    session.add(
        StaffSession(
            token_hash=_sha256(token),
            staff_id=staff_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lasts,
            step=step,
            browser=browser[:120],
            method=method,
        )
    )
    await session.flush()
    return token


class SignedIn(NamedTuple):
    """Who a live staff session belongs to, with their agencies: what every desk request needs to know."""

    id: uuid.UUID
    display_name: str
    role: StaffRole
    agency_ids: frozenset[uuid.UUID]
    touched: bool = False  # its last-seen time moved: the caller commits it


# Built once: every desk request looks its session up.
_SIGNED_IN = (
    select(
        StaffAccount.id,
        StaffAccount.display_name,
        StaffAccount.role,
        StaffAgency.agency_id,
        StaffSession.id,
        StaffSession.last_seen_at,
        StaffSession.created_at,
    )
    .join(StaffSession, StaffSession.staff_id == StaffAccount.id)
    .outerjoin(StaffAgency, StaffAgency.staff_id == StaffAccount.id)
    .where(
        StaffSession.token_hash == bindparam("token_hash"),
        StaffSession.revoked_at.is_(None),
        StaffSession.expires_at > bindparam("now"),
        StaffSession.step == "",
        StaffAccount.active.is_(True),
    )
)


async def staff_for_session(session: AsyncSession, *, token: str, idle_minutes: int | None = None) -> SignedIn | None:
    """The account signed in with this session token, if the session is live, fully signed in and (with
    `idle_minutes`) used within that time; one query (a row per agency). Its last-seen time moves at most once a
    minute (flushed, for the caller's authentication step to commit)."""
    now = utcnow()
    rows = (await session.execute(_SIGNED_IN, {"token_hash": _sha256(token), "now": now})).all()
    if not rows:
        return None
    staff_id, name, role, _, session_id, last_seen, started = rows[0]
    seen = last_seen or started
    if idle_minutes is not None and now - seen > timedelta(minutes=idle_minutes):
        return None
    touched = now - seen > LAST_USED_RESOLUTION
    if touched:
        await session.execute(update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now))
    return SignedIn(staff_id, name, role, frozenset(row[3] for row in rows if row[3] is not None), touched)


async def end_session(session: AsyncSession, *, token: str) -> None:
    """Sign a browser out."""
    stmt = update(StaffSession).where(StaffSession.token_hash == _sha256(token)).values(revoked_at=utcnow())
    await session.execute(stmt)


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    agency_id: uuid.UUID | None = None,
    created_by_id: uuid.UUID | None = None,
    scope: ApiKeyScope = ApiKeyScope.api,
    contact: str = "",
    rate_limit_per_minute: int | None = None,
    key: str | None = None,
) -> tuple[str, ApiKey]:
    """A new integration key (REST API or Open311 integrator); the plain key is returned once and never stored.

    `key` is for a key published on purpose (the demo city's), never for a real integrator: leave it out."""
    if not name.strip():
        raise invalid("Give the key a name: who or what will use it.", FieldError("name", "empty"))
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT_PER_MINUTE:
        raise invalid(
            f"A rate limit runs from 1 to {MAX_RATE_LIMIT_PER_MINUTE} requests a minute.",
            FieldError("rate_limit_per_minute", "out of range"),
        )
    key = key or API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name.strip(),
        prefix=key[:10],
        key_hash=_sha256(key),
        agency_id=agency_id,
        created_by_id=created_by_id,
        scope=scope,
        contact=contact.strip(),
        rate_limit_per_minute=rate_limit_per_minute,
    )
    session.add(row)
    await session.flush()
    return key, row


# Built once: every request an integration makes looks its key up.
_LIVE_KEY = select(ApiKey).where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))


async def api_key_for(session: AsyncSession, *, key: str) -> ApiKey | None:
    """The live API key matching a presented key."""
    row = (await session.execute(_LIVE_KEY, {"key_hash": _sha256(key)})).scalar_one_or_none()
    if row is not None and _use_unrecorded(row.last_used_at):
        row.last_used_at = utcnow()  # at most once a minute: a busy integration must not write on every request
    return row


def _use_unrecorded(last_used_at: datetime | None) -> bool:
    return last_used_at is None or utcnow() - last_used_at > LAST_USED_RESOLUTION


@dataclass(frozen=True)
class LiveKey:
    """What a request needs of a live API key (remembered per process: `live_key`)."""

    id: uuid.UUID
    name: str
    agency_id: uuid.UUID | None
    scope: ApiKeyScope
    last_used_at: datetime | None


async def live_key(session: AsyncSession, *, key: str) -> LiveKey | None:
    """`api_key_for`, remembered per process for a few seconds (`db.remembered`): a key revoked here stops
    working at once, one revoked by another process within seconds. Its last use is still written once a minute
    (the session is then dirty: the caller commits)."""

    async def load() -> LiveKey | None:
        row = await api_key_for(session, key=key)
        return None if row is None else LiveKey(row.id, row.name, row.agency_id, row.scope, row.last_used_at)

    found = await remembered.recall(session, ("api_key", _sha256(key)), load, keep_none=False)
    if found is not None and _use_unrecorded(found.last_used_at):
        found = await load()  # that commit changes a watched row: the remembered key is read again next time
    return found


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    """Every API key, newest first."""
    return list((await session.execute(select(ApiKey).order_by(ApiKey.created_at.desc()))).scalars())


async def revoke_api_key(session: AsyncSession, *, key_id: uuid.UUID) -> ApiKey | None:
    """Stop a key from working."""
    row = await session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


def audit_own_record(session: AsyncSession, citizen_id: uuid.UUID, action: str, detail: dict[str, Any]) -> None:
    """Append what a resident did to their own record (actor and subject are the same citizen)."""
    audit(
        session,
        actor_kind="citizen",
        actor_id=str(citizen_id),
        action=action,
        subject_kind="citizen",
        subject_id=str(citizen_id),
        citizen_id=citizen_id,
        detail=detail,
    )


def audit(
    session: AsyncSession,
    *,
    actor_kind: str,
    actor_id: str | None,
    action: str,
    subject_kind: str,
    subject_id: str | None = None,
    citizen_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
    purpose: str = "",
    actor_agency_ids: list[str] | None = None,
) -> None:
    """Append to the audit log in the caller's transaction (ids only, no personal data in `detail`).

    `purpose` is why: the route or use that read or changed it; `actor_agency_ids` the agencies the actor acted
    for (None: every agency).
    """
    session.add(
        AuditEntry(
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            citizen_id=citizen_id,
            agency_id=agency_id,
            detail=detail or {},
            purpose=purpose[:160],
            actor_agency_ids=actor_agency_ids,
        )
    )
