"""A discrete-event simulation of a call centre driven through the routing engine, to check it against queueing
theory: Poisson arrivals, exponential handling times, every offer answered at once, first come first served. A
development tool, outside the package: `bench/routing_sim.py` and `tests/bench/test_routing_simulation.py` use it.

Two ways to run the same calls: `EngineBackend` goes through the real engine and database (`create`, `route`,
`accept`, `complete`); `CoreBackend` uses the engine's in-memory decision code (`Matcher`, `AgentState`,
`ItemState`) without a database, to simulate many more calls. It never writes to a database it was not given.
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.db import Database
from townsquare.routing import agents as agent_profiles
from townsquare.routing import engine
from townsquare.routing import service as items
from townsquare.routing.models import Agent, CapacityClass, Presence
from townsquare.staff.models import StaffAccount, StaffAgency

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Simulated staff can never sign in: no argon2 hash verifies against this value.
UNUSABLE_PASSWORD_HASH = "!simulated-agent"  # noqa: S105 - not a password: matches none
BATCHES = 20
T_975 = 2.093  # Student's t, 97.5% quantile, BATCHES - 1 degrees of freedom


@dataclass(frozen=True)
class Scenario:
    """`agents` identical agents taking calls offered at `offered_erlangs` (A = arrival rate x AHT)."""

    agents: int
    offered_erlangs: float
    aht_seconds: float
    calls: int
    seed: int = 2026

    @property
    def occupancy(self) -> float:
        return self.offered_erlangs / self.agents


@dataclass(frozen=True)
class Calls:
    """Arrival times and handling times of every call, in whole microseconds since the start."""

    arrivals: list[int]
    handling: list[int]


def draw_calls(scenario: Scenario) -> Calls:
    """The scenario's calls from its seed: exponential gaps (rate A / AHT) and exponential handling (mean AHT)."""
    gaps = random.Random(f"{scenario.seed}:arrivals")
    lengths = random.Random(f"{scenario.seed}:handling")
    rate = scenario.offered_erlangs / scenario.aht_seconds
    arrivals: list[int] = []
    now = 0
    for _ in range(scenario.calls):
        now += max(1, round(gaps.expovariate(rate) * 1e6))
        arrivals.append(now)
    handling = [max(1, round(lengths.expovariate(1.0 / scenario.aht_seconds) * 1e6)) for _ in range(scenario.calls)]
    return Calls(arrivals, handling)


class Backend(Protocol):
    """Whatever routes the calls: told of each arrival and completion, answers which calls were answered then."""

    holders: dict[int, uuid.UUID]  # call -> the agent who answered it

    async def arrive(self, call: int, now: datetime) -> list[int]: ...

    async def finish(self, call: int, now: datetime) -> list[int]: ...


@dataclass
class Measured:
    """What callers experienced after the warm-up, with 95% confidence half-widths from batch means."""

    calls: int
    p_wait: float
    asa_seconds: float
    service_level: float
    p_wait_ci: float
    asa_ci: float
    service_level_ci: float


@dataclass
class SimulationResult:
    calls: Calls
    answered: list[int]  # microseconds since the start; -1 if never answered
    holders: dict[int, uuid.UUID] = field(default_factory=dict)  # call -> agent who answered it

    def waits(self, warmup_fraction: float = 0.1) -> list[float]:
        """Seconds each call waited, in arrival order, the first `warmup_fraction` of calls left out."""
        first = int(len(self.answered) * warmup_fraction)
        return [
            (answered - arrived) / 1e6
            for arrived, answered in zip(self.calls.arrivals[first:], self.answered[first:], strict=True)
        ]

    def measure(self, threshold_seconds: float, warmup_fraction: float = 0.1) -> Measured:
        """P(wait > 0), average speed of answer and the share answered within `threshold_seconds`."""
        waits = self.waits(warmup_fraction)
        if any(w < 0 for w in waits):
            raise ValueError("a call was never answered; run the simulation to the end")
        size = len(waits) // BATCHES
        if size == 0:
            raise ValueError(f"need at least {BATCHES} calls after the warm-up")
        batches = [waits[i * size : (i + 1) * size] for i in range(BATCHES)]

        def half_width(values: Sequence[float]) -> float:
            mean = sum(values) / len(values)
            var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
            return T_975 * math.sqrt(var / len(values))

        # Point estimates over every call kept; the batches give the spread.
        return Measured(
            calls=len(waits),
            p_wait=sum(w > 0 for w in waits) / len(waits),
            asa_seconds=sum(waits) / len(waits),
            service_level=sum(w <= threshold_seconds for w in waits) / len(waits),
            p_wait_ci=half_width([sum(w > 0 for w in b) / size for b in batches]),
            asa_ci=half_width([sum(b) / size for b in batches]),
            service_level_ci=half_width([sum(w <= threshold_seconds for w in b) / size for b in batches]),
        )


async def simulate(calls: Calls, backend: Backend, *, start: datetime = START) -> SimulationResult:
    """Play every call through `backend` in simulated time; a completion goes before an arrival at the same instant."""
    answered = [-1] * len(calls.arrivals)
    pending: list[tuple[int, int]] = []  # (completion time, call)

    def took(now_us: int, answered_now: list[int]) -> None:
        for call in answered_now:
            answered[call] = now_us
            heapq.heappush(pending, (now_us + calls.handling[call], call))

    next_arrival = 0
    while next_arrival < len(calls.arrivals) or pending:
        if pending and (next_arrival >= len(calls.arrivals) or pending[0][0] <= calls.arrivals[next_arrival]):
            now_us, call = heapq.heappop(pending)
            took(now_us, await backend.finish(call, start + timedelta(microseconds=now_us)))
        else:
            now_us = calls.arrivals[next_arrival]
            took(now_us, await backend.arrive(next_arrival, start + timedelta(microseconds=now_us)))
            next_arrival += 1
    return SimulationResult(calls, answered, dict(backend.holders))


# ---------------------------------------------------------------- through the engine and the database


async def staff_call_centre(
    db: Database, *, agents: int, start: datetime = START, slug: str = "simulated-centre"
) -> uuid.UUID:
    """An agency with `agents` available voice agents (one call each, no wrap-up, English); its id."""
    async with db.session() as session:
        agency = Agency(slug=slug, name="Simulated call centre")
        session.add(agency)
        await session.flush()
        for n in range(agents):
            account = StaffAccount(
                email=f"agent{n:04d}@{slug}.invalid",
                display_name=f"Agent {n:04d}",
                password_hash=UNUSABLE_PASSWORD_HASH,
            )
            session.add(account)
            await session.flush()
            session.add(StaffAgency(staff_id=account.id, agency_id=agency.id))
            profile: Agent = await agent_profiles.ensure_agent(
                session, staff_id=account.id, capacity={CapacityClass.voice: 1}, languages=["en"], wrap_up_seconds=0
            )
            profile.presence = Presence.available
            profile.presence_since = profile.idle_since = start
        await session.commit()
        return agency.id


class EngineBackend:
    """Each event in its own transaction, as a routing worker would: create or complete, one pass, accept, commit."""

    def __init__(self, db: Database, *, agency_id: uuid.UUID, config: engine.RoutingConfig = engine.DEFAULT_CONFIG):
        self.db = db
        self.agency_id = agency_id
        self.config = config
        self.item_of: dict[int, uuid.UUID] = {}
        self.call_of: dict[uuid.UUID, int] = {}
        self.holders: dict[int, uuid.UUID] = {}
        self.reports: list[engine.RoutingReport] = []

    async def arrive(self, call: int, now: datetime) -> list[int]:
        async with self.db.session() as session:
            item = await items.create(
                session, channel="voice", kind="call", agency_id=self.agency_id, received_at=now, language="en"
            )
            self.item_of[call], self.call_of[item.id] = item.id, call
            answered = await self._route(session, now)
            await session.commit()
        return answered

    async def finish(self, call: int, now: datetime) -> list[int]:
        async with self.db.session() as session:
            await engine.complete(session, item_id=self.item_of[call], staff_id=self.holders[call], now=now)
            answered = await self._route(session, now)
            await session.commit()
        return answered

    async def _route(self, session: AsyncSession, now: datetime) -> list[int]:
        report = await engine.route(session, now=now, config=self.config)
        self.reports.append(report)
        answered = []
        for item_id, staff_id in report.offered:
            await engine.accept(session, item_id=item_id, staff_id=staff_id, now=now)
            call = self.call_of[item_id]
            self.holders[call] = staff_id
            answered.append(call)
        return answered


# ---------------------------------------------------------------- the engine's decision code, in memory


class CoreBackend:
    """What `route` does for this call centre, in memory: the same `Matcher`, agents longest idle first, the queue
    walked in order (priority, SLA due, arrival — here arrival order, as every call has the same priority and
    SLA target), at most `config.batch` items a pass. No database: for runs too long to go through one."""

    def __init__(self, *, agents: int, config: engine.RoutingConfig = engine.DEFAULT_CONFIG) -> None:
        self.agency_id = uuid.UUID(int=1)
        self.config = config
        self.idle_order: OrderedDict[uuid.UUID, engine.AgentState] = OrderedDict()
        for n in range(agents):
            staff_id = uuid.UUID(int=1000 + n)
            self.idle_order[staff_id] = engine.AgentState(
                staff_id=staff_id,
                capacity={CapacityClass.voice: 1},
                load={},
                languages=frozenset({"en"}),
                skills={},
                agencies=frozenset({self.agency_id}),
                teams=frozenset(),
                supervisor=False,
            )
        self.ready: OrderedDict[uuid.UUID, engine.AgentState] = OrderedDict(self.idle_order)  # with room
        self.queue: deque[tuple[int, engine.ItemState]] = deque()
        self.holders: dict[int, uuid.UUID] = {}

    async def arrive(self, call: int, now: datetime) -> list[int]:
        self.queue.append((call, self._item(call)))
        return self._route()

    async def finish(self, call: int, now: datetime) -> list[int]:
        agent = self.idle_order[self.holders[call]]
        agent.load[CapacityClass.voice] -= 1
        # Idle since now: last in line, as `complete` sets `idle_since` and route orders by it.
        self.idle_order.move_to_end(agent.staff_id)
        self.ready.pop(agent.staff_id, None)
        self.ready[agent.staff_id] = agent
        return self._route()

    def _item(self, call: int) -> engine.ItemState:
        return engine.ItemState(
            id=uuid.UUID(int=call),
            agency_id=self.agency_id,
            capacity_class=CapacityClass.voice,
            language="en",
            required_skills={},
            preferred_skill=None,
            team_id=None,
            target_staff_id=None,
            supervisors_only=False,
            excluded=frozenset(),
        )

    def _route(self) -> list[int]:
        if not self.queue or not self.ready:  # route() returns early too when no agent has room
            return []
        matcher = engine.Matcher(self.ready.values())
        answered: list[int] = []
        for position, (call, item) in enumerate(self.queue):
            if position >= self.config.batch:
                break
            agent = matcher.choose(item)
            if agent is None:
                continue
            answered.append(call)
            self.holders[call] = agent.staff_id
            self.idle_order.move_to_end(agent.staff_id)  # route() sets idle_since = now for offered agents
            self.ready.pop(agent.staff_id)
            if agent.has_room():
                self.ready[agent.staff_id] = agent
            if not matcher.any_room():
                break
        if answered:
            if len(answered) == 1 and self.queue[0][0] == answered[0]:
                self.queue.popleft()
            else:
                taken = set(answered)
                self.queue = deque(entry for entry in self.queue if entry[0] not in taken)
        return answered
