"""The transactional outbox (one row per message to send, written in the transaction that caused it; the worker
claims rows with a lease) and notifications (a message to a person, tried channel by channel, from templates).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


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


class MessageType(StrEnum):
    """What a notification is for; each has its templates and the placeholders they may use."""

    acknowledgement = "acknowledgement"  # a case was received
    status_change = "status_change"  # a case moved, with its public note
    information_request = "information_request"  # staff need something from the resident to go on
    agent_reply = "agent_reply"  # a person at the agency wrote
    appointment_reminder = "appointment_reminder"
    renewal_reminder = "renewal_reminder"
    application_reminder = "application_reminder"  # an application left unfinished
    sign_in = "sign_in"
    verification = "verification"
    general = "general"  # an agency's own message, through the notifications API


class NotificationStatus(StrEnum):
    """As GOV.UK Notify names them, plus `sent` (handed to a provider that gives no receipt) and `cancelled`."""

    created = "created"  # accepted, waiting (quiet hours) or about to be tried
    sending = "sending"  # an attempt is with the provider, or a push waits for its acknowledgement
    sent = "sent"  # the provider accepted it and gives no delivery receipt (email over SMTP, a letter posted)
    delivered = "delivered"
    permanent_failure = "permanent_failure"  # every reachable channel failed
    temporary_failure = "temporary_failure"  # a channel failed for now and nothing was left to fall back on
    technical_failure = "technical_failure"  # our side failed (a template went missing)
    cancelled = "cancelled"


FINAL_STATUSES = frozenset(
    {
        NotificationStatus.delivered,
        NotificationStatus.permanent_failure,
        NotificationStatus.temporary_failure,
        NotificationStatus.technical_failure,
        NotificationStatus.cancelled,
    }
)


class NotificationTemplate(IdMixin, Base):
    """One version of the words for a message type on a channel in a language; the newest version is in use."""

    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("message_type", "channel", "language", "version"),)

    message_type: Mapped[MessageType]
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300), default="")  # email subject, letter heading, push title
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))  # None: loaded


class Notification(IdMixin, TimestampMixin, Base):
    """A message to a person (not to a channel): the channels to try in order and how far it has got."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_check_at"),
        Index("ix_notifications_citizen_time", "citizen_id", "created_at"),
        Index("ix_notifications_key_time", "api_key_id", "created_at"),
    )

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"))
    message_type: Mapped[MessageType]
    language: Mapped[str] = mapped_column(String(8))
    personalisation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reference: Mapped[str | None] = mapped_column(String(100))  # the sender's own reference
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # sent in quiet hours too
    plan: Mapped[list[Any]] = mapped_column(default=list)  # [[channel, recipient], ...] in the order to try
    attempt: Mapped[int] = mapped_column(Integer, default=-1)  # index in `plan` of the current attempt
    ack_wait_seconds: Mapped[int] = mapped_column(Integer, default=600)  # how long a push may go unacknowledged
    status: Mapped[NotificationStatus] = mapped_column(default=NotificationStatus.created)
    next_check_at: Mapped[datetime | None]  # when the worker must look again (quiet hours end, push deadline)
    completed_at: Mapped[datetime | None]


class AttemptOutcome(StrEnum):
    trying = "trying"
    delivered = "delivered"
    sent = "sent"
    failed = "failed"
    unacknowledged = "unacknowledged"  # a push nobody acknowledged in time


class NotificationAttempt(IdMixin, Base):
    """One channel tried for a notification; its outbound interaction is what the timeline shows."""

    __tablename__ = "notification_attempts"
    __table_args__ = (UniqueConstraint("notification_id", "number"),)

    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    interaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interactions.id"), index=True)
    outcome: Mapped[AttemptOutcome] = mapped_column(default=AttemptOutcome.trying)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
