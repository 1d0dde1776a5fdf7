"""The words a ticket is described with: its state and how it was taken.

Plain enums, no ORM: the edges (the kiosk, the display, the desk) name them without importing any table.
"""

from __future__ import annotations

from enum import StrEnum


class TicketState(StrEnum):
    """Where a ticket stands, as the Q's periods do: in line, called to a counter, being served, on hold, ended."""

    waiting = "waiting"  # in line (again, after a transfer)
    called = "called"  # invited to a counter, on the display: walking up
    serving = "serving"  # at the counter
    held = "held"  # stepped away (a form to fill in) and comes back to be served
    finished = "finished"
    no_show = "no_show"  # called, recalled, never came


OPEN_STATES = (TicketState.waiting, TicketState.called, TicketState.serving, TicketState.held)
ENDED_STATES = (TicketState.finished, TicketState.no_show)


class CheckIn(StrEnum):
    """How the person took their ticket."""

    kiosk = "kiosk"  # the office's tablet
    phone = "phone"  # their own phone, from the poster's QR code
    greeter = "greeter"  # staff at the door
    appointment = "appointment"  # arrived for a booked time
