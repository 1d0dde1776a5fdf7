"""Staff merging two records of one person on the desk, seeing past merges and undoing one.

Only supervisors and administrators merge or undo; each takes a reason. The work itself is
`engagement.merges` (recorded, audited on both people's logs); this module checks the form, and turns merge
records into read models for the citizen page. Never commits (the route does).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import CitizenMerge
from townsquare.engagement import merges
from townsquare.errors import FieldError, forbidden, invalid, not_found
from townsquare.staff.auth import Principal
from townsquare.staff.models import SUPERVISING, StaffAccount

MAX_REASON = 1000
FIELDS = tuple(merges.CHOICES)


@dataclass(frozen=True)
class FieldValues:
    """A person field the two records disagreed on: both values, and which one the survivor kept."""

    field: str
    survivor: str
    merged: str
    kept: str


@dataclass(frozen=True)
class MergeView:
    """One merge as the citizen page lists it."""

    id: uuid.UUID
    created_at: datetime
    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    source: str
    actor: str
    reason: str
    fields: list[FieldValues]
    moved: dict[str, int]
    kept: dict[str, int]
    undone_at: datetime | None
    undone_by: str | None
    undo_reason: str | None
    in_force: bool


def may_merge(me: Principal) -> bool:
    """Whether this caller may merge records and undo merges: a supervisor or an administrator."""
    return me.kind == "staff" and me.role in SUPERVISING


def _supervisor(me: Principal) -> None:
    if not may_merge(me):
        raise forbidden("Merging records is for supervisors and administrators.")


def _reason(reason: str, field: str) -> str:
    text = reason.strip()
    if not text:
        raise invalid("Say why, for the record and for the people concerned.", FieldError(field, "required"))
    if len(text) > MAX_REASON:
        raise invalid(f"Keep the reason under {MAX_REASON} characters.", FieldError(field, "too long"))
    return text


async def merge_into(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, other: str, reason: str, chosen: dict[str, str]
) -> CitizenMerge:
    """Merge the citizen whose id is `other` into `citizen_id` (the survivor), for the reason given."""
    _supervisor(me)
    try:
        merged_id = uuid.UUID(other.strip())
    except ValueError:
        raise invalid("Give the other record's id, as shown on its page.", FieldError("other", "not an id")) from None
    picks = {k: v for k, v in chosen.items() if k in FIELDS and v == "merged"}
    return await merges.merge(
        session,
        survivor_id=citizen_id,
        merged_id=merged_id,
        actor_kind="staff",
        actor_id=me.actor_id,
        reason=_reason(reason, "reason"),
        source="staff",
        chosen=picks,
    )


async def undo(
    session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, merge_id: uuid.UUID, reason: str
) -> CitizenMerge:
    """Undo a merge this citizen took part in, for the reason given."""
    _supervisor(me)
    record = await session.get(CitizenMerge, merge_id)
    if record is None or citizen_id not in (record.survivor_id, record.merged_id):
        raise not_found("Merge")
    return await merges.unmerge(
        session, merge_id=merge_id, actor_kind="staff", actor_id=me.actor_id, reason=_reason(reason, "undo_reason")
    )


async def history(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID) -> list[MergeView]:
    """The merges this citizen took part in, newest first (empty for staff who may not merge)."""
    if not may_merge(me):
        return []
    records = await merges.history(session, citizen_id=citizen_id)
    staff_ids = set()
    for record in records:
        for kind_and_id in (f"{record.actor_kind}:{record.actor_id or ''}", record.undone_by or ""):
            kind, _, actor = kind_and_id.partition(":")
            if kind == "staff" and _is_id(actor):
                staff_ids.add(uuid.UUID(actor))
    query = select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(staff_ids))
    names = {f"staff:{i}": name for i, name in (await session.execute(query)).all()} if staff_ids else {}
    return [_view(record, names) for record in records]


def _is_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _text(value: Any, field: str) -> str:
    """A field's value as the page shows it: quiet hours as a span, channels as a list, nothing as a dash."""
    if value is None or value == [] or value == "":
        return "-"
    if isinstance(value, list):
        return (" to " if field == "quiet_hours" else ", ").join(_text(v, "") for v in value)
    return str(value)


def _counts(groups: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for group in groups:
        counts[str(group["table"])] = counts.get(str(group["table"]), 0) + len(group["rows"])
    return counts


def _who(actor: str, names: dict[str, str]) -> str:
    """A member of staff's name; otherwise the kind of actor (citizen, system), which the page puts in words."""
    return names.get(actor, actor.partition(":")[0])


def _view(record: CitizenMerge, names: dict[str, str]) -> MergeView:
    detail = record.detail or {}
    fields = [
        FieldValues(name, _text(v.get("survivor"), name), _text(v.get("merged"), name), str(v.get("kept", "survivor")))
        for name, v in (detail.get("fields") or {}).items()
    ]
    return MergeView(
        id=record.id,
        created_at=record.created_at,
        survivor_id=record.survivor_id,
        merged_id=record.merged_id,
        source=record.source,
        actor=_who(f"{record.actor_kind}:{record.actor_id or ''}", names),
        reason=record.reason,
        fields=fields,
        moved=_counts(detail.get("moved") or []),
        kept=_counts(detail.get("kept") or []),
        undone_at=record.undone_at,
        undone_by=_who(record.undone_by, names) if record.undone_by else None,
        undo_reason=record.undo_reason,
        in_force=record.undone_at is None,
    )
