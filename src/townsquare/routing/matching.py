"""The routing decision in memory: who may take an item, how well they match it, and the best agent for it.

Pure code over small state objects (`AgentState`, `ItemState`), so a pass decides without touching the database
and the bench's simulation can drive the same decisions for millions of calls. Never does I/O.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from townsquare.routing.models import (
    CapacityClass,
)


@dataclass
class AgentState:
    """What a pass knows of one available agent."""

    staff_id: uuid.UUID
    capacity: Mapping[str, Any]
    load: dict[str, int]
    languages: frozenset[str]
    skills: Mapping[str, int]
    agencies: frozenset[uuid.UUID]
    teams: frozenset[uuid.UUID]
    supervisor: bool

    def can_take(self, cls: str) -> bool:
        """Room for one more item of this class: a call is exclusive, and no call while chatting."""
        if self.load.get(CapacityClass.voice, 0) > 0:
            return False
        if cls == CapacityClass.voice and self.load.get(CapacityClass.chat, 0) > 0:
            return False
        return self.load.get(cls, 0) < int(self.capacity.get(cls, 0))

    def has_room(self) -> bool:
        return any(self.can_take(c) for c in CapacityClass)


@dataclass(frozen=True)
class ItemState:
    """What a pass knows of one queued item."""

    id: uuid.UUID
    agency_id: uuid.UUID
    capacity_class: str
    language: str
    required_skills: Mapping[str, int]
    preferred_skill: str | None
    team_id: uuid.UUID | None
    target_staff_id: uuid.UUID | None
    supervisors_only: bool
    excluded: frozenset[uuid.UUID]


def eligible(agent: AgentState, item: ItemState) -> bool:
    """May `agent` be offered `item` now?"""
    if item.target_staff_id is not None and agent.staff_id != item.target_staff_id:
        return False
    return (
        agent.staff_id not in item.excluded
        and item.agency_id in agent.agencies
        and item.language in agent.languages
        and (item.team_id is None or item.team_id in agent.teams)
        and (not item.supervisors_only or agent.supervisor)
        and all(agent.skills.get(skill, 0) >= level for skill, level in item.required_skills.items())
        and agent.can_take(item.capacity_class)
    )


def unfit(agent: AgentState, item: ItemState) -> list[str]:
    """Why `agent` could not take `item` when a supervisor gives it to them, each reason a word: "agency" (not of
    its agency), "language" (does not speak its language), "skills" (below a level it requires), "no_room" (no room
    in its capacity class, or on a call); empty when they can. A supervisor's choice outranks the routing targets
    (a named agent, a team, supervisors only) and recent declines, never these."""
    reasons = []
    if item.agency_id not in agent.agencies:
        reasons.append("agency")
    if item.language not in agent.languages:
        reasons.append("language")
    if any(agent.skills.get(skill, 0) < level for skill, level in item.required_skills.items()):
        reasons.append("skills")
    if not agent.can_take(item.capacity_class):
        reasons.append("no_room")
    return reasons


def skill_score(agent: AgentState, item: ItemState) -> int:
    """Higher is a better match: the agent's levels in the required skills and the item's service."""
    score = sum(agent.skills.get(skill, 0) for skill in item.required_skills)
    if item.preferred_skill:
        score += agent.skills.get(item.preferred_skill, 0)
    return score


class Matcher:
    """Chooses agents for items, keeping each agent's load and idle order up to date as it goes.

    Agents are kept per (agency, language) in longest-idle-first order; an agent who is offered work moves
    to the back, so work spreads across equally skilled agents.
    """

    def __init__(self, agents: Iterable[AgentState]) -> None:
        self.pools: dict[tuple[uuid.UUID, str], OrderedDict[uuid.UUID, AgentState]] = defaultdict(OrderedDict)
        for agent in agents:  # given longest idle first
            for agency in agent.agencies:
                for language in agent.languages:
                    self.pools[(agency, language)][agent.staff_id] = agent

    def choose(self, item: ItemState) -> AgentState | None:
        """The best eligible agent for `item` (taking the capacity it needs), or None."""
        pool = self.pools.get((item.agency_id, item.language))
        if not pool:
            return None
        best: AgentState | None = None
        best_score = -1
        top = 5 * (len(item.required_skills) + (1 if item.preferred_skill else 0))
        for agent in pool.values():
            if not eligible(agent, item):
                continue
            score = skill_score(agent, item)
            if score > best_score:  # strictly better: among equals the longest idle (earliest) stays
                best, best_score = agent, score
                if score >= top:
                    break
        if best is None:
            return None
        best.load[item.capacity_class] = best.load.get(item.capacity_class, 0) + 1
        for agency in best.agencies:
            for language in best.languages:
                members = self.pools.get((agency, language))
                if members is None or best.staff_id not in members:
                    continue
                if best.has_room():
                    members.move_to_end(best.staff_id)
                else:
                    del members[best.staff_id]
        return best

    def any_room(self) -> bool:
        return any(pool for pool in self.pools.values())
