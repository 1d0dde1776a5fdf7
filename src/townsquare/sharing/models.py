"""Tables of "tell us once": what each agency holds about people, the agreements under which another agency may
read it, and each person's consent.

- `HeldAttribute`: an attribute an agency is the source of (income, a licence's expiry), its classification and
  whether the agency has verified it.
- `AgencyRecord` / `RecordValue`: what an agency's own system last sent about one person, linked to a citizen by
  exact identifiers; every value keeps its own `last_updated` and the record its source and provenance.
- `DeclaredValue`: a value the resident typed in themselves, shown as theirs and never as verified.
- `SharingAgreement`: provider agency → consumer agency, attributes, purpose, legal basis, dates; versioned (a
  change is a new version under the same reference) and active only once both agencies approved it.
- `Consent`: one person, one consumer agency, one purpose, some attributes; given on a channel (and by whom, when
  an agent recorded it), expiring, revocable.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.citizens.kinds import IdentityKind
from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin, TimestampMixin
from townsquare.db.base import JSONType


class Classification(StrEnum):
    """The Government of Canada's security categories for information about people, least to most sensitive."""

    unclassified = "unclassified"
    protected_a = "protected_a"
    protected_b = "protected_b"
    protected_c = "protected_c"


class ValueType(StrEnum):
    text = "text"
    number = "number"
    date = "date"
    address = "address"


class AgreementStatus(StrEnum):
    proposed = "proposed"  # waiting for one or both agencies' approval
    active = "active"  # approved by both; in force between its dates
    superseded = "superseded"  # a later version of the same agreement took effect
    ended = "ended"  # ended early by either agency
    withdrawn = "withdrawn"  # a proposal abandoned before it took effect


class HeldAttribute(IdMixin, TimestampMixin, Base):
    """Something an agency is the source of about a person."""

    __tablename__ = "held_attributes"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    value_type: Mapped[ValueType] = mapped_column(default=ValueType.text)
    classification: Mapped[Classification] = mapped_column(default=Classification.protected_a)
    verified: Mapped[bool] = mapped_column(Boolean, default=True)  # the agency checked it (not self-reported)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"fr": {"name": …, "description": …}}


class AgencyRecord(IdMixin, TimestampMixin, Base):
    """One person's record in an agency's own system, as that system last sent it."""

    __tablename__ = "agency_records"
    __table_args__ = (UniqueConstraint("agency_id", "external_id"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))  # the record's id in the agency's system
    # The person it is linked to by an exact identifier; None while no person (or more than one) matches.
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(200))  # the sending system, as its key or import names it
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)  # how it arrived: API key, import and line
    last_updated: Mapped[datetime]  # when the agency's system says the record last changed


class RecordIdentifier(IdMixin, Base):
    """An identifier an agency record names its person by: how it is linked, and found again when the person
    proves that identifier later."""

    __tablename__ = "agency_record_identifiers"
    __table_args__ = (
        UniqueConstraint("record_id", "kind", "namespace", "value"),
        Index("ix_agency_record_identifiers_lookup", "kind", "namespace", "value"),
    )

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency_records.id", ondelete="CASCADE"), index=True)
    kind: Mapped[IdentityKind]
    namespace: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(320))


class RecordValue(IdMixin, Base):
    """One attribute's value in an agency record."""

    __tablename__ = "agency_record_values"
    __table_args__ = (UniqueConstraint("record_id", "attribute_id"),)

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency_records.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("held_attributes.id", ondelete="CASCADE"), index=True)
    value: Mapped[Any] = mapped_column(JSONType)
    last_updated: Mapped[datetime]


class DeclaredValue(IdMixin, TimestampMixin, Base):
    """A value the person gave themselves for an attribute: theirs to change, never shown as verified."""

    __tablename__ = "declared_values"
    __table_args__ = (UniqueConstraint("citizen_id", "attribute_id"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("held_attributes.id", ondelete="CASCADE"))
    value: Mapped[Any] = mapped_column(JSONType)


class SharingAgreement(IdMixin, TimestampMixin, Base):
    """Provider → consumer: which attributes, for which purpose, on which legal basis, from when to when."""

    __tablename__ = "sharing_agreements"
    __table_args__ = (
        UniqueConstraint("reference", "version"),
        Index("ix_sharing_agreements_parties", "consumer_agency_id", "provider_agency_id", "status"),
    )

    reference: Mapped[str] = mapped_column(String(32))  # "DSA-0001", the same for every version
    version: Mapped[int] = mapped_column(Integer, default=1)
    provider_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    consumer_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    attribute_codes: Mapped[list[str]] = mapped_column(default=list)  # codes of the provider's held attributes
    purpose: Mapped[str] = mapped_column(String(64))  # a code: "benefit-eligibility"
    purpose_text: Mapped[str] = mapped_column(Text)  # what it is for, in words the person reads when consenting
    legal_basis: Mapped[str] = mapped_column(Text)
    consent_required: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the law allows it without
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[AgreementStatus] = mapped_column(default=AgreementStatus.proposed)
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"fr": {"purpose_text": …}}
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    provider_approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    provider_approved_at: Mapped[datetime | None]
    consumer_approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    consumer_approved_at: Mapped[datetime | None]
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    closed_at: Mapped[datetime | None]


class Consent(IdMixin, Base):
    """A person's consent that a consumer agency read these attributes of theirs for this purpose."""

    __tablename__ = "sharing_consents"
    __table_args__ = (Index("ix_sharing_consents_person", "citizen_id", "consumer_agency_id", "purpose"),)

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    consumer_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    purpose: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[list[str]] = mapped_column(default=list)  # "provider-slug/code"
    agreements: Mapped[list[str]] = mapped_column(default=list)  # "DSA-0001 v2": what was shown when it was given
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))  # web, voice, counter …
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))  # an agent, by voice
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_channel: Mapped[str | None] = mapped_column(String(16))
