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
from townsquare.notify.kinds import FINAL_STATUSES as FINAL_STATUSES
from townsquare.notify.kinds import AttemptOutcome as AttemptOutcome
from townsquare.notify.kinds import MessageType as MessageType
from townsquare.notify.kinds import NotificationStatus as NotificationStatus
from townsquare.notify.kinds import ReminderStatus as ReminderStatus


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


class ReminderRule(IdMixin, Base):
    """A service's proactive reminder: N days before a date its cases hold (a licence's expiry, an appointment),
    or N days after an application was left unfinished."""

    __tablename__ = "reminder_rules"
    __table_args__ = (UniqueConstraint("service_id", "message_type"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    message_type: Mapped[MessageType]
    attribute_code: Mapped[str | None] = mapped_column(String(64))  # the case answer holding the date
    days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(IdMixin, Base):
    """One reminder to one person, due at a moment; the person sees it coming and may cancel it."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_due", "status", "due_at"),
        Index("ix_reminders_citizen", "citizen_id", "due_at"),
    )

    key: Mapped[str] = mapped_column(String(200), unique=True)  # what it is for, so it is scheduled once
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reminder_rules.id", ondelete="CASCADE"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    draft_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    message_type: Mapped[MessageType]
    due_at: Mapped[datetime]
    about: Mapped[str] = mapped_column(String(200))  # what the resident sees: the service's name
    personalisation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[ReminderStatus] = mapped_column(default=ReminderStatus.scheduled)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notifications.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]


class NotificationOptOut(IdMixin, Base):
    """A person asked not to hear about one message type on one channel (the portal's choices, an email's
    unsubscribe link). A phone's SMS STOP is the phone's own, on its identity, for every type."""

    __tablename__ = "notification_opt_outs"
    __table_args__ = (UniqueConstraint("citizen_id", "channel", "message_type"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    message_type: Mapped[MessageType]
    source: Mapped[str] = mapped_column(String(32))  # portal, email_link, one_click
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
