"""The drafts table: one row per citizen and started application.

`answers` maps a form field's code to its value; `field_versions` maps the same codes to the draft version at
which that field last changed, so a save from a device that saw an older version can be merged field by field:
fields changed only on that device win, fields changed only elsewhere are kept, and a field changed on both to
different values is a conflict shown to the person.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.db import Base, IdMixin, TimestampMixin


class Draft(IdMixin, TimestampMixin, Base):
    """A started application for a service, not yet submitted (or submitted: then `case_id` is set)."""

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_citizen", "citizen_id", "updated_at"),
        # At most one open draft per person and service, whatever two devices do at once.
        Index(
            "uq_drafts_open",
            "citizen_id",
            "service_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Values another agency holds that were offered into this draft with consent, by attribute code: what was
    # offered (a keyed hash of the value, never the value), from where, under which agreement and consent, when.
    prefill: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    field_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)  # the page of the form the person was last on
    submitted_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
