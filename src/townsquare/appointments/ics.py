"""One appointment as a calendar file (iCalendar, RFC 5545) with the `icalendar` library.

The event keeps one UID for the appointment's life, so a calendar that imported it updates it: a move raises its
SEQUENCE, a cancellation sends METHOD:CANCEL with STATUS:CANCELLED. Times are in the office's time zone with its
VTIMEZONE (the years around the appointment), so the entry shows at the right hour wherever the person is. What the
person wrote is never in it: the service, the office and its address, and the link to change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment

PRODID = "-//Townsquare//Appointments//EN"


@dataclass(frozen=True)
class Described:
    """What the entry says, in the person's language."""

    summary: str
    location: str
    description: str
    url: str
    organizer: str  # the agency's name
    organizer_email: str | None
    timezone: str


def uid(appointment: Appointment, public_url: str) -> str:
    """The appointment's calendar identity: the same for every version of it."""
    return f"appointment-{appointment.id}@{urlsplit(public_url).hostname or 'localhost'}"


def calendar_file(appointment: Appointment, described: Described, *, public_url: str, now: datetime) -> bytes:
    """The .ics file of the appointment as it stands (cancelled: a cancellation of the same event)."""
    cancelled = appointment.status in (AppointmentStatus.cancelled, AppointmentStatus.lapsed)
    zone = ZoneInfo(described.timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", uid(appointment, public_url))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("created", appointment.created_at)
    event.add("last-modified", appointment.updated_at)
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", described.summary)
    event.add("location", described.location)
    event.add("description", described.description)
    event.add("url", described.url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = f"mailto:{described.organizer_email}" if described.organizer_email else described.url
    event.add("organizer", organizer, parameters={"CN": described.organizer})
    cal.add_component(event)
    year = appointment.starts_at.year
    cal.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return bytes(cal.to_ical())
