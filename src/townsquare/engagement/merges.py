"""Merging two records of one person so that nothing is lost, and undoing a merge exactly.

A merge moves every row that names the merged citizen to the survivor (`merge_rows` says which, and keeps side by
side what a unique key forbids), records each moved row and every changed value in a `CitizenMerge`, and audits
it on both people's logs. An undo replays the record backwards and hands back what arrived since by the handle it
came from (`merge_attribution`). Never commits: the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import Citizen, CitizenMerge, CitizenStatus, Identity
from townsquare.clock import utcnow
from townsquare.engagement import merge_attribution, merge_rows
from townsquare.engagement.merge_rows import Rows
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.events import CitizensMerged, CitizensUnmerged, publish_after_commit
from townsquare.staff import service as staff

SOURCES = ("staff", "review", "verification", "matching")  # matching: a file deduplicated alone (a scratch base)
# The person fields two records may disagree on; quiet hours are one choice (their start and end go together).
CHOICES: dict[str, tuple[str, ...]] = {
    "display_name": ("display_name",),
    "given_name": ("given_name",),
    "family_name": ("family_name",),
    "language": ("language",),
    "preferred_channels": ("preferred_channels",),
    "quiet_hours": ("quiet_hours_start", "quiet_hours_end"),
}
_STATE = ("status", "merged_into_id", "updated_at")


async def merge(
    session: AsyncSession,
    *,
    survivor_id: uuid.UUID,
    merged_id: uuid.UUID,
    actor_kind: str,
    actor_id: str | None,
    reason: str,
    source: str,
    chosen: dict[str, str] | None = None,
) -> CitizenMerge:
    """Join `merged_id` to `survivor_id`; `chosen` maps a person field (see CHOICES) to "survivor" or "merged"."""
    if source not in SOURCES:
        raise invalid(
            "A merge comes from staff, a review, a verification or a file linked alone.",
            FieldError("source", "unknown"),
        )
    picks = _picks(chosen)
    survivor, merged = await _pair(session, survivor_id, merged_id)
    await session.flush()
    now = utcnow()
    identities = (await session.execute(select(Identity.id).where(Identity.citizen_id == merged.id))).scalars()
    moved: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for name, column in merge_rows.moving():
        rows = await merge_rows.rows_of(session, name, column, merged.id)
        clash = await merge_rows.clashing(session, rows, from_id=merged.id, to_id=survivor.id)
        done = await merge_rows.move_many(
            session, merge_rows.without(rows, clash), from_id=merged.id, to_id=survivor.id
        )
        moved += [done.as_dict()] if done.keys else []
        kept += [clash.as_dict()] if clash.keys else []
    fields, before, after = _settle(survivor, merged, picks, now)
    merged_before = {name: _dump(getattr(merged, name)) for name in _STATE}
    merged.status, merged.merged_into_id, merged.updated_at = CitizenStatus.merged, survivor.id, now
    record = CitizenMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind=actor_kind,
        actor_id=actor_id,
        reason=reason.strip(),
        source=source,
        created_at=now,
        detail={
            "moved": moved,
            "kept": kept,
            "fields": fields,
            "identities": [str(i) for i in identities],
            "survivor_before": before,
            "survivor_after": after,
            "merged_before": merged_before,
        },
    )
    session.add(record)
    await session.flush()
    _audit(session, record, CitizensMerged.name, actor_kind, actor_id, {"moved": _counts(moved), "kept": _counts(kept)})
    publish_after_commit(session, CitizensMerged(record.id, survivor.id, merged.id, source))
    return record


async def unmerge(
    session: AsyncSession, *, merge_id: uuid.UUID, actor_kind: str, actor_id: str | None, reason: str
) -> CitizenMerge:
    """Undo a merge: both people as they were, and what came since with the person whose handle it came from."""
    record = await session.get(CitizenMerge, merge_id, with_for_update=True)
    if record is None:
        raise not_found("Merge")
    await _undoable(session, record)
    survivor = await session.get_one(Citizen, record.survivor_id, with_for_update=True)
    merged = await session.get_one(Citizen, record.merged_id, with_for_update=True)
    await session.flush()
    detail = dict(record.detail)
    back: list[dict[str, Any]] = []
    for rows in merge_rows.flatten(detail["moved"]):
        clash = await merge_rows.clashing(session, rows, from_id=survivor.id, to_id=merged.id)
        if clash.keys:
            raise conflict(
                f"Some {rows.table.replace('_', ' ')} of the merged record clash with ones it has gained since; "
                "the merge cannot be undone as it is."
            )
        done = await merge_rows.move_many(session, rows, from_id=survivor.id, to_id=merged.id)
        back += [done.as_dict()] if done.keys else []
    since_rows = await merge_attribution.attributed(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        identities=[uuid.UUID(i) for i in detail["identities"]],
        since=record.created_at,
    )
    attributed: list[dict[str, Any]] = []
    stayed: list[dict[str, Any]] = []
    for rows in since_rows:
        clash = await merge_rows.clashing(session, rows, from_id=survivor.id, to_id=merged.id)
        done = await merge_rows.move_many(
            session, merge_rows.without(rows, clash), from_id=survivor.id, to_id=merged.id
        )
        attributed += [done.as_dict()] if done.keys else []
        stayed += [clash.as_dict()] if clash.keys else []
    left = _restore(survivor, merged, detail)
    now = utcnow()
    record.undone_at, record.undone_by, record.undo_reason = now, f"{actor_kind}:{actor_id or ''}"[:80], reason.strip()
    detail["undo"] = {"returned": back, "attributed": attributed, "stayed": stayed, "survivor_changed_since": left}
    record.detail = detail
    await session.flush()
    counts = {"returned": _counts(back), "attributed": _counts(attributed)}
    _audit(session, record, CitizensUnmerged.name, actor_kind, actor_id, counts)
    publish_after_commit(session, CitizensUnmerged(record.id, survivor.id, merged.id))
    return record


async def history(session: AsyncSession, *, citizen_id: uuid.UUID) -> list[CitizenMerge]:
    """Every merge the citizen took part in, either side, newest first."""
    stmt = select(CitizenMerge).where(or_(CitizenMerge.survivor_id == citizen_id, CitizenMerge.merged_id == citizen_id))
    return list((await session.execute(stmt.order_by(CitizenMerge.created_at.desc()))).scalars())


def moved(record: CitizenMerge, table: str) -> list[uuid.UUID]:
    """The ids of a table's rows the merge moved to the survivor."""
    groups = [Rows.from_dict(g) for g in record.detail.get("moved", []) if g["table"] == table]
    return [uuid.UUID(str(key[0])) for rows in groups for key in rows.keys]


async def _shift(
    session: AsyncSession, groups: list[Rows], *, from_id: uuid.UUID, to_id: uuid.UUID
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Move each group's rows that no unique key forbids; returns what moved and what was kept, as recorded."""
    moved: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for rows in groups:
        clash = await merge_rows.clashing(session, rows, from_id=from_id, to_id=to_id)
        done = await merge_rows.move_many(session, merge_rows.without(rows, clash), from_id=from_id, to_id=to_id)
        moved += [done.as_dict()] if done.keys else []
        kept += [clash.as_dict()] if clash.keys else []
    return moved, kept


def _picks(chosen: dict[str, str] | None) -> dict[str, str]:
    picks = dict(chosen or {})
    for key, side in picks.items():
        if key not in CHOICES or side not in ("survivor", "merged"):
            raise invalid(
                f"A choice names a person field ({', '.join(CHOICES)}) and a side (survivor or merged).",
                FieldError(f"chosen.{key}", "unknown field or side"),
            )
    return picks


async def _pair(session: AsyncSession, survivor_id: uuid.UUID, merged_id: uuid.UUID) -> tuple[Citizen, Citizen]:
    if survivor_id == merged_id:
        raise invalid("A person cannot be merged into themselves.", FieldError("merged_id", "same person"))
    survivor = await session.get(Citizen, survivor_id, with_for_update=True)
    merged = await session.get(Citizen, merged_id, with_for_update=True)
    if survivor is None or merged is None:
        raise not_found("Citizen")
    if survivor.status is CitizenStatus.merged:
        raise conflict(
            f"Citizen {survivor.id} was itself merged into {survivor.merged_into_id}; merge into that record instead."
        )
    if merged.status is CitizenStatus.merged:
        raise conflict(f"Citizen {merged.id} is already merged into {merged.merged_into_id}.")
    return survivor, merged


async def _undoable(session: AsyncSession, record: CitizenMerge) -> None:
    """Refuse an undo that cannot give both people back as they were."""
    if record.undone_at is not None:
        raise conflict(f"Merge {record.id} was already undone on {record.undone_at:%Y-%m-%d %H:%M} UTC.")
    people = (record.survivor_id, record.merged_id)
    in_force = select(CitizenMerge).where(
        CitizenMerge.id != record.id,
        CitizenMerge.undone_at.is_(None),
        or_(CitizenMerge.survivor_id.in_(people), CitizenMerge.merged_id.in_(people)),
    )
    later = [
        m
        for m in (await session.execute(in_force)).scalars()
        if (m.created_at, str(m.id)) > (record.created_at, str(record.id))
    ]
    for other in later:
        if other.merged_id == record.survivor_id:
            raise conflict(
                f"Citizen {record.survivor_id} was itself merged into {other.survivor_id} later "
                f"(merge {other.id}); undo that merge first."
            )
    if later:
        first = max(later, key=lambda m: (m.created_at, str(m.id)))
        raise conflict(
            f"A later merge (merge {first.id}, of {first.merged_id} into {first.survivor_id}) involves the same "
            "people and still holds; undo it first."
        )


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _settle(
    survivor: Citizen, merged: Citizen, picks: dict[str, str], now: datetime
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The survivor's person fields after the merge: its own, unless empty (filled from the merged record) or
    `picks` takes the merged one's. Returns the differing values side by side, and the survivor before and after."""
    fields: dict[str, Any] = {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for choice, columns in CHOICES.items():
        theirs = [_dump(getattr(survivor, c)) for c in columns]
        other = [_dump(getattr(merged, c)) for c in columns]
        if theirs == other or all(_empty(v) for v in other):
            continue
        filled = all(_empty(v) for v in theirs)
        side = "merged" if filled else picks.get(choice, "survivor")
        if not filled:
            fields[choice] = {"survivor": _pack(theirs), "merged": _pack(other), "kept": side}
        if side == "merged":
            for column, value in zip(columns, other, strict=True):
                before[column], after[column] = _dump(getattr(survivor, column)), value
                setattr(survivor, column, _load(column, value))
    if before:
        before["updated_at"], after["updated_at"] = _dump(survivor.updated_at), _dump(now)
        survivor.updated_at = now
    return fields, before, after


def _restore(survivor: Citizen, merged: Citizen, detail: dict[str, Any]) -> list[str]:
    """Give both citizen rows their values from before the merge; returns the survivor fields changed since (kept)."""
    before, after = detail["survivor_before"], detail["survivor_after"]
    changed = [c for c in before if c != "updated_at" and _dump(getattr(survivor, c)) != after[c]]
    for column in before:
        if column != "updated_at" and column not in changed:
            setattr(survivor, column, _load(column, before[column]))
    if before and not changed and _dump(survivor.updated_at) == after["updated_at"]:
        survivor.updated_at = _load("updated_at", before["updated_at"])
    for column, value in detail["merged_before"].items():
        setattr(merged, column, _load(column, value))
    return changed


def _pack(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _dump(value: Any) -> Any:
    """A citizen column's value as JSON keeps it, exactly."""
    if isinstance(value, datetime | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, CitizenStatus):
        return value.value
    return list(value) if isinstance(value, list) else value


def _load(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in ("quiet_hours_start", "quiet_hours_end"):
        return time.fromisoformat(value)
    if column == "updated_at":
        return datetime.fromisoformat(value)
    if column == "merged_into_id":
        return uuid.UUID(value)
    if column == "status":
        return CitizenStatus(value)
    return list(value) if isinstance(value, list) else value


def _counts(groups: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for group in groups:
        counts[group["table"]] = counts.get(group["table"], 0) + len(group["rows"])
    return counts


def _audit(
    session: AsyncSession, record: CitizenMerge, action: str, actor_kind: str, actor_id: str | None, counts: Any
) -> None:
    """One entry on each person's log (ids and counts only: the values themselves stay on the merge record)."""
    for citizen_id in (record.survivor_id, record.merged_id):
        staff.audit(
            session,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            subject_kind="citizen_merge",
            subject_id=str(record.id),
            citizen_id=citizen_id,
            detail={
                "merge_id": str(record.id),
                "survivor_id": str(record.survivor_id),
                "merged_id": str(record.merged_id),
                "source": record.source,
                **counts,
            },
        )


__all__ = ["CHOICES", "SOURCES", "history", "merge", "moved", "unmerge"]
