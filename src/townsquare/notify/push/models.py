"""A browser's push subscription: where its push service accepts messages for one device, and its keys.

Holds only what the browser gave us (endpoint and public keys) and when we last used it; never message content.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin

MAX_ENDPOINT_CHARS = 1024
MAX_DEVICE_CHARS = 120


class PushSubscription(IdMixin, Base):
    """One device that agreed to receive notifications for one citizen."""

    __tablename__ = "push_subscriptions"

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(MAX_ENDPOINT_CHARS), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(40))  # the browser's 16-byte auth secret, base64url
    device: Mapped[str] = mapped_column(String(MAX_DEVICE_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_sent_at: Mapped[datetime | None]
    last_acknowledged_at: Mapped[datetime | None]
