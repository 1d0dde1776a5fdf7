"""The words interactions are described with: channels, directions, kinds, delivery states.

Plain enums, no ORM: the edges (channel adapters, pages) name them without importing any table.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    web = "web"
    mobile = "mobile"
    voice = "voice"
    sms = "sms"
    email = "email"
    chat = "chat"
    social = "social"
    counter = "counter"
    mail = "mail"
    api = "api"
    push = "push"  # a web push notification to a device the person subscribed


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"  # staff notes, status changes


class InteractionKind(StrEnum):
    message = "message"
    call = "call"
    voicemail = "voicemail"
    visit = "visit"
    letter = "letter"
    form_submission = "form_submission"
    status_change = "status_change"
    note = "note"
    appointment = "appointment"  # an appointment booked, moved, cancelled, arrived at or missed


class DeliveryStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    delivered = "delivered"
    failed = "failed"
