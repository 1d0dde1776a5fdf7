"""Tables of appointments and the waiting list.

An appointment keeps a counter of its office from `occupied_from` to `occupied_until` (its time with the service's
buffers around it); a person holds at most one live appointment starting at a given moment (a partial unique
index). A waitlist entry is a person waiting for a slot of one service at one office on one day.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.appointments.kinds import AppointmentStatus, BookedVia, WaitStatus
from townsquare.db import Base, IdMixin, TimestampMixin

LIVE = "status IN ('held', 'booked', 'arrived')"


class Appointment(IdMixin, TimestampMixin, Base):
    """One person expected at one office for one service at one time."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_office_time", "office_id", "occupied_from"),
        Index("ix_appointments_citizen_time", "citizen_id", "starts_at"),
        Index("ix_appointments_status_reminder", "status", "reminder_due_at"),
        Index("ix_appointments_status_end", "status", "ends_at"),
        Index(
            "uq_appointments_citizen_start",
            "citizen_id",
            "starts_at",
            unique=True,
            postgresql_where=text(LIVE),
            sqlite_where=text(LIVE),
        ),
    )

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    occupied_from: Mapped[datetime]  # starts_at less the buffer before
    occupied_until: Mapped[datetime]  # ends_at plus the buffer after
    status: Mapped[AppointmentStatus] = mapped_column(default=AppointmentStatus.booked)
    hold_until: Mapped[datetime | None]  # a hold's end (held only)
    booked_via: Mapped[BookedVia]
    booked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # the calendar file's SEQUENCE: +1 per change
    reminder_due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    waitlist_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appointment_waitlist.id"))


class WaitlistEntry(IdMixin, TimestampMixin, Base):
    """A person waiting for a freed slot of a service at an office on a day, first come first offered."""

    __tablename__ = "appointment_waitlist"
    __table_args__ = (Index("ix_appointment_waitlist_office_day", "office_id", "day", "status", "created_at"),)

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[WaitStatus] = mapped_column(default=WaitStatus.waiting)
    language: Mapped[str] = mapped_column(String(8), default="en")
