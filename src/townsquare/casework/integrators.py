"""Administrators managing API keys: every key with its use, issuing one (its secret returned once), revoking.

The secret is never stored or returned again, and never written to a log or an audit entry. Changes are audited
and never committed here (the route does, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.cases.models import Open311Submission
from townsquare.clock import utcnow
from townsquare.errors import FieldError, invalid, not_found
from townsquare.staff import service as staff
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey, ApiKeyScope

USAGE_WINDOW = timedelta(days=30)


@dataclass
class KeyForm:
    """What the issue form shows: empty, or what was just sent when it was refused."""

    name: str = ""
    contact: str = ""
    scope: str = ApiKeyScope.open311.value
    agency_id: str = ""
    rate_limit: str = ""


@dataclass
class KeyRow:
    key: ApiKey
    agency: str
    requests_30d: int


@dataclass
class KeysView:
    """The page's list: every key, and the agencies a new one may be limited to."""

    rows: list[KeyRow]
    agencies: list[Agency]


@dataclass
class NewKey:
    """A key just issued, with its secret (shown once)."""

    row: ApiKey
    secret: str
    scope: ApiKeyScope


async def submissions_per_key(session: AsyncSession, *, since: datetime) -> dict[uuid.UUID, int]:
    """Open311 requests received per key since `since`; one query."""
    key_id = Open311Submission.api_key_id
    stmt = select(key_id, func.count()).where(Open311Submission.submitted_at >= since).group_by(key_id)
    return {k: int(n) for k, n in (await session.execute(stmt)).all()}


async def keys_view(session: AsyncSession) -> KeysView:
    """Every key with its agency and its Open311 requests in the last `USAGE_WINDOW`."""
    agency_list = await agencies.list_agencies(session)
    names = {a.id: a.name for a in agency_list}
    counts = await submissions_per_key(session, since=utcnow() - USAGE_WINDOW)
    rows = [
        KeyRow(k, names.get(k.agency_id, "Unknown") if k.agency_id else "Every agency", counts.get(k.id, 0))
        for k in await staff.list_api_keys(session)
    ]
    return KeysView(rows=rows, agencies=list(agency_list))


def _scope(sent: KeyForm) -> ApiKeyScope:
    try:
        return ApiKeyScope(sent.scope)
    except ValueError:
        raise invalid("Choose what the key opens.", FieldError("scope", "choose one")) from None


async def _agency(session: AsyncSession, sent: KeyForm) -> uuid.UUID | None:
    if not sent.agency_id:
        return None
    try:
        wanted = uuid.UUID(sent.agency_id)
    except ValueError:
        wanted = None
    if wanted is None or await session.get(Agency, wanted) is None:
        raise invalid("Choose one of the agencies, or every agency.", FieldError("agency_id", "unknown agency"))
    return wanted


def _rate_limit(sent: KeyForm) -> int | None:
    if not sent.rate_limit:
        return None
    try:
        return int(sent.rate_limit)
    except ValueError:
        raise invalid(
            "The rate limit is a whole number of requests a minute, or empty for the default.",
            FieldError("rate_limit_per_minute", "not a whole number"),
        ) from None


async def issue(session: AsyncSession, *, me: Principal, sent: KeyForm) -> NewKey:
    """Issue a key as the form asks (audited, the secret left out)."""
    scope = _scope(sent)
    secret, row = await staff.create_api_key(
        session,
        name=sent.name,
        agency_id=await _agency(session, sent),
        created_by_id=me.id,
        scope=scope,
        contact=sent.contact,
        rate_limit_per_minute=_rate_limit(sent),
    )
    me.audit(
        session, action="api_key.create", subject_kind="api_key", subject_id=str(row.id), detail={"scope": scope.value}
    )
    return NewKey(row=row, secret=secret, scope=scope)


async def get_key(session: AsyncSession, *, key_id: uuid.UUID) -> ApiKey:
    """One key, or 404."""
    row = await session.get(ApiKey, key_id)
    if row is None:
        raise not_found("API key", "No API key has that id.")
    return row


async def revoke(session: AsyncSession, *, me: Principal, key_id: uuid.UUID) -> bool:
    """Revoke a key at once (audited); False when it already was, which changes nothing."""
    row = await get_key(session, key_id=key_id)
    if row.revoked_at is not None:
        return False
    await staff.revoke_api_key(session, key_id=row.id)
    me.audit(session, action="api_key.revoke", subject_kind="api_key", subject_id=str(row.id))
    return True


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused change before the form is shown again."""
    await session.rollback()
