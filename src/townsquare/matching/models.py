"""Tables of record linking: what each system said about a person, whom it was linked to and why.

- `SourceRecord`: one arrival of one record from one source (an agency's system, an imported register, a
  portal sign-up, a counter visit, a contact from a new handle), kept as received and never changed, with the
  matcher's folded columns beside it (indexed by the blocking rules) and the citizen it belongs to now.
- `MatchDecision`: every decision about a record: linked automatically, sent for review, kept separate, then
  confirmed or rejected by staff; with the model's probability, weight and per-field evidence.
- `MatchRejection`: two citizens staff said are different people; the pair is never offered again.
- `MatchModel`: the trained model in force (versions kept), with the jurisdiction's thresholds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin
from townsquare.matching.comparisons import BLOCKING_RULES


def _rule_index(rule: tuple[str, ...]) -> Index:
    return Index(f"ix_source_records_{'_'.join(rule)}", *rule)


class SourceRecord(IdMixin, Base):
    """One record as a source sent it; `citizen_id` is the person it is linked to now (changed only by link
    decisions and merges, each recorded)."""

    __tablename__ = "source_records"
    __table_args__ = (
        UniqueConstraint("source", "source_key", "digest"),
        Index("ix_source_records_citizen", "citizen_id"),
        *(_rule_index(rule) for rule in BLOCKING_RULES),
    )

    source: Mapped[str] = mapped_column(String(100))
    source_key: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the fields: the same record sent twice is one row
    fields: Mapped[dict[str, Any]] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))

    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[str | None] = mapped_column(String(8))
    street_number: Mapped[str | None] = mapped_column(String(20))
    street: Mapped[str | None] = mapped_column(String(120))
    locality: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    given_name_canonical: Mapped[str | None] = mapped_column(String(100))
    family_name_canonical: Mapped[str | None] = mapped_column(String(100))
    names: Mapped[str | None] = mapped_column(String(201))


class Outcome(StrEnum):
    linked = "linked"  # above the link threshold: joined the citizen without a person
    review = "review"  # between the thresholds: kept as its own citizen until staff decide
    separate = "separate"  # below the review threshold, or no candidate: a citizen of its own
    confirmed = "confirmed"  # staff said it is the same person (the two citizens were merged)
    rejected = "rejected"  # staff said they are different people (never offered again)


class MatchDecision(IdMixin, Base):
    """A decision about one source record against its best candidate (if any), with the evidence."""

    __tablename__ = "match_decisions"
    __table_args__ = (
        Index("ix_match_decisions_record", "source_record_id"),
        Index("ix_match_decisions_open", "outcome", "created_at"),
        Index("ix_match_decisions_citizens", "citizen_id", "candidate_citizen_id"),
    )

    source_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("source_records.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))  # the record's citizen after
    candidate_citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    candidate_record_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("source_records.id"))
    outcome: Mapped[Outcome]
    probability: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    model_version: Mapped[int | None] = mapped_column(Integer)
    decided_by_kind: Mapped[str] = mapped_column(String(16), default="model")  # model or staff
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    work_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_items.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class MatchRejection(IdMixin, Base):
    """Two citizens staff said are different people (stored lower id first, so a pair has one row)."""

    __tablename__ = "match_rejections"
    __table_args__ = (UniqueConstraint("first_citizen_id", "second_citizen_id"),)

    first_citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    second_citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("match_decisions.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredModel(IdMixin, Base):
    """A trained matching model; the highest version marked active is in force."""

    __tablename__ = "match_models"

    version: Mapped[int] = mapped_column(Integer, unique=True)
    model: Mapped[dict[str, Any]] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    trained_on: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
