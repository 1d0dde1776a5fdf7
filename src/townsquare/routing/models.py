"""The work item table: anything a person on staff must act on, from any channel.

Routing, offers and agent capacity build on this table; the pipeline only creates and updates rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


class WorkItemStatus(StrEnum):
    queued = "queued"
    offered = "offered"
    assigned = "assigned"
    done = "done"
    cancelled = "cancelled"


OPEN_STATUSES = (WorkItemStatus.queued, WorkItemStatus.offered, WorkItemStatus.assigned)


class WorkItem(IdMixin, TimestampMixin, Base):
    """One unit of staff work in the universal queue, with its SLA clock and the context gathered so far."""

    __tablename__ = "work_items"
    __table_args__ = (
        Index("ix_work_items_queue", "agency_id", "status", "priority"),
        Index("ix_work_items_conversation", "conversation_id", "status"),
    )

    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[WorkItemStatus] = mapped_column(default=WorkItemStatus.queued)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    sla_due_at: Mapped[datetime | None]
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interaction_count: Mapped[int] = mapped_column(Integer, default=1)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
