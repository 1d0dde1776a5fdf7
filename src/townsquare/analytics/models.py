"""Tables of what analytics keeps: each touch a person made, the journeys they fold into, the daily rollups the
dashboards read, and the few settings a director chooses.

A touch is written in the transaction of the contact it describes; the analytics worker folds unfolded touches
(`journey_id` is NULL) into journeys and recomputes the rollup days they changed. Nothing here holds what people
said: ids, channels, days and counts only.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin


class Touch(IdMixin, Base):
    """One thing a person did towards a need: an inbound message, call, visit, letter or form, a portal visit
    about a service, an answer the assistant could or could not give. Consecutive touches on one conversation
    and channel close together are one *contact* (`contact_start` marks the first)."""

    __tablename__ = "analytics_touches"
    __table_args__ = (
        Index("ix_analytics_touches_citizen_time", "citizen_id", "occurred_at"),
        Index("ix_analytics_touches_day", "day"),
        Index(
            "ix_analytics_touches_unfolded",
            "occurred_at",
            postgresql_where=text("journey_id IS NULL"),
            sqlite_where=text("journey_id IS NULL"),
        ),
    )

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime]
    day: Mapped[date | None] = mapped_column(Date)  # the local day it happened (analytics time zone), set on folding
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))  # message, call, visit, letter, form_submission, web_visit, …
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    conversation_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    service_id: Mapped[uuid.UUID | None]
    agency_id: Mapped[uuid.UUID | None]
    subject: Mapped[str | None] = mapped_column(String(120))  # a need without a service: an intent, an article
    self_service: Mapped[str | None] = mapped_column(String(16))  # "answered" or "failed" when no person took part
    asked_again: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(8))
    # Folding fills these: who (by band, never the person) and what.
    age_band: Mapped[str | None] = mapped_column(String(8))  # "25-34", from a register's date of birth
    area: Mapped[str | None] = mapped_column(String(8))  # the first three characters of a postal code
    journey_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    contact_start: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    avoidable: Mapped[bool] = mapped_column(Boolean, default=False)
    switched: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Journey(IdMixin, Base):
    """One person, one need: a case, or contacts about one service or subject each within the window of the
    last. Its measures are kept as contacts fold in; `fcr` is None until first-contact resolution is decided."""

    __tablename__ = "analytics_journeys"
    __table_args__ = (
        Index("ix_analytics_journeys_citizen_need", "citizen_id", "need", "last_contact_at"),
        Index("ix_analytics_journeys_citizen_case", "citizen_id", "case_id"),
        Index("ix_analytics_journeys_day", "day"),
        Index(
            "ix_analytics_journeys_undecided",
            "first_contact_at",
            postgresql_where=text("fcr IS NULL"),
            sqlite_where=text("fcr IS NULL"),
        ),
    )

    citizen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    need: Mapped[str] = mapped_column(String(160))  # "service:<id>", "subject:<words>" or "conversation:<id>"
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    service_id: Mapped[uuid.UUID | None]
    agency_id: Mapped[uuid.UUID | None]
    day: Mapped[date] = mapped_column(Date)  # the local day of its first contact
    first_contact_at: Mapped[datetime]
    last_contact_at: Mapped[datetime]
    first_channel: Mapped[str] = mapped_column(String(16))
    last_channel: Mapped[str] = mapped_column(String(16))
    channels: Mapped[list[str]] = mapped_column(default=list)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    switches: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    avoidable: Mapped[int] = mapped_column(Integer, default=0)
    asked_again: Mapped[int] = mapped_column(Integer, default=0)
    self_served: Mapped[bool] = mapped_column(Boolean, default=False)  # a web visit or self-service failure so far
    first_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    fcr: Mapped[bool | None] = mapped_column(Boolean)
    outcome_at: Mapped[datetime | None]


class ContactDay(Base):
    """Contacts of one local day by agency, service and channel (a NULL agency or service: not known)."""

    __tablename__ = "analytics_contact_days"
    __table_args__ = (Index("ix_analytics_contact_days_key", "day", "agency_id", "service_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    avoidable: Mapped[int] = mapped_column(Integer, default=0)
    switched: Mapped[int] = mapped_column(Integer, default=0)
    self_service_failed: Mapped[int] = mapped_column(Integer, default=0)
    asked_again: Mapped[int] = mapped_column(Integer, default=0)


class JourneyDay(Base):
    """Journeys begun on one local day by agency, service and first channel, with their measures summed."""

    __tablename__ = "analytics_journey_days"
    __table_args__ = (Index("ix_analytics_journey_days_key", "day", "agency_id", "service_id", "first_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    first_channel: Mapped[str] = mapped_column(String(16))
    journeys: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    multichannel: Mapped[int] = mapped_column(Integer, default=0)
    switches: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    avoidable: Mapped[int] = mapped_column(Integer, default=0)
    asked_again: Mapped[int] = mapped_column(Integer, default=0)
    fcr_decided: Mapped[int] = mapped_column(Integer, default=0)
    fcr_resolved: Mapped[int] = mapped_column(Integer, default=0)
    outcomes: Mapped[int] = mapped_column(Integer, default=0)
    outcome_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class HandleDay(Base):
    """Staff time on work let go on one local day, by agency, service and channel: accepted offers, from the
    answer to the release (completed, transferred or escalated)."""

    __tablename__ = "analytics_handle_days"
    __table_args__ = (Index("ix_analytics_handle_days_key", "day", "agency_id", "service_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    handled: Mapped[int] = mapped_column(Integer, default=0)
    handle_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class DemographicDay(Base):
    """Contacts of one local day by agency and channel, for one dimension (`language`, `age_band` or `area`) and
    one of its values; the dashboards suppress small counts."""

    __tablename__ = "analytics_demographic_days"
    __table_args__ = (Index("ix_analytics_demographic_days_key", "dimension", "day", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(16))
    contacts: Mapped[int] = mapped_column(Integer, default=0)


class CaseDay(Base):
    """Cases of one local day by agency, service and the channel they came in by: opened that day, closed that
    day (with the time they took), and due that day (with how many were closed by then)."""

    __tablename__ = "analytics_case_days"
    __table_args__ = (Index("ix_analytics_case_days_key", "day", "agency_id", "service_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(16))
    opened: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    close_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    due: Mapped[int] = mapped_column(Integer, default=0)
    met: Mapped[int] = mapped_column(Integer, default=0)  # of those due: closed by their due time


class HotspotMonth(Base):
    """Reports with a place opened in one local month, by agency, service and cell of a 0.01-degree grid (about
    1 km by 0.8 km at 45°): never finer, so no one's door is on the map."""

    __tablename__ = "analytics_hotspot_months"
    __table_args__ = (Index("ix_analytics_hotspot_months_key", "month", "agency_id", "service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[uuid.UUID | None]
    service_id: Mapped[uuid.UUID | None]
    lat: Mapped[float] = mapped_column(Float)  # the cell's south-west corner
    long: Mapped[float] = mapped_column(Float)
    reports: Mapped[int] = mapped_column(Integer, default=0)


class DirtyDay(Base):
    """A local day whose rollups must be computed again (a touch folded, a journey changed after the fact)."""

    __tablename__ = "analytics_dirty_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class AnalyticsState(Base):
    """Named single rows the worker keeps: its lease (`fold`), the settings a director chose (`settings`)."""

    __tablename__ = "analytics_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    held_until: Mapped[datetime | None]
    mark: Mapped[datetime | None]  # how far the worker has read a source it follows by time
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
