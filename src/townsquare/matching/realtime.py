"""Scoring one incoming record against the people already known, in the transactional database.

Candidates are the source records that share every value of at least one blocking rule (one indexed query);
the record is scored against each with the model in force, and each citizen is represented by their
best-scoring record. Pairs staff rejected are left out. Reads only; never writes or commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.matching.comparisons import BLOCKING_RULES
from townsquare.matching.fields import COLUMNS
from townsquare.matching.model import MatchModel, score
from townsquare.matching.models import MatchRejection, SourceRecord

EXPLAINED = 3  # the most likely citizens get their field-by-field evidence; the rest only a score
MAX_CANDIDATES = 1000  # a bound on the work for one record, far above what the blocking rules find for a person

Person = Mapping[str, str | None]


@dataclass(frozen=True)
class Match:
    """A citizen the record may be, through the citizen's record that scored best."""

    citizen_id: uuid.UUID
    record_id: uuid.UUID
    probability: float
    weight: float
    evidence: list[dict[str, Any]]


def _conditions(person: Person) -> list[Any]:
    rules = [rule for rule in BLOCKING_RULES if all(person.get(c) for c in rule)]
    return [and_(*(getattr(SourceRecord, c) == person[c] for c in rule)) for rule in rules]


async def candidates(session: AsyncSession, person: Person) -> list[tuple[uuid.UUID, uuid.UUID, dict[str, str | None]]]:
    """(record id, citizen id, folded columns) of every linked record sharing a blocking rule with `person`."""
    conditions = _conditions(person)
    if not conditions:
        return []
    columns = [getattr(SourceRecord, c) for c in COLUMNS]
    query = (
        select(SourceRecord.id, SourceRecord.citizen_id, *columns)
        .where(or_(*conditions), SourceRecord.citizen_id.is_not(None))
        .limit(MAX_CANDIDATES)
    )
    rows = (await session.execute(query)).all()
    return [(row[0], row[1], dict(zip(COLUMNS, row[2:], strict=True))) for row in rows]


async def rejected_with(session: AsyncSession, citizen_id: uuid.UUID) -> set[uuid.UUID]:
    """Citizens staff said are not `citizen_id`."""
    rows = await session.execute(
        select(MatchRejection.first_citizen_id, MatchRejection.second_citizen_id).where(
            or_(MatchRejection.first_citizen_id == citizen_id, MatchRejection.second_citizen_id == citizen_id)
        )
    )
    return {b if a == citizen_id else a for a, b in rows.all()}


def rank(
    model: MatchModel, person: Person, found: Sequence[tuple[uuid.UUID, uuid.UUID, Mapping[str, str | None]]]
) -> list[Match]:
    """Each candidate citizen once, through their best-scoring record, most likely first."""
    if not found:
        return []
    left = {c: [person.get(c)] * len(found) for c in COLUMNS}
    right = {c: [row[2].get(c) for row in found] for c in COLUMNS}
    scores = score(model, left, right)
    probability, total = scores.probability, scores.total
    best: dict[uuid.UUID, int] = {}
    for i, (_, citizen_id, _) in enumerate(found):
        if citizen_id not in best or total[i] > total[best[citizen_id]]:
            best[citizen_id] = i
    ranked = sorted(best.items(), key=lambda pair: (-total[pair[1]], str(pair[0])))
    return [
        Match(
            citizen_id,
            found[i][0],
            float(probability[i]),
            float(total[i]),
            scores.evidence(model, i) if n < EXPLAINED else [],
        )
        for n, (citizen_id, i) in enumerate(ranked)
    ]


async def best_matches(
    session: AsyncSession, model: MatchModel, person: Person, *, citizen_id: uuid.UUID | None = None
) -> list[Match]:
    """The citizens `person` may be, most likely first; `citizen_id` (the record's own, if it has one) and the
    citizens staff said are not that one are left out."""
    found = await candidates(session, person)
    if citizen_id is not None:
        excluded = await rejected_with(session, citizen_id) | {citizen_id}
        found = [row for row in found if row[1] not in excluded]
    return rank(model, person, found)
