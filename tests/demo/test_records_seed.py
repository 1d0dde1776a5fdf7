"""The demo's registers: every resident has a civil-register record that is theirs, transit riders written
differently are linked to the same people by the model (never to a stranger), and a few doubtful library cards
wait for the records team in the review queue."""

from __future__ import annotations

from sqlalchemy import select

from townsquare.app import Runtime
from townsquare.demo.seed import seed
from townsquare.matching.models import MatchDecision, Outcome, SourceRecord
from townsquare.routing.models import WorkItem


async def test_the_demo_links_its_registers_and_leaves_a_few_pairs_for_review(runtime: Runtime) -> None:
    await seed(runtime.db, citizens=40)
    async with runtime.db.session() as s:
        records = (await s.execute(select(SourceRecord))).scalars().all()
        civil = {r.source_key: r.citizen_id for r in records if r.source == "civil-register"}
        assert len(civil) >= 30
        transit = [r for r in records if r.source == "transit"]
        assert transit
        decisions = {d.source_record_id: d for d in (await s.execute(select(MatchDecision))).scalars().all()}
        for rider in transit:  # TR-n is the rider whose civil record is CR-n's person
            same = civil[f"CR-{rider.source_key.removeprefix('TR-')}"]
            outcome = decisions[rider.id].outcome
            assert outcome in (Outcome.linked, Outcome.review, Outcome.separate)
            if outcome is Outcome.linked:
                assert rider.citizen_id == same  # never linked to someone else
        linked = [r for r in transit if decisions[r.id].outcome is Outcome.linked]
        assert len(linked) >= 0.8 * len(transit)
        reviews = (await s.execute(select(WorkItem).where(WorkItem.kind == "record_review"))).scalars().all()
        assert 1 <= len(reviews) <= 4
