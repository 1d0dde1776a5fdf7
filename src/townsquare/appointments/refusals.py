"""The ways a booking or a change is refused, each a problem with a `reason` the pages word for their reader.

The English detail is for the API and the logs; the portal and the desk say the same in the reader's language from
the reason. Nothing about the person is ever put in a refusal.
"""

from __future__ import annotations

from typing import Any

from townsquare.errors import FieldError, Problem

DETAILS = {
    "unknown_office": (404, "No office open for appointments has that identifier."),
    "unknown_service": (404, "There is no service with that code."),
    "unknown_appointment": (404, "No appointment has that identifier."),
    "not_bookable": (422, "That service cannot be booked at this office."),
    "no_time": (422, "Choose a time."),
    "no_way": (422, "Say how the person asked: by phone or at the counter."),
    "not_their_case": (422, "That is not an open case of this person."),
    "past": (422, "That time has passed. Choose a later one."),
    "too_soon": (422, "That time is too soon to book. Choose a later one."),
    "too_far": (422, "That day is too far ahead to book yet."),
    "closed": (422, "The office is closed that day."),
    "outside_hours": (422, "The office does not take appointments for this service at that time."),
    "full": (409, "That time has just been taken. Choose another."),
    "double": (409, "This person already has an appointment at that time."),
    "too_many": (409, "This person already has as many upcoming appointments as one person may have."),
    "not_changeable": (409, "This appointment can no longer be changed."),
    "hold_gone": (409, "The time kept for you has run out and was taken. Choose another."),
    "not_today": (409, "This appointment is for another day."),
    "cancelled": (409, "This appointment was cancelled."),
    "no_show": (409, "This appointment was recorded as missed."),
    "waitlist_twice": (409, "This person is already on the waiting list for that day."),
    "waitlist_free": (409, "There are free times that day: book one of them."),
}


def refused(reason: str, field: str = "starts_at", **extra: Any) -> Problem:
    """The problem for `reason` (one of `DETAILS`), naming the field it is about."""
    status, detail = DETAILS[reason]
    title = "Not found" if status == 404 else "Not possible"
    slug = "appointment-" + reason.replace("_", "-")
    return Problem(status, title, detail, slug, [FieldError(field, reason)], {"reason": reason, **extra})


def reason_of(problem: Problem) -> str | None:
    """The reason of a refusal from this package, else None."""
    reason = problem.extra.get("reason")
    return reason if isinstance(reason, str) and reason in DETAILS else None
