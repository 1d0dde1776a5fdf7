"""Scoring one incoming record against the people already known, in the transactional database.

Candidates are the source records that share every value of at least one blocking rule (one indexed query);
the record is scored against each with the model in force, and each citizen is represented by their
best-scoring record. Pairs staff rejected are left out. Reads only; never writes or commits.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.matching.comparisons import BLOCKING_RULES
from townsquare.matching.fields import COLUMNS
from townsquare.matching.model import MatchModel, score, vetoed
from townsquare.matching.models import MatchRejection, SourceRecord
from townsquare.matching.nicknames import formal

EXPLAINED = 3  # the most likely citizens get their field-by-field evidence; the rest only a score
MAX_CANDIDATES = 1000  # a bound on the work for one record, far above what the blocking rules find for a person
# A rule made only of names is left out when the names are so common that its block would exceed this many
# records (the model's value frequencies times the base's size): a frequent name alone is weak evidence, and the
# person's date of birth, address and contacts find them through the other rules.
MAX_NAME_BLOCK = 200
SIZE_SECONDS = 300.0

Person = Mapping[str, str | None]


@dataclass(frozen=True)
class Match:
    """A citizen the record may be, through the citizen's record that scored best."""

    citizen_id: uuid.UUID
    record_id: uuid.UUID
    probability: float
    weight: float
    evidence: list[dict[str, Any]]
    vetoed: bool = False  # given name and date of birth both disagree: never linked without a person


_size: dict[str, tuple[float, float]] = {}  # database url → (records, when read)


async def base_size(session: AsyncSession) -> float:
    """How many source records the base holds, read at most every few minutes (PostgreSQL's estimate)."""
    engine = session.bind
    key = str(engine.engine.url) if engine is not None else ""
    known = _size.get(key)
    now = time.monotonic()
    if known is not None and now - known[1] < SIZE_SECONDS:
        return known[0]
    if engine is not None and engine.dialect.name == "postgresql":
        estimate = text("SELECT greatest(reltuples, 0) FROM pg_class WHERE relname = 'source_records'")
        size = float((await session.execute(estimate)).scalar_one_or_none() or 0)
    else:
        size = float((await session.execute(select(func.count()).select_from(SourceRecord))).scalar_one())
    _size[key] = (size, now)
    return size


# A model's given-name table (by identity, kept alive here) → its canonical frequencies. By the table, not the
# model: the model in force with the settings' thresholds is a new object sharing the same table at every read.
_canonical: dict[int, tuple[dict[str, float], dict[str, float]]] = {}


def _canonical_frequencies(given: dict[str, float]) -> dict[str, float]:
    """Given-name frequencies summed by the full form each name stands for (`bill` counts for `william`),
    computed once per table (thousands of names: far too many to look at for every record)."""
    kept = _canonical.get(id(given))
    if kept is not None and kept[0] is given:
        return kept[1]
    out: dict[str, float] = {}
    for name, share in given.items():
        key = " ".join(formal(w) for w in name.split())
        out[key] = out.get(key, 0.0) + share
    if len(_canonical) >= 8:
        _canonical.clear()
    _canonical[id(given)] = (given, out)
    return out


def name_blocks(model: MatchModel, person: Person, size: float) -> dict[tuple[str, ...], float]:
    """The expected number of records each rule made only of names would find for the person."""
    given = model.frequencies.get("given_name", {})
    family = model.frequencies.get("family_name", {})
    g, f = person.get("given_name") or "", person.get("family_name") or ""
    canonical = _canonical_frequencies(given)
    return {
        ("given_name", "family_name"): size * given.get(g, 1.0) * family.get(f, 1.0),
        ("names",): size * (given.get(g, 1.0) * family.get(f, 1.0) + given.get(f, 0.0) * family.get(g, 0.0)),
        ("family_name", "given_name_canonical"): size
        * family.get(f, 1.0)
        * canonical.get(person.get("given_name_canonical") or "", 1.0),
    }


def _conditions(person: Person, skip: set[tuple[str, ...]]) -> list[Any]:
    rules = [rule for rule in BLOCKING_RULES if all(person.get(c) for c in rule) and rule not in skip]
    return [and_(*(getattr(SourceRecord, c) == person[c] for c in rule)) for rule in rules]


async def candidates(
    session: AsyncSession, person: Person, model: MatchModel | None = None
) -> list[tuple[uuid.UUID, uuid.UUID, dict[str, str | None]]]:
    """(record id, citizen id, folded columns) of every linked record sharing a blocking rule with `person`."""
    skip: set[tuple[str, ...]] = set()
    if model is not None:
        blocks = name_blocks(model, person, await base_size(session))
        skip = {rule for rule, expected in blocks.items() if expected > MAX_NAME_BLOCK}
    conditions = _conditions(person, skip)
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
    probability, total, veto = scores.probability, scores.total, vetoed(model, scores)
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
            bool(veto[i]),
        )
        for n, (citizen_id, i) in enumerate(ranked)
    ]


async def best_matches(
    session: AsyncSession, model: MatchModel, person: Person, *, citizen_id: uuid.UUID | None = None
) -> list[Match]:
    """The citizens `person` may be, most likely first; `citizen_id` (the record's own, if it has one) and the
    citizens staff said are not that one are left out."""
    found = await candidates(session, person, model)
    if citizen_id is not None:
        excluded = await rejected_with(session, citizen_id) | {citizen_id}
        found = [row for row in found if row[1] not in excluded]
    return rank(model, person, found)
