"""A person's consents: which agency may read which of their attributes, for what, since when, until when.

Given at the moment of use (the portal shows the exact values first) or recorded by an agent on the phone or at a
counter; revocable at any time, taking effect on the next read. A receipt names everything the person agreed to.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.errors import conflict, not_found
from townsquare.sharing.models import Consent

DEFAULT_DAYS = 365


async def give(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    consumer_agency_id: uuid.UUID,
    purpose: str,
    attributes: list[str],
    agreements: list[str],
    channel: str,
    recorded_by_id: uuid.UUID | None = None,
    days: int = DEFAULT_DAYS,
) -> Consent:
    """Record a consent to exactly these attributes ("provider.code") for this purpose."""
    now = utcnow()
    row = Consent(
        citizen_id=citizen_id,
        consumer_agency_id=consumer_agency_id,
        purpose=purpose,
        attributes=sorted(set(attributes)),
        agreements=sorted(set(agreements)),
        given_at=now,
        channel=channel,
        recorded_by_id=recorded_by_id,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    return row


async def revoke(session: AsyncSession, *, citizen_id: uuid.UUID, consent_id: uuid.UUID, channel: str) -> Consent:
    """Withdraw one of the person's own consents; reads under it stop with the next one."""
    row = await session.get(Consent, consent_id)
    if row is None or row.citizen_id != citizen_id:
        raise not_found("Consent")
    if row.revoked_at is not None:
        raise conflict("That consent was already withdrawn.")
    row.revoked_at, row.revoked_channel = utcnow(), channel
    await session.flush()
    return row


def state(row: Consent, at: datetime) -> str:
    """active, revoked or expired."""
    if row.revoked_at is not None and row.revoked_at <= at:
        return "revoked"
    if row.expires_at <= at:
        return "expired"
    return "active"


async def of_person(
    session: AsyncSession, *, citizen_id: uuid.UUID, consumer_agency_id: uuid.UUID | None = None
) -> list[Consent]:
    """The person's consents, newest first (to one agency, or to all)."""
    query = select(Consent).where(Consent.citizen_id == citizen_id)
    if consumer_agency_id is not None:
        query = query.where(Consent.consumer_agency_id == consumer_agency_id)
    return list((await session.execute(query.order_by(Consent.given_at.desc(), Consent.id.desc()))).scalars())


async def get_own(session: AsyncSession, *, citizen_id: uuid.UUID, consent_id: uuid.UUID) -> Consent:
    row = await session.get(Consent, consent_id)
    if row is None or row.citizen_id != citizen_id:
        raise not_found("Consent")
    return row


def receipt(row: Consent, *, consumer: str, attribute_names: dict[str, str], purpose_text: str) -> dict[str, Any]:
    """What the person agreed to, as a record they keep (shaped after the Kantara consent receipt)."""
    return {
        "receipt_id": str(row.id),
        "version": "townsquare-consent-receipt-1",
        "given_at": row.given_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "withdrawn_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "state": state(row, utcnow()),
        "channel": row.channel,
        "recorded_by_staff": row.recorded_by_id is not None,
        "recipient": consumer,
        "purpose": {"code": row.purpose, "description": purpose_text},
        "data": [{"attribute": key, "name": attribute_names.get(key, key)} for key in row.attributes],
        "under_agreements": row.agreements,
        "how_to_withdraw": "On your account page, under 'Data you share', or by calling the agency.",
    }
