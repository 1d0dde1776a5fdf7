"""Appointments in words, for the portal and the desk alike: a time at the office ("9:30 AM", "09 h 30" is Babel's),
a day ("Monday, December 7, 2026"), a status, how it was booked, and each refusal in the reader's language.

Times are written in the office's own zone (the view carries it), not the city's: an appointment is where it is.
Registered once as template filters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time

from townsquare.appointments.kinds import AppointmentStatus, BookedVia
from townsquare.appointments.refusals import reason_of
from townsquare.errors import FieldError, Problem
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates


def clock(value: datetime) -> str:
    """A local time of day: "9:30 AM" / "09:30"."""
    return format_time(value, format="short", tzinfo=value.tzinfo, locale=i18n.current())


def weekday(value: date | datetime) -> str:
    """A day in full: "Monday, December 7, 2026" / "lundi 7 décembre 2026"."""
    return format_date(value if isinstance(value, date) else value.date(), format="full", locale=i18n.current())


def status(value: object) -> str:
    words = {
        AppointmentStatus.held: _("Waiting for confirmation"),
        AppointmentStatus.booked: _("Booked"),
        AppointmentStatus.arrived: _("Checked in"),
        AppointmentStatus.cancelled: _("Cancelled"),
        AppointmentStatus.no_show: _("Missed"),
        AppointmentStatus.lapsed: _("Not confirmed in time"),
    }
    return words.get(value, str(value)) if isinstance(value, AppointmentStatus) else str(value)


def booked_via(value: object) -> str:
    words = {
        BookedVia.portal: _("Online"),
        BookedVia.phone: _("By phone, with a member of staff"),
        BookedVia.counter: _("At the counter"),
        BookedVia.ivr: _("By phone, on the phone menu"),
        BookedVia.chat: _("In the chat"),
        BookedVia.waitlist: _("From the waiting list"),
    }
    return words.get(value, str(value)) if isinstance(value, BookedVia) else str(value)


def refusal(problem: Problem, *, staff: bool = False) -> str:
    """Why a booking or a change was refused, in the reader's language (`staff`: about the person, on the desk)."""
    words = {
        "unknown_office": _("We could not find that office."),
        "unknown_service": _("We could not find that service."),
        "unknown_appointment": _("We could not find that appointment."),
        "not_bookable": _("This office does not take appointments for that service."),
        "no_time": _("Choose a time"),
        "no_way": _("Say how the person asked: by phone or at the counter."),
        "not_their_case": _("Choose one of their open cases, or none."),
        "past": _("That time has passed. Choose a later one."),
        "too_soon": _("That time is too soon to book. Choose a later one."),
        "too_far": _("That day is too far ahead to book yet."),
        "closed": _("The office is closed that day. Choose another day."),
        "outside_hours": _("The office does not take appointments at that time. Choose one of the times shown."),
        "full": _("That time has just been taken. Choose another."),
        "double": _("You already have an appointment at that time."),
        "too_many": _("You already have as many upcoming appointments as one person may have."),
        "not_changeable": _("This appointment can no longer be changed."),
        "hold_gone": _("The time kept for you has run out and someone else took it. Choose another."),
        "not_today": _("This appointment is for another day."),
        "cancelled": _("This appointment was cancelled."),
        "no_show": _("This appointment was recorded as missed."),
        "waitlist_twice": _("You are already on the waiting list for that day."),
        "waitlist_free": _("There are still free times that day: book one of them."),
    }
    if staff:
        words |= {
            "double": _("This person already has an appointment at that time."),
            "too_many": _("This person already has as many upcoming appointments as one person may have."),
        }
    reason = reason_of(problem)
    return words.get(reason or "", problem.detail)


def event(payload: dict[str, Any]) -> str:
    """An appointment's timeline entry in words: what happened, to which service's appointment, and when it is."""
    try:
        starts = datetime.fromisoformat(str(payload.get("starts_at"))).astimezone(
            ZoneInfo(str(payload.get("timezone")))
        )
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        starts = None
    service = str(payload.get("service_fr" if i18n.current() == "fr" else "service") or payload.get("service") or "")
    at = f"{weekday(starts)}, {clock(starts)}" if starts else ""
    sentences = {
        "booked": _("Appointment booked: %(service)s, %(when)s"),
        "moved": _("Appointment moved: %(service)s, now %(when)s"),
        "cancelled": _("Appointment cancelled: %(service)s, %(when)s"),
        "arrived": _("Arrived for the appointment: %(service)s, %(when)s"),
        "no_show": _("Did not come to the appointment: %(service)s, %(when)s"),
        "offered": _("A freed appointment was offered from the waiting list: %(service)s, %(when)s"),
    }
    sentence = sentences.get(str(payload.get("event")), _("Appointment: %(service)s, %(when)s"))
    return sentence % {"service": service, "when": at}


def day_of(raw: str) -> date | None:
    """A day from the query (YYYY-MM-DD); empty: none; anything else is a 422 naming it."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Problem(
            422,
            "Invalid input",
            _("Enter a real date, like 2026-12-07."),
            "invalid-input",
            [FieldError("day", "not a date")],
            {"worded": _("That is not a date")},
        ) from None


def time_of(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


templates.env.filters["appointment_clock"] = clock
templates.env.filters["appointment_day"] = weekday
templates.env.filters["appointment_status"] = status
templates.env.filters["booked_via"] = booked_via
templates.env.filters["appointment_event"] = event
