"""The routing engine behaves as queueing theory says a first-come-first-served call centre must.

A short run goes through the real engine and database and must produce, call for call, the same waits as the
engine's in-memory decision code; long runs of that code must agree with Erlang C (pyworkforce) on the service
level within 2 percentage points at three loads. Fixed seeds: the outcome is the same on every run.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from pyworkforce.queuing import ErlangC
from sqlalchemy import select

import routing_simulation as simulation
from tests.factories import count
from townsquare.app import Runtime
from townsquare.routing.models import OfferOutcome, WorkItem, WorkItemStatus, WorkOffer

AHT = 180.0
THRESHOLD = 20.0


def erlang_c(agents: int, offered: float) -> tuple[float, float]:
    """(P(wait), service level) for `agents` agents at `offered` erlangs (seconds used throughout)."""
    model = ErlangC(transactions=offered / AHT * 3600, aht=AHT, asa=THRESHOLD, interval=3600)
    return float(model.waiting_probability(agents)), float(model.service_level(agents))


async def test_calls_through_the_engine_wait_exactly_as_the_core_decides(runtime: Runtime) -> None:
    scenario = simulation.Scenario(agents=3, offered_erlangs=2.4, aht_seconds=AHT, calls=120, seed=7)
    calls = simulation.draw_calls(scenario)
    agency_id = await simulation.staff_call_centre(runtime.db, agents=scenario.agents)
    backend = simulation.EngineBackend(runtime.db, agency_id=agency_id)

    through_db = await simulation.simulate(calls, backend)
    core = await simulation.simulate(calls, simulation.CoreBackend(agents=scenario.agents))

    assert all(t >= 0 for t in through_db.answered)
    assert through_db.answered == core.answered  # every call waited the same, to the microsecond
    waits = through_db.waits(warmup_fraction=0)
    assert any(w == 0 for w in waits)
    assert sum(w > 0 for w in waits) >= 20
    assert len(set(through_db.holders.values())) == scenario.agents
    async with runtime.db.session(deferred=True) as session:
        assert await count(session, WorkOffer, WorkOffer.outcome == OfferOutcome.accepted) == scenario.calls
        assert await count(session, WorkOffer) == scenario.calls
        assert await count(session, WorkItem, WorkItem.status == WorkItemStatus.done) == scenario.calls
        rows = (await session.execute(select(WorkItem.id, WorkItem.first_answered_at))).all()
        answered_at = dict(rows)
        for call, item_id in backend.item_of.items():
            assert answered_at[item_id] == simulation.START + timedelta(microseconds=through_db.answered[call])
        spans = (
            await session.execute(
                select(WorkOffer.staff_id, WorkOffer.responded_at, WorkOffer.released_at).order_by(
                    WorkOffer.staff_id, WorkOffer.responded_at
                )
            )
        ).all()
    for _, held in itertools.groupby(spans, key=lambda span: span[0]):
        for (_, _, finished), (_, picked_up, _) in itertools.pairwise(held):
            assert finished is not None, "an agent was given a second call before the first was released"
            assert picked_up is not None, "an agent was given a call they never answered"
            assert picked_up >= finished, "an agent was given a second call while on one"


@pytest.mark.parametrize(
    ("agents", "occupancy"),
    [(20, 0.70), (4, 0.60), (1, 0.75)],
    ids=["N20-occupancy70", "N4-occupancy60", "N1-occupancy75"],
)
async def test_long_runs_agree_with_erlang_c(agents: int, occupancy: float) -> None:
    offered = agents * occupancy
    scenario = simulation.Scenario(agents=agents, offered_erlangs=offered, aht_seconds=AHT, calls=100_000, seed=2026)
    result = await simulation.simulate(simulation.draw_calls(scenario), simulation.CoreBackend(agents=agents))
    measured = result.measure(THRESHOLD)
    p_wait, service_level = erlang_c(agents, offered)

    assert measured.calls == 90_000
    assert measured.service_level_ci < 0.012  # the run is long enough for a 2-point comparison to mean something
    assert abs(measured.service_level - service_level) <= 0.02
    assert abs(measured.p_wait - p_wait) <= 0.02
