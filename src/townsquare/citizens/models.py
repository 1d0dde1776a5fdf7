"""Tables of citizens and their identities.

Each identity (kind, namespace, normalised value) is unique platform-wide and says whether, and how, it was
verified. Automatic linking happens only on these exact identifiers; nothing fuzzy is linked here.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from townsquare.citizens.kinds import IdentityKind as IdentityKind
from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin


class CitizenStatus(StrEnum):
    provisional = "provisional"  # made from a first contact; nobody has confirmed who it is
    confirmed = "confirmed"
    merged = "merged"  # folded into another record (see merged_into_id)


class VerificationMethod(StrEnum):
    sms_code = "sms_code"
    voice_code = "voice_code"
    email_link = "email_link"
    email_code = "email_code"
    oidc = "oidc"
    staff_checked = "staff_checked"
    agency_record = "agency_record"


class Citizen(IdMixin, TimestampMixin, Base):
    """A person; every identity points here. Preferences travel with the person, not the channel."""

    __tablename__ = "citizens"
    __table_args__ = (
        Index("ix_citizens_updated", "updated_at"),
        # A name search finds the query anywhere in a name: trigram indexes on PostgreSQL (pg_trgm); SQLite scans.
        *(
            Index(
                f"ix_citizens_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
                info={"dialects": ("postgresql",)},
            )
            for column in ("display_name", "family_name")
        ),
    )

    display_name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CitizenStatus] = mapped_column(default=CitizenStatus.provisional)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    preferred_channels: Mapped[list[str]] = mapped_column(default=list)
    quiet_hours_start: Mapped[time | None]
    quiet_hours_end: Mapped[time | None]

    identities: Mapped[list[Identity]] = relationship(
        back_populates="citizen", order_by="Identity.created_at", lazy="raise"
    )


class Identity(IdMixin, TimestampMixin, Base):
    """One way of recognising a citizen: a phone, an email, an SSO subject, a handle, a device, a record."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("kind", "namespace", "value"),
        Index("ix_identities_value_kind", "value", "kind"),  # a search by phone or email, in any namespace
    )

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    kind: Mapped[IdentityKind]
    namespace: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verification_method: Mapped[VerificationMethod | None]
    verified_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]  # the person asked for no more messages here (SMS STOP)

    citizen: Mapped[Citizen] = relationship(back_populates="identities", lazy="raise")


class VerificationChallenge(IdMixin, Base):
    """A one-time code sent to a phone or email to prove the person holding a device also holds that contact.

    Only a hash of the code is kept; a challenge allows a few attempts and expires after minutes.
    """

    __tablename__ = "verification_challenges"
    # Codes recently sent to one phone or address, whoever asked (a social account's VERIFY may not flood it).
    __table_args__ = (Index("ix_verification_challenges_value", "value", "kind", "created_at"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    kind: Mapped[IdentityKind]
    value: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CitizenSession(IdMixin, Base):
    """A signed-in browser of a resident (portal and chat widget alike); the cookie holds a random token, the
    table only its SHA-256. "Sign out everywhere" revokes every row of the citizen."""

    __tablename__ = "citizen_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32))  # how they signed in: email_link, oidc, ...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    device: Mapped[str] = mapped_column(String(200), default="")  # a short browser description, for "your devices"


class SignInLink(IdMixin, Base):
    """A one-time sign-in link sent by email (the embedded default sign-in); only a hash of its token is kept."""

    __tablename__ = "sign_in_links"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Set when the link proves a signed-in resident holds a new email address (adding it to their record),
    # rather than signing someone in.
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))


class CitizenSearch(IdMixin, Base):
    """A search a signed-in resident made on the portal, so "recent searches" follow them to any device."""

    __tablename__ = "citizen_searches"
    __table_args__ = (Index("ix_citizen_searches_citizen", "citizen_id", "created_at"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CitizenTotp(Base):
    """A resident's authenticator app (TOTP, RFC 6238), asked for after the emailed link when confirmed.

    `last_step` is the time step of the last code accepted, so a code cannot be used twice.
    """

    __tablename__ = "citizen_totp"

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(Integer)


class CitizenMerge(IdMixin, Base):
    """One recorded link of two people: `merged_id` was joined to `survivor_id`, and how to take it back.

    `detail` holds exactly which rows moved (table, primary key, column), the prior values of whatever changed on
    either citizen row, and the rows kept side by side because moving them would break a unique key. An undo sets
    `undone_at`; the row itself is never deleted.
    """

    __tablename__ = "citizen_merges"
    __table_args__ = (
        Index("ix_citizen_merges_survivor", "survivor_id", "created_at"),
        Index("ix_citizen_merges_merged", "merged_id", "created_at"),
    )

    survivor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    merged_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff, citizen, system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32))  # staff, review, verification
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(80))  # "<actor kind>:<actor id>"
    undo_reason: Mapped[str | None] = mapped_column(Text)


class CitizenChange(IdMixin, Base):
    """One correction staff made to a person's record, with the value it replaced: a name, a preference, a
    notification choice or a contact (`field`), who made it, when and why. Rows are never changed or deleted, so
    the record's history can always be read back."""

    __tablename__ = "citizen_changes"
    __table_args__ = (Index("ix_citizen_changes_citizen", "citizen_id", "created_at"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))  # display_name, language, notifications.email, phone, ...
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
