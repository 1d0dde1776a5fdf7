"""Tables of conversations, interactions and their attachments, and how far a provider's feed has been read.

An interaction's (channel, external_id) is unique: a provider's retried webhook is never recorded twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin
from townsquare.interactions.kinds import Channel as Channel
from townsquare.interactions.kinds import DeliveryStatus as DeliveryStatus
from townsquare.interactions.kinds import Direction as Direction
from townsquare.interactions.kinds import InteractionKind as InteractionKind


class ConversationStatus(StrEnum):
    open = "open"
    closed = "closed"


class Conversation(IdMixin, TimestampMixin, Base):
    """A thread of interactions with one person; it may move across channels."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_citizen_activity", "citizen_id", "last_activity_at"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    channel: Mapped[Channel]
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[ConversationStatus] = mapped_column(default=ConversationStatus.open)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)


class Interaction(IdMixin, Base):
    """One touchpoint on one channel: a message, a call, a visit, a letter, a form, a status change."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_interactions_citizen_time", "citizen_id", "occurred_at", "id"),
        Index("ix_interactions_case_time", "case_id", "occurred_at", "id"),
        Index("ix_interactions_conversation_time", "conversation_id", "occurred_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    channel: Mapped[Channel]
    direction: Mapped[Direction]
    kind: Mapped[InteractionKind]
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    external_id: Mapped[str | None] = mapped_column(String(255))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    identity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identities.id"))  # who it came from
    delivery_status: Mapped[DeliveryStatus | None]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attachments: Mapped[list[Attachment]] = relationship(lazy="raise", order_by="Attachment.created_at")


class Attachment(IdMixin, Base):
    """A file that came with an interaction; content lives in attachment storage, keyed by its SHA-256."""

    __tablename__ = "attachments"

    interaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedCursor(IdMixin, TimestampMixin, Base):
    """How far a feed the platform reads from a provider has been taken in (the city's Mastodon notifications).

    `position` moves in the same transaction as the contact read at it, so a restart neither misses nor repeats
    one; a lease (`claimed_until`, `claim_token`) keeps one process reading at a time; `not_before` is a pause the
    provider asked for (rate limit) or an error earned.
    """

    __tablename__ = "feed_cursors"

    feed: Mapped[str] = mapped_column(String(300), unique=True)
    position: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    not_before: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row; reset by a good read
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # items that could not be read at all, ever
    last_error: Mapped[str | None] = mapped_column(String(300))
