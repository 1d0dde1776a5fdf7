"""The satisfaction survey table: one row per invitation, with what it was about and the answer, if any.

A row is written only when the question is really put to the person (queued, said or shown), in the same
transaction; `subject_key` names the closed thing it asks about, so nothing is ever asked twice about it. The
comment is the person's own words: read only through `surveys.desk`, which writes the access log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The tables this one points at, registered first: a column typed by its foreign key (here, and in any statement
# built at import time elsewhere) only knows its type once the target table is on the metadata.
import townsquare.agencies.models
import townsquare.cases.models
import townsquare.citizens.models
import townsquare.interactions.models
import townsquare.knowledge.models
import townsquare.routing.models
import townsquare.staff.models  # noqa: F401
from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin


class Survey(IdMixin, Base):
    """One satisfaction question put to one person about one closed case, contact or assistant answer."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        Index("ix_satisfaction_surveys_citizen_sent", "citizen_id", "sent_at"),
        Index("ix_satisfaction_surveys_agency_sent", "agency_id", "sent_at"),
        Index("ix_satisfaction_surveys_pending", "citizen_id", "channel", "answered_at", "expires_at"),
    )

    subject_key: Mapped[str] = mapped_column(String(120), unique=True)  # case:<id>, work:<id>, call:<id>, answer:<id>
    about: Mapped[str] = mapped_column(String(16))  # "case", "contact" or "assistant"
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # where the question was put: sms, email, push, voice, chat
    contact_channel: Mapped[str] = mapped_column(String(16))  # the channel the closed contact or case came in on
    language: Mapped[str] = mapped_column(String(8), default="en")
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    interaction_id: Mapped[uuid.UUID | None]  # the contact asked about (a call, the message the assistant answered)
    work_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_items.id", ondelete="SET NULL"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    article_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("knowledge_articles.id", ondelete="SET NULL"))
    notification_id: Mapped[uuid.UUID | None]  # the notification that carried it (SMS, email, push)
    question_id: Mapped[uuid.UUID | None]  # the outbound interaction that asked it in a chat
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_on: Mapped[str | None] = mapped_column(String(16))  # the channel the answer came back on
    answer_interaction_id: Mapped[uuid.UUID | None]
    score: Mapped[int | None] = mapped_column(Integer)  # 1 (very dissatisfied) .. 5 (very satisfied)
    comment: Mapped[str | None] = mapped_column(Text)
    commented_at: Mapped[datetime | None]
