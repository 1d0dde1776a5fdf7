"""One person, one record: every source record about a person comes in here, from any door.

The model in force (with the jurisdiction's thresholds from settings) decides whose the record is; a pair
between the thresholds becomes a work item in the universal queue for the records team, with its own SLA,
unless the same two people are already waiting for a decision. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.matching import intake, store
from townsquare.matching.intake import TakenIn
from townsquare.matching.model import MatchModel, Thresholds
from townsquare.matching.models import MatchDecision, Outcome
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

REVIEW_CHANNEL = "task"
REVIEW_KIND = "record_review"


async def model_in_force(session: AsyncSession, settings: Settings) -> tuple[int, MatchModel]:
    """The stored (or shipped) model, with the thresholds the jurisdiction set in its settings."""
    version, model = await store.in_force(session)
    link = settings.match_link_threshold or model.thresholds.link
    review = settings.match_review_threshold if settings.match_review_threshold is not None else model.thresholds.review
    if (link, review) == (model.thresholds.link, model.thresholds.review):
        return version, model
    return version, replace(model, thresholds=Thresholds(link=link, review=min(review, link)))


async def _waiting(session: AsyncSession, decision: MatchDecision) -> bool:
    """Whether the same two people already wait for a review (either way round)."""
    a, b = decision.citizen_id, decision.candidate_citizen_id
    query = select(MatchDecision.id).where(
        MatchDecision.outcome == Outcome.review,
        MatchDecision.id != decision.id,
        MatchDecision.work_item_id.is_not(None),
        or_(
            and_(MatchDecision.citizen_id == a, MatchDecision.candidate_citizen_id == b),
            and_(MatchDecision.citizen_id == b, MatchDecision.candidate_citizen_id == a),
        ),
    )
    return (await session.execute(query.limit(1))).first() is not None


async def take_in(
    session: AsyncSession,
    settings: Settings,
    *,
    source: str,
    source_key: str,
    raw: Mapping[str, object],
    citizen_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    model: tuple[int, MatchModel] | None = None,
) -> TakenIn:
    """Keep one source record, decide whose it is, and queue a review when the model is unsure."""
    taken = await intake.take_in(
        session,
        model or await model_in_force(session, settings),
        source=source,
        source_key=source_key,
        raw=raw,
        region=settings.default_region,
        citizen_id=citizen_id,
        received_at=received_at,
    )
    decision = taken.decision
    if decision is not None and decision.outcome is Outcome.review and not await _waiting(session, decision):
        decision.work_item_id = (await _review_item(session, settings, decision)).id
    return taken


async def _review_item(session: AsyncSession, settings: Settings, decision: MatchDecision) -> WorkItem:
    agency = await agencies.default_agency(session, slug=settings.match_review_agency or settings.default_agency)
    names = []
    for citizen_id in (decision.citizen_id, decision.candidate_citizen_id):
        citizen = await session.get(Citizen, citizen_id) if citizen_id else None
        names.append((citizen.display_name if citizen else None) or "(no name)")
    return await routing.create(
        session,
        channel=REVIEW_CHANNEL,
        kind=REVIEW_KIND,
        agency_id=agency.id,
        received_at=utcnow(),
        citizen_id=decision.citizen_id,
        sla_target_hours=settings.match_review_sla_hours,
        priority=25,
        context={
            "summary": f"Same person? {names[0]} / {names[1]}",
            "match_decision_id": str(decision.id),
            "probability": round(decision.probability or 0.0, 4),
        },
    )
