"""The assistant's memory of a conversation: what it is waiting for, what it has established, whether a person has it.

One row per conversation the assistant has spoken in. `pending` is the question it last asked (a verification
question, "did that answer your question?"); `verified` what the person has proved (which case, how), so a hand-off
can tell the agent not to ask again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base


class AssistantSession(Base):
    """The assistant's state in one conversation."""

    __tablename__ = "assistant_sessions"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    pending: Mapped[str | None] = mapped_column(String(32))  # "verify", "feedback", "callback_number", ...
    pending_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    intent: Mapped[str | None] = mapped_column(String(32))  # the last intent detected
    verified: Mapped[dict[str, Any]] = mapped_column(default=dict)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)  # answers it could not give in a row
    handed_off_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
