"""The words notifications are described with: message types, statuses, attempt outcomes.

Plain enums, no ORM: the edges (the desk, the API's shapes) name them without importing any table.
"""

from __future__ import annotations

from enum import StrEnum


class MessageType(StrEnum):
    """What a notification is for; each has its templates and the placeholders they may use."""

    acknowledgement = "acknowledgement"  # a case was received
    status_change = "status_change"  # a case moved, with its public note
    information_request = "information_request"  # staff need something from the resident to go on
    report_update = "report_update"  # a report the person follows (not theirs) moved
    agent_reply = "agent_reply"  # a person at the agency wrote
    appointment_reminder = "appointment_reminder"
    appointment_confirmation = "appointment_confirmation"  # an appointment was booked
    appointment_change = "appointment_change"  # an appointment moved to another time
    appointment_cancellation = "appointment_cancellation"
    appointment_offer = "appointment_offer"  # a freed slot held for someone on the waiting list
    renewal_reminder = "renewal_reminder"
    application_reminder = "application_reminder"  # an application left unfinished
    sign_in = "sign_in"
    verification = "verification"
    general = "general"  # an agency's own message, through the notifications API
    satisfaction_survey = "satisfaction_survey"  # one question after a case or contact closed (analytics.surveys)


class NotificationStatus(StrEnum):
    """As GOV.UK Notify names them, plus `sent` (handed to a provider that gives no receipt) and `cancelled`."""

    created = "created"  # accepted, waiting (quiet hours) or about to be tried
    sending = "sending"  # an attempt is with the provider, or a push waits for its acknowledgement
    sent = "sent"  # the provider accepted it and gives no delivery receipt (email over SMTP, a letter posted)
    delivered = "delivered"
    permanent_failure = "permanent_failure"  # every reachable channel failed
    temporary_failure = "temporary_failure"  # a channel failed for now and nothing was left to fall back on
    technical_failure = "technical_failure"  # our side failed (a template went missing)
    cancelled = "cancelled"


FINAL_STATUSES = frozenset(
    {
        NotificationStatus.delivered,
        NotificationStatus.permanent_failure,
        NotificationStatus.temporary_failure,
        NotificationStatus.technical_failure,
        NotificationStatus.cancelled,
    }
)


class AttemptOutcome(StrEnum):
    trying = "trying"
    delivered = "delivered"
    sent = "sent"
    failed = "failed"
    unacknowledged = "unacknowledged"  # a push nobody acknowledged in time


class ReminderStatus(StrEnum):
    scheduled = "scheduled"
    sent = "sent"  # its notification was accepted (the notification has its own status)
    cancelled = "cancelled"  # by the resident, or because what it reminds of went away
    skipped = "skipped"  # due, but nobody could be reached or no template fits


REMINDER_TYPES = frozenset(
    {MessageType.renewal_reminder, MessageType.appointment_reminder, MessageType.application_reminder}
)
