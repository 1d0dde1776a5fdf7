"""Taking in one source record: kept as received, scored against the people known, and given to a citizen.

Above the model's link threshold the record joins its best match; between the thresholds it becomes a
citizen of its own and the pair is left for staff to review; below, a citizen of its own. A record that
already has its person (a later version of a record from the same source, or a caller who knows whose it
is) joins them, and a strong match elsewhere is left for review, never merged by the model. The same record
sent twice is one row. Every outcome is a stored decision with its evidence. Never commits.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, CitizenStatus
from townsquare.clock import utcnow
from townsquare.matching import fields
from townsquare.matching.model import MatchModel
from townsquare.matching.models import MatchDecision, Outcome, SourceRecord
from townsquare.matching.realtime import Match, best_matches
from townsquare.places import service as places


@dataclass(frozen=True)
class TakenIn:
    """What became of a record: its row, its citizen, the decision and whether it was already known."""

    record: SourceRecord
    citizen_id: uuid.UUID
    decision: MatchDecision | None
    best: Match | None
    repeated: bool = False
    also: list[Match] = field(default_factory=list)  # other people the record would link to as surely


def digest(fields_: Mapping[str, object]) -> str:
    """SHA-256 of a record's fields, keys sorted: the same record sent twice has the same digest."""
    text = json.dumps({k: fields_[k] for k in sorted(fields_)}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _cut(person: Mapping[str, str | None]) -> dict[str, str | None]:
    """Each folded value cut to its column's length (the start of a long street name still matches)."""
    table = SourceRecord.__table__
    return {k: (v[: table.c[k].type.length] if v is not None else None) for k, v in person.items()}  # type: ignore[attr-defined]


async def _as_registered(session: AsyncSession, kept: Mapping[str, str]) -> dict[str, str]:
    """The record's civic address as the address register writes it (a typo or an abbreviation read as the one
    address it means), and the register's postal code when the record has none; nothing when unsure. What is
    compared only: the record itself is kept as received."""
    street = kept.get("street")
    if not street:
        return {}
    place = await places.match(session, text=f"{kept.get('street_number', '')} {street}".strip())
    if place is None:
        return {}
    out: dict[str, str] = {}
    number = places.house_number(place.normalised)
    if number is not None:
        out |= {"street_number": number, "street": place.normalised[len(number) + 1 :]}
    if not kept.get("postcode") and place.zipcode:
        out["postcode"] = place.zipcode
    return out


async def _earlier(
    session: AsyncSession, source: str, source_key: str, sha: str
) -> tuple[SourceRecord | None, uuid.UUID | None]:
    """This very record if it was kept before (same digest), and the citizen the latest earlier version of the
    record belongs to: one statement, of at most two rows (the same record first, then the newest linked one)."""
    same = SourceRecord.digest == sha
    query = (
        select(SourceRecord)
        .where(
            SourceRecord.source == source,
            SourceRecord.source_key == source_key,
            or_(same, SourceRecord.citizen_id.is_not(None)),
        )
        .order_by(case((same, 0), else_=1), SourceRecord.received_at.desc())
        .limit(2)
    )
    rows = list((await session.execute(query)).scalars())
    existing = rows[0] if rows and rows[0].digest == sha else None
    owners = [row.citizen_id for row in rows if row is not existing and row.citizen_id is not None]
    return existing, owners[0] if owners else None


async def _new_citizen(session: AsyncSession, raw: Mapping[str, object]) -> Citizen:
    given = str(raw.get("given_name") or "").strip()[:100] or None
    family = str(raw.get("family_name") or "").strip()[:100] or None
    display = " ".join(p for p in (given, family) if p) or None
    return await citizens.create(
        session, display_name=display, given_name=given, family_name=family, status=CitizenStatus.provisional
    )


async def take_in(
    session: AsyncSession,
    model: tuple[int, MatchModel],
    *,
    source: str,
    source_key: str,
    raw: Mapping[str, object],
    region: str,
    citizen_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    unlinked_citizen_id: uuid.UUID | None = None,
    reviewable: bool = True,
    household_rule: bool = True,
) -> TakenIn:
    """Keep `raw` (field → value, see `matching.fields`) from `source` and decide whose it is.

    `citizen_id`: whose the record already is. `unlinked_citizen_id`: who it belongs to unless the model links
    it elsewhere (instead of a new citizen). `reviewable` False: a doubtful pair is not left for staff (a record
    too thin to be worth a person's time, such as a phone number alone). `household_rule`: a pair whose given
    names and dates of birth both disagree is never linked by the model, only offered for review (relatives
    share an address, a phone and a family name)."""
    version, matcher = model
    kept = {k: str(v).strip() for k, v in raw.items() if v is not None and str(v).strip()}  # as text, as received
    sha = digest(kept)
    existing, known_owner = await _earlier(session, source, source_key, sha)
    if existing is not None and existing.citizen_id is not None:
        return TakenIn(existing, existing.citizen_id, None, None, repeated=True)
    person = _cut(fields.person(kept | await _as_registered(session, kept), region=region))
    owner = citizen_id or known_owner
    matches = await best_matches(session, matcher, person, citizen_id=owner)
    thresholds = matcher.thresholds
    # Whom the model may join it to: the household rule holds back relatives, however high they score.
    eligible = [m for m in matches if not (m.vetoed and household_rule)]
    first = eligible[0] if eligible else None
    if owner is not None:  # theirs by proof: flagged only when it looks like someone else, not a relative
        best = first
        flagged = reviewable and best is not None and best.probability >= thresholds.review
        outcome, chosen = (Outcome.review if flagged else Outcome.separate), owner
    elif first is not None and first.probability >= thresholds.link:
        best, outcome, chosen = first, Outcome.linked, first.citizen_id
    else:
        best = matches[0] if matches else None  # a relative above the link threshold is worth a person's look
        doubtful = reviewable and best is not None and best.probability >= thresholds.review
        outcome = Outcome.review if doubtful else Outcome.separate
        chosen = unlinked_citizen_id or (await _new_citizen(session, kept)).id
    record = SourceRecord(
        source=source,
        source_key=source_key,
        digest=sha,
        fields=kept,
        received_at=received_at or utcnow(),
        citizen_id=chosen,
        **person,
    )
    session.add(record)
    await session.flush()
    decision = MatchDecision(
        source_record_id=record.id,
        citizen_id=chosen,
        candidate_citizen_id=best.citizen_id if best else None,
        candidate_record_id=best.record_id if best else None,
        outcome=outcome,
        probability=best.probability if best else None,
        weight=best.weight if best else None,
        evidence=best.evidence if best else [],
        model_version=version,
        decided_at=utcnow() if outcome is not Outcome.review else None,
    )
    session.add(decision)
    await session.flush()
    also = [m for m in eligible if m.citizen_id != chosen and m.probability >= thresholds.link]
    return TakenIn(record, chosen, decision, best, also=also)


async def current_citizens(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each citizen id to the citizen it stands for today (following merges)."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    for citizen_id in ids:
        current = await session.get_one(Citizen, citizen_id)
        while current.merged_into_id is not None:
            current = await session.get_one(Citizen, current.merged_into_id)
        out[citizen_id] = current.id
    return out


async def all_records(session: AsyncSession) -> tuple[dict[str, list[str | None]], list[str]]:
    """Every source record's folded columns and id, to train the model on."""
    names = list(fields.COLUMNS)
    rows = (await session.execute(select(SourceRecord.id, *(getattr(SourceRecord, c) for c in names)))).all()
    return {c: [row[i + 1] for row in rows] for i, c in enumerate(names)}, [str(row[0]) for row in rows]
