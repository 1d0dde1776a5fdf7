"""The counters' record types and words the desk's pages name, so no page imports a `models` module itself."""

from __future__ import annotations

from townsquare.counters.kinds import CheckIn, TicketState
from townsquare.counters.models import Ticket
from townsquare.offices.models import Counter, Office

__all__ = ["CheckIn", "Counter", "Office", "Ticket", "TicketState"]
