"""The routing engine's one door: the routing pass and the agent's answers to work.

The engine is three modules: `matching` (the decision in memory: who may take an item and who fits it best),
`dispatch` (one routing pass over the database: expire offers, end wrap-ups, offer queued work) and `answers`
(accept, decline, complete, transfer, escalate, call-backs, withdrawals). Callers import them from here.
"""

from __future__ import annotations

from townsquare.routing.answers import (
    ESCALATED_PRIORITY,
    accept,
    complete,
    decline,
    escalate,
    get_item,
    schedule_callback,
    teams_for,
    transfer,
    transfers_of,
    withdraw,
    wrap_up_codes,
)
from townsquare.routing.dispatch import DEFAULT_CONFIG, RoutingConfig, RoutingReport, route
from townsquare.routing.matching import AgentState, ItemState, Matcher, eligible, skill_score

__all__ = [
    "DEFAULT_CONFIG",
    "ESCALATED_PRIORITY",
    "AgentState",
    "ItemState",
    "Matcher",
    "RoutingConfig",
    "RoutingReport",
    "accept",
    "complete",
    "decline",
    "eligible",
    "escalate",
    "get_item",
    "route",
    "schedule_callback",
    "skill_score",
    "teams_for",
    "transfer",
    "transfers_of",
    "withdraw",
    "wrap_up_codes",
]
