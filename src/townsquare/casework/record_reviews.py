"""The records team's review queue: two records the model could not decide on, side by side with the evidence,
for staff to say "the same person" (the two citizens are merged, undoably) or "different people" (the pair is
remembered and never offered again).

A review belongs to the agency its work item was queued for; its staff see and decide it. Opening one reads two
people's records, so it is audited on both and `read` commits that before the pair may be shown. Each decision
closes the work item and every other open review of the same two people; the decisions never commit (the route
does, once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.engagement import merges
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.matching.fields import FIELDS
from townsquare.matching.models import MatchDecision, MatchRejection, Outcome, SourceRecord
from townsquare.routing import answers
from townsquare.routing.models import OPEN_STATUSES, WorkItem
from townsquare.staff.auth import Principal

PAGE = 50


@dataclass(frozen=True)
class ReviewLine:
    """One pair waiting in the list."""

    decision_id: uuid.UUID
    names: tuple[str, str]
    probability: float
    waiting_since: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class Side:
    """One of the two people: the record in question and how many records they have in all."""

    citizen_id: uuid.UUID
    name: str
    source: str
    source_key: str
    received_at: datetime
    values: dict[str, str]
    records: int


@dataclass(frozen=True)
class Review:
    decision_id: uuid.UUID
    outcome: str
    probability: float
    weight: float
    model_version: int | None
    evidence: list[dict[str, Any]]
    left: Side
    right: Side
    fields: tuple[str, ...]
    decided_at: datetime | None
    reason: str


async def open_reviews(session: AsyncSession, *, me: Principal) -> list[ReviewLine]:
    """The pairs waiting for the caller's agencies, the longest-waiting first (by SLA)."""
    query = (
        select(MatchDecision, WorkItem)
        .join(WorkItem, WorkItem.id == MatchDecision.work_item_id)
        .where(MatchDecision.outcome == Outcome.review, WorkItem.status.in_(OPEN_STATUSES))
        .order_by(WorkItem.sla_due_at, MatchDecision.created_at)
        .limit(PAGE)
    )
    visible = me.visible()
    if visible is not None:
        query = query.where(WorkItem.agency_id.in_(visible))
    rows = (await session.execute(query)).all()
    ids = {c for d, _ in rows for c in (d.citizen_id, d.candidate_citizen_id) if c}
    names = await _names(session, ids)
    return [
        ReviewLine(
            d.id,
            (
                names.get(d.citizen_id, "?") if d.citizen_id else "?",
                names.get(d.candidate_citizen_id, "?") if d.candidate_citizen_id else "?",
            ),
            d.probability or 0.0,
            d.created_at,
            item.sla_due_at,
        )
        for d, item in rows
    ]


async def _names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Citizen.id, Citizen.display_name).where(Citizen.id.in_(ids)))
    return {i: n or "(no name)" for i, n in rows.all()}


async def in_scope(session: AsyncSession, *, me: Principal, decision_id: uuid.UUID) -> MatchDecision:
    """The review decision if its work is queued for one of the caller's agencies (else as if unknown)."""
    decision = await session.get(MatchDecision, decision_id)
    if decision is None or decision.work_item_id is None:
        raise not_found("Review")
    item = await session.get_one(WorkItem, decision.work_item_id)
    if not me.may_see(item.agency_id):
        raise not_found("Review")
    return decision


async def _side(session: AsyncSession, citizen_id: uuid.UUID, record_id: uuid.UUID) -> Side:
    citizen = await session.get_one(Citizen, citizen_id)
    record = await session.get_one(SourceRecord, record_id)
    total = len(
        list((await session.execute(select(SourceRecord.id).where(SourceRecord.citizen_id == citizen_id))).scalars())
    )
    values = {k: str(v) for k, v in record.fields.items() if k in FIELDS}
    return Side(
        citizen_id,
        citizen.display_name or "(no name)",
        record.source,
        record.source_key,
        record.received_at,
        values,
        total,
    )


async def read(session: AsyncSession, *, me: Principal, decision_id: uuid.UUID, purpose: str) -> Review:
    """A pair side by side with the model's evidence; audited on both people."""
    decision = await in_scope(session, me=me, decision_id=decision_id)
    if decision.citizen_id is None or decision.candidate_citizen_id is None or decision.candidate_record_id is None:
        raise not_found("Review")
    left = await _side(session, decision.citizen_id, decision.source_record_id)
    right = await _side(session, decision.candidate_citizen_id, decision.candidate_record_id)
    for citizen_id in (left.citizen_id, right.citizen_id):
        me.audit(session, action="record_review.read", subject_kind="match_decision", subject_id=str(decision.id),
                 citizen_id=citizen_id, purpose=purpose)  # fmt: skip
    await session.commit()  # the access log is durable before the pair is shown
    shown = tuple(f for f in FIELDS if f in left.values or f in right.values)
    return Review(
        decision.id,
        decision.outcome.value,
        decision.probability or 0.0,
        decision.weight or 0.0,
        decision.model_version,
        list(decision.evidence),
        left,
        right,
        shown,
        decision.decided_at,
        decision.reason,
    )


async def _open_for_pair(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> list[MatchDecision]:
    pair = or_(
        and_(MatchDecision.citizen_id == a, MatchDecision.candidate_citizen_id == b),
        and_(MatchDecision.citizen_id == b, MatchDecision.candidate_citizen_id == a),
    )
    query = select(MatchDecision).where(MatchDecision.outcome == Outcome.review, pair)
    return list((await session.execute(query)).scalars())


async def _settle(
    session: AsyncSession, me: Principal, pair: tuple[uuid.UUID, uuid.UUID], outcome: Outcome, reason: str
) -> None:
    """Record the staff decision on this review and every other open one of the same two people."""
    now = utcnow()
    for each in await _open_for_pair(session, *pair):
        each.outcome, each.decided_by_kind, each.decided_by_id = outcome, "staff", me.id
        each.decided_at, each.reason = now, reason
        if each.work_item_id is not None:
            said = "Same person: merged." if outcome is Outcome.confirmed else "Different people."
            await answers.done_elsewhere(session, item_id=each.work_item_id, staff_id=me.id, outcome=said)
    await session.flush()


def _reason(reason: str) -> str:
    text = " ".join(reason.split())[:500]
    if not text:
        raise invalid("Say why, for whoever reads this decision later.", FieldError("reason", "required"))
    return text


async def confirm(session: AsyncSession, *, me: Principal, decision_id: uuid.UUID, reason: str) -> uuid.UUID:
    """The same person: the record's citizen is merged into the one it was compared with; returns the merge id."""
    why = _reason(reason)
    decision = await in_scope(session, me=me, decision_id=decision_id)
    if decision.outcome is not Outcome.review or decision.citizen_id is None or decision.candidate_citizen_id is None:
        raise conflict("This pair was already decided.")
    merge = await merges.merge(
        session,
        survivor_id=decision.candidate_citizen_id,
        merged_id=decision.citizen_id,
        actor_kind="staff",
        actor_id=me.actor_id,
        reason=why,
        source="review",
    )
    await _settle(session, me, (decision.citizen_id, decision.candidate_citizen_id), Outcome.confirmed, why)
    return merge.id


async def reject(session: AsyncSession, *, me: Principal, decision_id: uuid.UUID, reason: str) -> None:
    """Different people: the pair is remembered so the model never offers it again."""
    why = _reason(reason)
    decision = await in_scope(session, me=me, decision_id=decision_id)
    if decision.outcome is not Outcome.review or decision.citizen_id is None or decision.candidate_citizen_id is None:
        raise conflict("This pair was already decided.")
    first, second = sorted((decision.citizen_id, decision.candidate_citizen_id))
    known = await session.execute(
        select(MatchRejection.id).where(
            MatchRejection.first_citizen_id == first, MatchRejection.second_citizen_id == second
        )
    )
    if known.first() is None:
        session.add(
            MatchRejection(first_citizen_id=first, second_citizen_id=second, decision_id=decision.id, staff_id=me.id)
        )
    await _settle(session, me, (first, second), Outcome.rejected, why)
    for citizen_id in (first, second):
        me.audit(session, action="record_review.reject", subject_kind="match_decision", subject_id=str(decision.id),
                 citizen_id=citizen_id, detail={"reason": why})  # fmt: skip
