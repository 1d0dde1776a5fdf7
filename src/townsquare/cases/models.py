"""Tables of cases and the per-year counter behind their human references (TS-2026-000123).

A case belongs to one agency; every channel's touchpoints about it point here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


class CaseStatus(StrEnum):
    new = "new"
    open = "open"
    in_progress = "in_progress"
    waiting_on_citizen = "waiting_on_citizen"
    resolved = "resolved"
    closed = "closed"
    cancelled = "cancelled"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Case(IdMixin, TimestampMixin, Base):
    """A service request, application or enquiry owned by an agency."""

    __tablename__ = "cases"
    __table_args__ = (
        # Newest-first lists page by (created_at, id) within an agency, a status, both or neither.
        Index("ix_cases_agency_status", "agency_id", "status", "created_at", "id"),
        Index("ix_cases_agency_created", "agency_id", "created_at", "id"),
        Index("ix_cases_status_created", "status", "created_at", "id"),
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_citizen", "citizen_id", "created_at"),
        Index("ix_cases_service_location", "service_id", "lat", "long"),
        Index("ix_cases_closed", "closed_at"),  # cases closed on a day (analytics)
        Index("ix_cases_sla_due", "sla_due_at"),  # cases due on a day (analytics)
        # The desk's case list: overdue and due-soon cases, someone's or a team's cases, a service's, a postal area.
        Index(
            "ix_cases_open_due",
            "sla_due_at",
            "id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(  # an agency's open cases, newest first: the lists staff look at most
            "ix_cases_open_agency",
            "agency_id",
            "created_at",
            "id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # Partial: over every case, a mostly-empty leading column tempts PostgreSQL to read the whole index for a
        # range of times alone (tests/db/test_query_plans.py).
        Index(
            "ix_cases_assigned",
            "assigned_to_id",
            "created_at",
            "id",
            postgresql_where=text("assigned_to_id IS NOT NULL"),
            sqlite_where=text("assigned_to_id IS NOT NULL"),
        ),
        Index(
            "ix_cases_team",
            "assigned_team_id",
            "created_at",
            "id",
            postgresql_where=text("assigned_team_id IS NOT NULL"),
            sqlite_where=text("assigned_team_id IS NOT NULL"),
        ),
        Index("ix_cases_service_created", "service_id", "created_at", "id"),
        Index("ix_cases_zipcode", "zipcode", postgresql_ops={"zipcode": "varchar_pattern_ops"}),
        # On PostgreSQL the words of the title and description are a stored column, `words`, that no model maps
        # (db.base.DATABASE_ONLY), with its GIN index `ix_cases_words`; SQLite matches the words with LIKE.
    )

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CaseStatus] = mapped_column(default=CaseStatus.new)
    priority: Mapped[Priority] = mapped_column(default=Priority.normal)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id"))
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_string: Mapped[str | None] = mapped_column(String(500))
    address_id: Mapped[str | None] = mapped_column(String(100))
    zipcode: Mapped[str | None] = mapped_column(String(16))
    # A photo or other media the reporter published elsewhere (Open311 `media_url`).
    media_url: Mapped[str | None] = mapped_column(String(1000))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Where each answer came from, by attribute code, when not typed by the person: {"household_income": {"source":
    # "revenue.household_income", "verified": true, "last_updated": …, "agreement": "DSA-0001 v1", "consent_id": …}}
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # Who entered each answer when the form was filled in together with staff, by code: "citizen" or
    # "staff:<id>" (empty when the person filled it in alone).
    entered_by: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # The version of the service's form the answers were given against (its labels read them ever after).
    form_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_form_versions.id"))
    sla_due_at: Mapped[datetime | None]
    opened_channel: Mapped[str] = mapped_column(String(16))
    opened_by_staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    closed_at: Mapped[datetime | None]
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    # A team of the case's agency holds it (routing's teams): any member may pick it up.
    assigned_team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))


class CaseLink(IdMixin, Base):
    """Two cases that belong together: `related`, `likely_duplicate` (the same service reported close by while
    the other was open, found when the case was opened; `detail` holds the distance), or `duplicate` (the case
    was merged into `linked_case_id`)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "linked_case_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    linked_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="related")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseUpdate(IdMixin, Base):
    """One step in a case's life as the public may follow it: a status change, with its note.

    Open311 reads these as `status_notes` and the servicerequestupdates feed; integrators post theirs here too.
    """

    __tablename__ = "case_updates"
    __table_args__ = (
        Index("ix_case_updates_created", "created_at"),
        # A case's history in order, and its newest update read from the index's end (Open311's status_notes)
        Index("ix_case_updates_case", "case_id", "created_at", "id"),
        UniqueConstraint("api_key_id", "external_id", name="uq_case_updates_key_external"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    status: Mapped[CaseStatus]
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # staff, api, open311, citizen, system
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id"))
    # The update's own id at the integrator that sent it (FixMyStreet's `update_id_ext`): a resend is no new update.
    external_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Open311Submission(IdMixin, Base):
    """What Open311 adds to a case it opened: the integrator, the batch token, the reporter's device and account."""

    __tablename__ = "open311_requests"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id"), index=True)
    # Handed out instead of the id for services of type batch; resolved through tokens/{token}.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseReferenceCounter(Base):
    """The last reference number handed out in a year; incremented in the creating transaction."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseFollower(IdMixin, Base):
    """Someone who asked to hear about a report that is not theirs ("follow"), or who has the same problem
    ("me too", counted on the report's public page). The case's own resident follows it without a row."""

    __tablename__ = "case_followers"
    __table_args__ = (UniqueConstraint("case_id", "citizen_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    me_too: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
