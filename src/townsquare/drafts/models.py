"""The drafts table: one row per citizen and started application.

`answers` maps a form field's code to its value; `field_versions` maps the same codes to the draft version at
which that field last changed, so a save from a device that saw an older version can be merged field by field:
fields changed only on that device win, fields changed only elsewhere are kept, and a field changed on both to
different values is a conflict shown to the person. `field_authors` says who made each field's last change:
the person, or a member of staff filling the form in with her.

A `DraftLink` is a link staff sent the person so that she opens this one draft on another device (a phone) without
signing in, and fills it in with them: a short-lived capability for one draft, its token kept as a hash only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, text
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
    # Who last changed each field, by code: "citizen" (the person), or "staff:<id>" for a member of staff filling the
    # form in with her. A field missing here was last changed by the person.
    field_authors: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Since when staff may have a hand in it (a link to fill it in together was sent): every change is audited.
    shared_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)  # the page of the form the person was last on
    submitted_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))


class LinkPurpose(StrEnum):
    """What a link to a draft opens: the form's pages, or a page to add a photo to it."""

    form = "form"
    upload = "upload"


class DraftLink(IdMixin, Base):
    """A link staff sent to fill in one draft together: its token (SHA-256 only), who sent it during which work,
    when it expires, the browser session it became when opened, whether the person lets staff fill in, its end."""

    __tablename__ = "draft_links"
    __table_args__ = (
        Index("ix_draft_links_work_item", "work_item_id", "created_at"),
        Index("ix_draft_links_draft", "draft_id", "created_at"),
    )

    draft_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id"))
    work_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_items.id", ondelete="SET NULL"))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    purpose: Mapped[LinkPurpose] = mapped_column(default=LinkPurpose.form)
    channel: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # the link must be opened before this
    opened_at: Mapped[datetime | None]
    session_expires_at: Mapped[datetime | None]  # the device that opened it may fill the form in until this
    allowed_at: Mapped[datetime | None]  # she lets staff fill in since then; None: not (yet, or she stopped it)
    agreement_at: Mapped[datetime | None]  # when she last answered "Let them fill in this form with you?"
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(16))  # ended, replaced, submitted
