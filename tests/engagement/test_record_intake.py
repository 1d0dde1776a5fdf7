"""The door every source record comes through: a record that links as surely to two people says they may be
one, so the pair is left for review (never merged by the model), once, and not when staff said they are not."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.casework import linked_records
from townsquare.engagement import record_intake
from townsquare.matching.models import MatchDecision, MatchRejection, Outcome
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

ANA = {"given_name": "Ana", "family_name": "Tremblay", "birth_date": "1984-03-12"}
HOME = {"street_number": "1200", "street": "Rue Sainte-Catherine", "postcode": "H2X 1Y4", "email": "ana@example.org"}
WORK = {"street_number": "9", "street": "Avenue du Parc", "postcode": "H2V 4E6", "phone": "+15145550142"}


async def _two_anas(session: AsyncSession, settings: Settings) -> tuple[object, object]:
    await create_agency(session)
    first, second = await create_citizen(session, name="Ana T"), await create_citizen(session, name="A Tremblay")
    await record_intake.take_in(
        session, settings, source="revenue", source_key="R-1", raw=ANA | HOME, citizen_id=first.id
    )
    await record_intake.take_in(
        session, settings, source="library", source_key="L-1", raw=ANA | WORK, citizen_id=second.id
    )
    return first.id, second.id


async def _pairs_from(session: AsyncSession, record_id: object) -> list[set[object]]:
    query = select(MatchDecision).where(
        MatchDecision.outcome == Outcome.review, MatchDecision.source_record_id == record_id
    )
    return [{p.citizen_id, p.candidate_citizen_id} for p in (await session.execute(query)).scalars()]


async def test_a_record_that_links_to_two_people_leaves_them_for_review_once(
    session: AsyncSession, settings: Settings
) -> None:
    first, second = await _two_anas(session, settings)
    queued = select(WorkItem).where(WorkItem.kind == "record_review")
    assert len((await session.execute(queued)).scalars().all()) == 1  # the library's record looked like hers
    bridge = ANA | HOME | {"phone": WORK["phone"]}
    taken = await record_intake.take_in(session, settings, source="transit", source_key="T-1", raw=bridge)
    assert taken.citizen_id in (first, second)
    assert taken.decision is not None
    assert taken.decision.outcome is Outcome.linked
    assert await _pairs_from(session, taken.record.id) == [{first, second}]
    assert len((await session.execute(queued)).scalars().all()) == 1  # the same two people wait once
    staff = Principal(kind="staff", id=uuid.uuid4(), name="Rita", role=StaffRole.agent, agency_ids=None)
    shown = await linked_records.of_citizen(session, me=staff, citizen_id=taken.citizen_id, purpose="test")
    mine = next(r for r in shown.records if r.record_id == taken.record.id)
    assert mine.outcome == "linked"  # its own decision, not the pair it raised


async def test_two_people_staff_kept_apart_are_not_offered_again_by_a_bridge(
    session: AsyncSession, settings: Settings
) -> None:
    first, second = await _two_anas(session, settings)
    low, high = sorted((first, second))  # type: ignore[type-var]
    session.add(MatchRejection(first_citizen_id=low, second_citizen_id=high))
    await session.flush()
    bridge = ANA | HOME | {"phone": WORK["phone"]}
    taken = await record_intake.take_in(session, settings, source="transit", source_key="T-1", raw=bridge)
    assert await _pairs_from(session, taken.record.id) == []
