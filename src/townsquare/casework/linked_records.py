"""A person's linked records for staff: every record a system sent about them, and for each the decision that
linked it — by the model (with its probability and each field's evidence), by staff after review, or because
the record was already theirs. The read is written to the access log and committed before it may be shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.matching.comparisons import COMPARISONS
from townsquare.matching.fields import FIELDS
from townsquare.matching.models import MatchDecision, SourceRecord
from townsquare.staff.auth import Principal

LIMIT = 200


@dataclass(frozen=True)
class LinkedRecord:
    record_id: uuid.UUID
    source: str
    source_key: str
    received_at: datetime
    values: dict[str, str]
    outcome: str | None
    probability: float | None
    decided_by: str
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class LinkedRecords:
    citizen_id: uuid.UUID
    name: str
    records: list[LinkedRecord]


def field_labels() -> dict[str, str]:
    """Staff-facing names of the compared fields (the page translates them)."""
    return {c.name: c.label for c in COMPARISONS}


async def of_citizen(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, purpose: str) -> LinkedRecords:
    """The person's records, newest first, each with its latest decision; audited."""
    citizen = await citizens.get(session, citizen_id=citizen_id)
    rows = (
        await session.execute(
            select(SourceRecord)
            .where(SourceRecord.citizen_id == citizen.id)
            .order_by(SourceRecord.received_at.desc())
            .limit(LIMIT)
        )
    ).scalars()
    records = list(rows)
    decisions: dict[uuid.UUID, MatchDecision] = {}
    if records:
        found = await session.execute(
            select(MatchDecision)
            .where(MatchDecision.source_record_id.in_([r.id for r in records]))
            .order_by(MatchDecision.created_at, MatchDecision.id)
        )
        for made in found.scalars():  # the record's own decision is its first (a later one pairs two people)
            decisions.setdefault(made.source_record_id, made)
    me.audit(session, action="linked_records.read", subject_kind="citizen", subject_id=str(citizen.id),
             citizen_id=citizen.id, purpose=purpose)  # fmt: skip
    await session.commit()
    out = []
    for record in records:
        decision = decisions.get(record.id)
        out.append(
            LinkedRecord(
                record.id,
                record.source,
                record.source_key,
                record.received_at,
                {k: str(v) for k, v in record.fields.items() if k in FIELDS},
                decision.outcome.value if decision else None,
                decision.probability if decision else None,
                decision.decided_by_kind if decision else "",
                list(decision.evidence) if decision else [],
            )
        )
    return LinkedRecords(citizen.id, citizen.display_name or "", out)
