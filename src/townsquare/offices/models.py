"""Tables of service offices: an office's address and hours, its counters, and the services it offers there.

An office's opening hours are a business calendar (`routing`'s `business_calendars`, named here by table only so
this package stays below routing); what a walk-in or an appointment takes is set per office and service.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.db import Base, IdMixin, TimestampMixin


class Office(IdMixin, TimestampMixin, Base):
    """A place residents can walk into: its address lines, its opening hours and whether it is open for business."""

    __tablename__ = "offices"
    # The slug is the office's address on the kiosk and the display screen (`/kiosk/<slug>`), so it is unique
    # across agencies as well.
    __table_args__ = (UniqueConstraint("agency_id", "slug"), UniqueConstraint("slug"))

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200), default="", server_default="")  # "": the English name
    address: Mapped[list[Any]] = mapped_column(default=list)  # postal address lines
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("business_calendars.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Counter(IdMixin, Base):
    """A desk in an office where staff serve walk-ins and appointments; `label` is what the display screen shows."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "label"),)

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class OfficeService(Base):
    """A service offered at an office: its ticket prefix, how long serving it takes, and how it can be reached.

    `buffer_before_minutes` and `buffer_after_minutes` keep time free around an appointment (preparing, writing
    up); walk-ins use `duration_minutes` for the estimated wait.
    """

    __tablename__ = "office_services"
    __table_args__ = (UniqueConstraint("office_id", "ticket_prefix"),)

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    ticket_prefix: Mapped[str] = mapped_column(String(3))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=15)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    walk_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    bookable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
