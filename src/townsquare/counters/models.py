"""Tables of the counters: tickets and their periods (one row per state, with its start and end, as the Q keeps
them), the day's numbers per office and prefix, and who is at which counter.

A ticket points at the visit that opened it (its interaction, conversation and citizen) and at its work item in
the universal queue; `appointment_id` names a booking (no foreign key: appointments are a package of their own).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.counters.kinds import CheckIn, TicketState
from townsquare.db import Base, IdMixin


class Ticket(IdMixin, Base):
    """One person's place at an office: a number per service prefix per day, and every time that matters."""

    __tablename__ = "counter_tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "service_day", "prefix", "number"),
        Index("ix_counter_tickets_line", "office_id", "state", "ticketed_at"),
        Index("ix_counter_tickets_served", "office_id", "service_id", "finished_at"),
        Index("ix_counter_tickets_finished", "finished_at"),
    )

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    service_day: Mapped[date] = mapped_column(Date)  # the office's local day the number belongs to
    prefix: Mapped[str] = mapped_column(String(3))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(12))  # "P-014"
    state: Mapped[TicketState] = mapped_column(default=TicketState.waiting)
    via: Mapped[CheckIn] = mapped_column(default=CheckIn.kiosk)
    language: Mapped[str] = mapped_column(String(8), default="en")
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversations.id"))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"), unique=True)
    work_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_items.id"), index=True)
    sms_identity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identities.id"))  # "it's your turn"
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    booked_for: Mapped[datetime | None]  # called ahead of walk-ins from this time on
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    target_counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    ticketed_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None]  # first called: the wait the estimate was about ends here
    last_called_at: Mapped[datetime | None]  # called or recalled last: what the display highlights
    started_at: Mapped[datetime | None]  # first at a counter
    finished_at: Mapped[datetime | None]
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    estimated_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    actual_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    # The time spent in each state, summed over its periods, written when the ticket ends.
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    walk_up_seconds: Mapped[int | None] = mapped_column(Integer)
    service_seconds: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(64))  # the wrap-up code it ended with


class TicketPeriod(IdMixin, Base):
    """A stretch of one ticket in one state: from when, until when, for which service, at which counter, by whom."""

    __tablename__ = "counter_ticket_periods"
    __table_args__ = (Index("ix_counter_ticket_periods_ticket", "ticket_id", "started_at"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counter_tickets.id", ondelete="CASCADE"))
    state: Mapped[TicketState]
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class TicketNumber(Base):
    """The last number given for a prefix at an office on a day: incremented in one statement, so two check-ins at
    the same moment never get the same number."""

    __tablename__ = "counter_ticket_numbers"

    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class CounterStaffing(Base):
    """Who is at a counter now (one person per counter, one counter per person): the counters serving an office."""

    __tablename__ = "counter_staffing"

    counter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), unique=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)
