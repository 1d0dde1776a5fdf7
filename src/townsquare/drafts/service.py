"""Application drafts kept on the server: started, resumed on any device, saved field by field, submitted.

Never commits (the caller owns the transaction) and never silently drops a person's answer: a value that
cannot be merged is returned as a conflict for the person to decide.

The merge rule. A draft has a `version` and, per field, `field_versions[field]`: the draft version at which
that field last changed. A device saves `changes` together with `base_version`, the draft version its copy
came from. Under a row lock, each changed field is treated on its own:

- its sent value equals the stored value (JSON-equal): nothing to do, whatever the versions;
- else `field_versions[field] <= base_version` (the device saw the latest value of that field): applied;
- else the field changed since the device's copy, to something else: a conflict, reported with the stored
  value (`their_value`) and the sent value (`your_value`); the stored value is kept.

A save that applies at least one field increments the draft's `version` once, and every field it applied gets
that new version. So two devices editing different fields from the same base both land, and the same field
edited to different values is shown to the person instead of being lost. A device must take the returned
`version` as its next `base_version`, otherwise its own earlier saves look like someone else's. `step` (the
page of the form) is last-writer-wins and does not change the version.

Every applied field is attributed to the save's `author` (`field_authors`): the person, or a member of staff
filling the form in with her. Once a draft is shared with staff (`shared_at`), each applied field is also an
audit-log row naming who changed which field (never the value). A save that applied something, and a draft sent
as a case, publish `DraftChanged` after commit, so whoever shows the draft live can fetch it again.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service, ServiceAttribute
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.drafts.models import Draft
from townsquare.errors import FieldError, conflict, invalid, not_found
from townsquare.events import DraftChanged, publish_after_commit
from townsquare.staff import service as staff

MAX_FIELDS = 200
MAX_FIELD_NAME_CHARS = 100
MAX_STRING_CHARS = 20_000
MAX_VALUE_JSON_CHARS = 100_000
MAX_RECENT = 50
CITIZEN = "citizen"  # the author of a change the person made herself
CHANGED = "draft.answer_changed"  # the audit action of one field changed in a shared draft


def staff_author(staff_id: uuid.UUID) -> str:
    """The author of a change a member of staff made while filling the form in with the person."""
    return f"staff:{staff_id}"


def staff_of(author: object) -> uuid.UUID | None:
    """The member of staff an author names, or None for the person herself (or anything unreadable)."""
    if not isinstance(author, str) or not author.startswith("staff:"):
        return None
    try:
        return uuid.UUID(author.removeprefix("staff:"))
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class FieldConflict:
    """A field changed elsewhere since the sender's copy: `their_value` is stored, `your_value` was sent."""

    field: str
    their_value: Any
    your_value: Any


@dataclasses.dataclass
class SaveResult:
    """The draft after the merge, the fields this save applied, and the fields left for the person to decide."""

    draft: Draft
    applied: list[str] = dataclasses.field(default_factory=list)
    conflicts: list[FieldConflict] = dataclasses.field(default_factory=list)


def _canonical(value: Any) -> str:
    """A JSON text that is equal for equal JSON values (so 1 and True, or key order, never compare equal)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max([len(str(k)) for k in value] + [_longest_string(v) for v in value.values()], default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0


def _check_changes(changes: dict[str, Any], *, stored: dict[str, Any]) -> None:
    """422 unless the changes are few enough, named sensibly, JSON values and of a bounded size."""
    if not isinstance(changes, dict):
        raise invalid("Changes must be an object of field names and values.")
    if len(changes) > MAX_FIELDS:
        raise invalid(f"A draft has at most {MAX_FIELDS} fields; {len(changes)} were sent.")
    errors: list[FieldError] = []
    for name, value in changes.items():
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_FIELD_NAME_CHARS:
            errors.append(FieldError("changes", f"A field name must be 1 to {MAX_FIELD_NAME_CHARS} characters."))
            continue
        try:
            text = _canonical(value)
        except (TypeError, ValueError):
            errors.append(FieldError(f"changes.{name}", "This value is not plain text, a number, a list or an object."))
            continue
        if _longest_string(value) > MAX_STRING_CHARS:
            errors.append(FieldError(f"changes.{name}", f"Text is limited to {MAX_STRING_CHARS:,} characters."))
        elif len(text) > MAX_VALUE_JSON_CHARS:
            errors.append(FieldError(f"changes.{name}", "This value is too large to keep in a draft."))
    if errors:
        raise invalid("Some answers cannot be kept in the draft.", *errors)
    if len(stored.keys() | changes.keys()) > MAX_FIELDS:
        raise invalid(f"A draft has at most {MAX_FIELDS} fields.")


async def _load(session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID, lock: bool) -> Draft:
    query = select(Draft).where(Draft.id == draft_id, Draft.citizen_id == citizen_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    draft = (await session.execute(query)).scalar_one_or_none()
    if draft is None:
        raise not_found("Draft", "No application draft of yours matches that identifier.")
    return draft


def _refuse_if_submitted(draft: Draft, doing: str) -> None:
    if draft.submitted_at is not None:
        raise conflict(f"This application has already been sent, so it can no longer be {doing}.")


async def start_or_resume(session: AsyncSession, *, citizen_id: uuid.UUID, service_id: uuid.UUID) -> Draft:
    """The citizen's open (unsubmitted) draft for the service, most recently changed, or a new empty one."""
    # Locking the citizen makes two devices starting at the same moment meet one draft, not two (PostgreSQL;
    # on SQLite write transactions already take turns).
    citizen = await session.execute(select(Citizen.id).where(Citizen.id == citizen_id).with_for_update())
    if citizen.scalar_one_or_none() is None:
        raise not_found("Citizen")
    if (await session.get(Service, service_id)) is None:
        raise not_found("Service")
    query = (
        select(Draft)
        .where(Draft.citizen_id == citizen_id, Draft.service_id == service_id, Draft.submitted_at.is_(None))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(1)
    )
    draft = (await session.execute(query)).scalar_one_or_none()
    if draft is None:
        draft = Draft(citizen_id=citizen_id, service_id=service_id, answers={}, field_versions={}, version=0, step=0)
        session.add(draft)
        await session.flush()
    return draft


async def get(session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID) -> Draft:
    """One of the citizen's drafts; 404 if it does not exist or belongs to someone else."""
    return await _load(session, draft_id=draft_id, citizen_id=citizen_id, lock=False)


async def save(
    session: AsyncSession,
    *,
    draft_id: uuid.UUID,
    citizen_id: uuid.UUID,
    base_version: int,
    changes: dict[str, Any],
    step: int | None = None,
    author: str = CITIZEN,
) -> SaveResult:
    """Merge a device's changes into the draft field by field (see the module docstring for the rule); each
    applied field is attributed to `author`."""
    if step is not None and step < 0:
        raise invalid("The form page cannot be negative.", FieldError("step", "Must be 0 or more."))
    if base_version < 0:
        raise invalid("The draft version cannot be negative.", FieldError("base_version", "Must be 0 or more."))
    draft = await _load(session, draft_id=draft_id, citizen_id=citizen_id, lock=True)
    _refuse_if_submitted(draft, "changed")
    if base_version > draft.version:
        raise invalid(
            f"This draft is at version {draft.version}; a copy at version {base_version} cannot come from it.",
            FieldError("base_version", f"Must be at most {draft.version}."),
        )
    _check_changes(changes, stored=draft.answers)

    result = SaveResult(draft=draft)
    answers, versions = dict(draft.answers), dict(draft.field_versions)
    new_version = draft.version + 1
    for name, value in changes.items():
        if name in answers and _canonical(answers[name]) == _canonical(value):
            continue
        if int(versions.get(name, 0)) <= base_version:
            answers[name] = value
            versions[name] = new_version
            result.applied.append(name)
        else:
            result.conflicts.append(FieldConflict(field=name, their_value=answers.get(name), your_value=value))
    if result.applied:
        authors = dict(draft.field_authors or {}) | dict.fromkeys(result.applied, author)
        # New dicts, not in-place edits: the JSON columns only notice assignment.
        draft.answers, draft.field_versions, draft.version = answers, versions, new_version
        draft.field_authors = authors
        if draft.shared_at is not None:
            await _audit_changes(session, draft, result.applied, author)
        publish_after_commit(session, DraftChanged(draft_id=draft.id, citizen_id=draft.citizen_id, reason="answers"))
    if step is not None:
        draft.step = step
    await session.flush()
    return result


async def _audit_changes(session: AsyncSession, draft: Draft, fields: list[str], author: str) -> None:
    """One audit row per field a save changed in a shared draft: who (the person or which member of staff),
    which field, at which version; never the value."""
    agency_id = (await session.execute(select(Service.agency_id).where(Service.id == draft.service_id))).scalar()
    by_staff = staff_of(author)
    for name in fields:
        staff.audit(
            session,
            actor_kind="citizen" if by_staff is None else "staff",
            actor_id=str(draft.citizen_id if by_staff is None else by_staff),
            action=CHANGED,
            subject_kind="draft",
            subject_id=str(draft.id),
            citizen_id=draft.citizen_id,
            agency_id=agency_id,
            detail={"field": name[:MAX_FIELD_NAME_CHARS], "version": draft.version},
        )


async def resolve(
    session: AsyncSession,
    *,
    draft_id: uuid.UUID,
    citizen_id: uuid.UUID,
    field: str,
    value: Any,
    base_version: int,
    author: str = CITIZEN,
) -> SaveResult:
    """The person chose `value` for a conflicting field, having seen the draft at `base_version`.

    Applied if the field has not changed again since `base_version` (choosing the stored value is a no-op);
    otherwise the result carries a fresh conflict with the newer stored value, to be shown again.
    """
    return await save(
        session,
        draft_id=draft_id,
        citizen_id=citizen_id,
        base_version=base_version,
        changes={field: value},
        author=author,
    )


async def recent(session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = 5) -> list[Draft]:
    """The citizen's open drafts, most recently changed first ("continue where you left off")."""
    if not 1 <= limit <= MAX_RECENT:
        raise invalid(f"Ask for 1 to {MAX_RECENT} drafts.", FieldError("limit", f"Must be 1 to {MAX_RECENT}."))
    query = (
        select(Draft)
        .where(Draft.citizen_id == citizen_id, Draft.submitted_at.is_(None))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def mark_submitted(
    session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID, case_id: uuid.UUID
) -> Draft:
    """Record that the draft became a case; repeating it for the same case is harmless, for another is a 409."""
    draft = await _load(session, draft_id=draft_id, citizen_id=citizen_id, lock=True)
    if draft.submitted_at is not None:
        if draft.case_id == case_id:
            return draft
        raise conflict("This application has already been sent.")
    draft.submitted_at = utcnow()
    draft.case_id = case_id
    await session.flush()
    publish_after_commit(session, DraftChanged(draft_id=draft.id, citizen_id=draft.citizen_id, reason="submitted"))
    return draft


def entered_by(draft: Draft, codes: list[str]) -> dict[str, str]:
    """Who entered each of these answers, when staff had a hand in any of them (else empty: all the person's)."""
    authors = {code: str((draft.field_authors or {}).get(code, CITIZEN)) for code in codes}
    return authors if any(staff_of(a) for a in authors.values()) else {}


async def discard(session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID) -> None:
    """Delete an open draft the person no longer wants; a sent application's draft stays with its case."""
    draft = await _load(session, draft_id=draft_id, citizen_id=citizen_id, lock=True)
    _refuse_if_submitted(draft, "discarded")
    await session.delete(draft)
    await session.flush()


DEVICES_KEY = "_devices"  # reserved: the devices (opaque markers) that have opened the draft, never a form field
MAX_DEVICES = 20


async def remember_device(session: AsyncSession, *, draft_id: uuid.UUID, citizen_id: uuid.UUID, device: str) -> str:
    """Note that a device opened the draft: "first" (nobody had), "new" (another had) or "known".

    Keeps the marker under a reserved key of `answers` without changing the version, so it never meets the merge.
    """
    draft = await _load(session, draft_id=draft_id, citizen_id=citizen_id, lock=True)
    seen = [str(d) for d in draft.answers.get(DEVICES_KEY, []) if isinstance(d, str)]
    if device in seen:
        return "known"
    draft.answers = {**draft.answers, DEVICES_KEY: [*seen, device][-MAX_DEVICES:]}
    await session.flush()
    return "new" if seen else "first"


# Values the server keeps beside the answers, which are not answers: the devices that opened the draft, the point
# behind an address and where a photo was taken.
NOT_ANSWERS = frozenset({DEVICES_KEY, "_lat", "_long", "_photo_place"})
OPEN_SHOWN = 20


@dataclasses.dataclass(frozen=True)
class OpenDraft:
    """An unsent application as others may see it without its answers: which service, when it was started and
    last saved, the page the person was last on of how many, and how many answers it holds."""

    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    started_at: datetime
    saved_at: datetime
    step: int  # 0: not begun; 1 to `pages`: that page; beyond: checking the answers before sending
    pages: int  # the form's pages, the answers' check not counted
    filled: int


def answered(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers of a draft that hold something, without what the server keeps beside them."""
    return {k: v for k, v in answers.items() if k not in NOT_ANSWERS and v not in (None, "", [], {})}


async def open_drafts(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    agency_ids: Collection[uuid.UUID] | None,
    limit: int = OPEN_SHOWN,
    draft_id: uuid.UUID | None = None,
) -> list[OpenDraft]:
    """The person's unsent applications for services of these agencies (None: every agency), the most recently
    saved first (or only the one `draft_id` names): one query, whatever the forms hold."""
    pages = (
        select(func.count(distinct(ServiceAttribute.page)))
        .where(ServiceAttribute.service_id == Draft.service_id, ServiceAttribute.variable.is_(True))
        .correlate(Draft)
        .scalar_subquery()
    )
    stmt = (
        select(Draft, Service.name, Service.open311, pages)
        .join(Service, Service.id == Draft.service_id)
        .where(Draft.citizen_id == citizen_id, Draft.submitted_at.is_(None))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    if agency_ids is not None:
        stmt = stmt.where(Service.agency_id.in_(list(agency_ids)))
    if draft_id is not None:
        stmt = stmt.where(Draft.id == draft_id)
    return [
        OpenDraft(
            id=draft.id,
            service_id=draft.service_id,
            service_name=name,
            started_at=draft.created_at,
            saved_at=draft.updated_at,
            step=draft.step,
            pages=int(count or 0) + (2 if located else 1),  # a location page first when located; details last
            filled=len(answered(draft.answers)),
        )
        for draft, name, located, count in await session.execute(stmt)
    ]
