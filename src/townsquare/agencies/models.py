"""Tables of agencies, their contact points and their service catalogue.

Service attributes use the Open311 datatypes so one form definition serves the portal, the API and Open311.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from townsquare.db import Base, IdMixin, TimestampMixin


class ServiceType(StrEnum):
    realtime = "realtime"
    batch = "batch"
    blackbox = "blackbox"


class AttributeDatatype(StrEnum):
    string = "string"
    number = "number"
    datetime = "datetime"
    text = "text"
    singlevaluelist = "singlevaluelist"
    multivaluelist = "multivaluelist"
    # Beyond Open311 (the form builder's kinds; Open311 maps or leaves them out: docs/forms.md).
    date = "date"  # a day, asked as day, month and year
    address = "address"  # a postal address, as lines of text
    file = "file"  # an upload, kept as an attachment
    consent = "consent"  # a statement the person ticks; the answer records the statement's version


OPEN311_DATATYPES = frozenset(
    {
        AttributeDatatype.string,
        AttributeDatatype.number,
        AttributeDatatype.datetime,
        AttributeDatatype.text,
        AttributeDatatype.singlevaluelist,
        AttributeDatatype.multivaluelist,
    }
)


class Agency(IdMixin, TimestampMixin, Base):
    """A department or level of government: owns services, cases, staff and data."""

    __tablename__ = "agencies"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"fr": {"name": …, "description": …}}
    # An inactive agency takes no new contact and offers nothing new; its history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Branding where the portal names the agency: a short name and an accent colour readable under white text.
    short_name: Mapped[str] = mapped_column(String(40), default="", server_default="")
    accent_colour: Mapped[str | None] = mapped_column(String(7))


class AgencyLogo(Base):
    """An agency's logo, checked on upload (PNG or JPEG, size and pixel limits); apart so lists never load it."""

    __tablename__ = "agency_logos"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ContactPoint(IdMixin, Base):
    """An address (phone number, mailbox) on a channel that belongs to an agency: routes inbound contact."""

    __tablename__ = "agency_contact_points"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))


class Service(IdMixin, TimestampMixin, Base):
    """Something government offers; it has a form (attributes) and an SLA target."""

    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    keywords: Mapped[list[str]] = mapped_column(default=list)
    # Words people use for it that its name and keywords do not say ("trash" for garbage): the search finds it by them.
    synonyms: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    group: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[ServiceType] = mapped_column(default=ServiceType.realtime)
    sla_target_hours: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Offered through Open311 and the portal's map: a report about a place, public without personal data.
    open311: Mapped[bool] = mapped_column(Boolean, default=False)
    # What happens next, told to whoever reports (Open311 `service_notice`).
    notice: Mapped[str] = mapped_column(Text, default="")
    # Other languages' wording, e.g. {"fr": {"name": "...", "description": "..."}}; English is in the columns.
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Why its form may read other agencies' data (a data-sharing agreement's purpose); None: it reads none.
    sharing_purpose: Mapped[str | None] = mapped_column(String(64))
    # The number of its form's current published version (0: never published); see ServiceFormVersion.
    form_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The form's page titles by page number: {"1": {"title": "About you", "translations": {"fr": {"title": …}}}}.
    form_pages: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")

    attributes: Mapped[list[ServiceAttribute]] = relationship(
        order_by="ServiceAttribute.order", cascade="all, delete-orphan", lazy="raise"
    )


class ServiceAttribute(IdMixin, Base):
    """One field of a service's form, typed with an Open311 datatype."""

    __tablename__ = "service_attributes"
    __table_args__ = (UniqueConstraint("service_id", "code"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    order: Mapped[int] = mapped_column(Integer, default=0)
    datatype: Mapped[AttributeDatatype]
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    variable: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text)
    datatype_description: Mapped[str] = mapped_column(String(300), default="")
    values: Mapped[list[Any]] = mapped_column(default=list)
    # Attributes with the same page number are asked together on one page of the portal's form, in order.
    page: Mapped[int] = mapped_column(Integer, default=0)
    # By language ("fr"): the description, the datatype description and each value's name by its key.
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The attribute another agency holds that may fill it in ("revenue.household_income"), with consent.
    prefill_from: Mapped[str | None] = mapped_column(String(130))
    # Asked only when an earlier field has one of these values: {"field": "has_pet", "values": ["yes"]}; {}: always.
    condition: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class ServiceFormVersion(IdMixin, TimestampMixin, Base):
    """One version of a service's form, kept forever: the fields and page titles as published. The one row
    without a number is the draft of the next version the form builder edits."""

    __tablename__ = "service_form_versions"
    __table_args__ = (UniqueConstraint("service_id", "number"),)

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    # Each field as ServiceAttribute's columns ({"code", "datatype", "description", …, "condition"}), in order.
    fields: Mapped[list[Any]] = mapped_column(default=list)
    pages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))


class CannedResponse(IdMixin, TimestampMixin, Base):
    """A reply an agency's staff can insert and adapt; `{first_name}` and `{case_reference}` are filled in."""

    __tablename__ = "canned_responses"
    __table_args__ = (UniqueConstraint("agency_id", "slug", "language"),)

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # inactive: not offered
