"""The order tickets are called in, as pure functions over small states (no I/O), so the rule is tested alone.

For a counter: a ticket transferred to this very counter first; then appointments from their booked time on, by
booked time; then everyone else by the universal queue's order (priority, then SLA due time, then arrival). The
line as residents see it (people ahead, the estimate) is the same without a counter or priorities: appointments
due, then arrival.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

FAR = datetime.max.replace(tzinfo=UTC)  # sorts after every real time, without comparing None


@dataclass(frozen=True)
class InLine:
    """What ordering needs of one waiting ticket (and of its work item, when it has one)."""

    ticket_id: uuid.UUID
    ticketed_at: datetime
    booked_for: datetime | None = None
    target_counter_id: uuid.UUID | None = None
    priority: int = 50
    sla_due_at: datetime | None = None

    def booked_due(self, now: datetime) -> bool:
        """An appointment whose time has come: ahead of walk-ins from its booked time on."""
        return self.booked_for is not None and self.booked_for <= now


def _or_far(at: datetime | None) -> datetime:
    return at if at is not None else FAR


def line_key(ticket: InLine, now: datetime) -> tuple[int, datetime]:
    """A ticket's place in its office's line: appointments due by booked time, then arrival."""
    if ticket.booked_due(now):
        return (0, _or_far(ticket.booked_for))
    return (1, _or_far(ticket.ticketed_at))


def in_line(tickets: Iterable[InLine], now: datetime) -> list[InLine]:
    """The waiting tickets in the order residents see the line."""
    return sorted(tickets, key=lambda t: (*line_key(t, now), t.ticket_id))


def counter_key(ticket: InLine, counter_id: uuid.UUID, now: datetime) -> tuple[int, int, int, datetime, datetime]:
    """A ticket's place for one counter's "call next"."""
    mine = 0 if ticket.target_counter_id == counter_id else 1
    if ticket.booked_due(now):
        return (mine, 0, 0, _or_far(ticket.booked_for), FAR)
    return (mine, 1, -ticket.priority, _or_far(ticket.sla_due_at), _or_far(ticket.ticketed_at))


def for_counter(tickets: Iterable[InLine], counter_id: uuid.UUID, now: datetime) -> list[InLine]:
    """The waiting tickets in the order one counter calls them (those sent to another counter left out)."""
    open_to_me = [t for t in tickets if t.target_counter_id in (None, counter_id)]
    return sorted(open_to_me, key=lambda t: (*counter_key(t, counter_id, now), t.ticket_id))
