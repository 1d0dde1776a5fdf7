"""Tables of staff accounts, their agencies, sign-in sessions, API keys and the audit log.

Secrets are stored only as hashes (argon2 for passwords, SHA-256 for random tokens); the audit log is
append-only, enforced by database triggers created in the migration.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


class StaffRole(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    agency_admin = "agency_admin"  # administers its own agencies (their catalogue, queues, staff), and supervises them
    admin = "admin"  # administers every agency and the deployment


# Roles that supervise their agencies' work (give out work, publish knowledge, manage views and agreements).
SUPERVISING = (StaffRole.supervisor, StaffRole.agency_admin, StaffRole.admin)
# Roles that administer: an admin everywhere, an agency administrator within the agencies it belongs to.
ADMINISTERING = (StaffRole.agency_admin, StaffRole.admin)


class StaffAccount(IdMixin, TimestampMixin, Base):
    """A person on staff who signs in to the desk."""

    __tablename__ = "staff_accounts"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(default=StaffRole.agent)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]  # set after repeated failed sign-ins; only an admin unlocks (audited)
    # Failed sign-ins in a row since the last success or unlock; reaching the setting locks the account.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Linked to the organisation's identity provider: its issuer and the person's subject there (staff.sso).
    oidc_issuer: Mapped[str | None] = mapped_column(String(500))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # TOTP (staff.mfa): the secret while enrolling and after; mfa_enabled_at once a code confirmed it.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)  # the last TOTP step accepted: never twice

    # A unique index, not a constraint: SQLite adds it without rebuilding the table (which would fire the foreign
    # keys of every table that points at staff accounts).
    __table_args__ = (Index("ix_staff_accounts_oidc", "oidc_issuer", "oidc_subject", unique=True),)


class StaffAgency(Base):
    """Membership of a staff account in an agency: what it may see and act on."""

    __tablename__ = "staff_agencies"

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)


class StaffSession(IdMixin, Base):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]  # at most once a minute (staff.sessions); idle past the setting: ended
    browser: Mapped[str] = mapped_column(String(120), default="", server_default="")  # "Firefox · Linux"
    method: Mapped[str] = mapped_column(String(16), default="password", server_default="password")
    # "" signed in; "code" waits for the one-time code; "enrol" must set up MFA first (staff.mfa)
    step: Mapped[str] = mapped_column(String(8), default="", server_default="")


class StaffRecoveryCode(IdMixin, Base):
    """A one-time MFA recovery code, stored as SHA-256 only; shown once when made."""

    __tablename__ = "staff_recovery_codes"

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class StaffPasswordReset(IdMixin, Base):
    """An emailed password-reset link: random, stored as SHA-256 only, single-use, short-lived."""

    __tablename__ = "staff_password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApiKeyScope(StrEnum):
    api = "api"  # the REST API, as a staff member of its agency (or of every agency) would
    open311 = "open311"  # an Open311 integrator: may only submit requests and updates


class ApiKey(IdMixin, Base):
    """A key an integration presents; optionally limited to one agency."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    scope: Mapped[ApiKeyScope] = mapped_column(default=ApiKeyScope.api)
    contact: Mapped[str] = mapped_column(String(320), default="")  # who runs the integration
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)  # None: the setting's default


class AuditEntry(IdMixin, Base):
    """Who did or saw what, when. Never updated, never deleted; a citizen may read the rows about them."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_citizen_time", "citizen_id", "occurred_at"),
        # The administrators' view of the log: newest first by (occurred_at, id), narrowed by any one filter.
        Index("ix_audit_log_time", "occurred_at", "id"),
        Index("ix_audit_log_agency_time", "agency_id", "occurred_at", "id"),
        Index("ix_audit_log_actor_time", "actor_id", "occurred_at", "id"),
        Index("ix_audit_log_action_time", "action", "occurred_at", "id"),
        Index("ix_audit_log_subject_time", "subject_kind", "subject_id", "occurred_at", "id"),
    )

    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff, api_key, citizen, system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    citizen_id: Mapped[uuid.UUID | None]
    agency_id: Mapped[uuid.UUID | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    purpose: Mapped[str] = mapped_column(String(160), default="", server_default="")  # route or use that read it
    actor_agency_ids: Mapped[list[str] | None]  # the agencies the actor acted for (None: every agency)
