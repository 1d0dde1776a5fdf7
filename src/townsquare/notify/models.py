"""The transactional outbox: one row per message to send, written in the transaction that caused it.

Rows carry ids and an idempotency key, never live objects; the worker claims them with a lease.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"  # gave up after the last attempt or a permanent failure


class OutboxMessage(IdMixin, Base):
    """A message waiting to leave the platform, or the record that it left."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"))
    status: Mapped[OutboxStatus] = mapped_column(default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
