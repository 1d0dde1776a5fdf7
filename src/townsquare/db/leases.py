"""Claiming due rows with a lease: what the outbox and webhook workers both do before sending.

A row is due when it is pending, its `next_attempt_at` has come and nobody holds an unexpired lease on it. A claim
takes up to `batch` such rows, oldest due first (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers never wait on
each other), stamps them with a new `claim_token` and `claimed_until`, and commits; the caller then reads its rows
by the token. A crashed worker's rows become due again when their lease runs out.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from townsquare.db.engine import Database


async def claim_due(
    db: Database, model: Any, *, pending: Any, now: datetime, batch: int, lease_seconds: float
) -> str | None:
    """Lease up to `batch` due rows of `model` (which has status, next_attempt_at, claimed_until, claim_token);
    returns the claim's token, or None when nothing is due."""
    token = str(uuid.uuid4())
    async with db.session() as session:
        due = (
            select(model.id)
            .where(
                model.status == pending,
                model.next_attempt_at <= now,
                or_(model.claimed_until.is_(None), model.claimed_until < now),
            )
            .order_by(model.next_attempt_at)
            .limit(batch)
        )
        if db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await session.execute(due)).scalars())
        if not ids:
            return None
        lease = now + timedelta(seconds=lease_seconds)
        await session.execute(update(model).where(model.id.in_(ids)).values(claimed_until=lease, claim_token=token))
        await session.commit()
    return token
