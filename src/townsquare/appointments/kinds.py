"""The words appointments are described with: their states, how they were booked, a waitlist entry's states.

Plain enums, no ORM: the edges (the portal, the desk, the phone menu) name them without importing any table.
"""

from __future__ import annotations

from enum import StrEnum


class AppointmentStatus(StrEnum):
    held = "held"  # a slot kept for someone who has still to confirm (a guest proving a contact, a waitlist offer)
    booked = "booked"
    arrived = "arrived"  # checked in at the office
    cancelled = "cancelled"
    no_show = "no_show"  # not checked in by its end and the grace after it
    lapsed = "lapsed"  # a hold nobody confirmed in time


class BookedVia(StrEnum):
    """Where the booking was made."""

    portal = "portal"
    phone = "phone"  # by an agent, for a caller
    counter = "counter"  # by staff, for someone at the office
    ivr = "ivr"  # by the caller on the phone menu
    chat = "chat"  # through the assistant
    waitlist = "waitlist"  # a freed slot claimed from the waiting list


class WaitStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"  # a freed slot is held for them
    booked = "booked"  # they took it
    lapsed = "lapsed"  # the offer ran out untaken: the next person was asked
    left = "left"  # they left the list, or the day went by


OCCUPYING = (AppointmentStatus.held, AppointmentStatus.booked, AppointmentStatus.arrived)
ACTIVE = (AppointmentStatus.booked, AppointmentStatus.arrived)
