"""Saving an application as the person goes: a page of changed answers (with their choices between two devices'
values), the autosave script's saves and resolutions, and the confirmation's read model.

Answers are saved before they are checked, so nothing typed is lost; each function commits what it saved before
it returns, and never touches another person's draft.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.drafts.service import FieldConflict, SaveResult
from townsquare.residents import applications as apps
from townsquare.residents import photos, prefill


@dataclass(frozen=True)
class Choice:
    """The person's answer to a conflict: keep "yours" (this device's value), "theirs", or not chosen yet."""

    code: str
    choice: str
    your_value: Any


@dataclass
class PageSaved:
    """What saving a page came to: the draft now, conflicts still open, fields left without a choice, and
    problems with the answers (empty when the page is complete and the draft moved to the next step)."""

    draft: Draft
    conflicts: list[FieldConflict] = field(default_factory=list)
    unchosen: list[str] = field(default_factory=list)
    problems: dict[str, apps.Problem] = field(default_factory=dict)
    moved_on: bool = False


async def _resolve_choices(session: AsyncSession, draft: Draft, base: int, choices: list[Choice]) -> PageSaved:
    """Apply the person's choices between two devices' values; what is still open."""
    left = PageSaved(draft=draft)
    for choice in choices:
        if choice.choice == "yours":
            result = await drafts.resolve(
                session,
                draft_id=draft.id,
                citizen_id=draft.citizen_id,
                field=choice.code,
                value=choice.your_value,
                base_version=base,
            )
            left.conflicts += result.conflicts
        elif choice.choice != "theirs":
            their = draft.answers.get(choice.code)
            left.conflicts.append(FieldConflict(field=choice.code, their_value=their, your_value=choice.your_value))
            left.unchosen.append(choice.code)
    return left


async def save_page(
    session: AsyncSession,
    *,
    draft: Draft,
    service: Service,
    tz: str,
    number: int,
    base: int,
    choices: list[Choice],
    changes: dict[str, Any],
    move_on: bool,
    secret: str,
) -> PageSaved:
    """Save what changed on page `number` (first, committed), then — when the person asked to go on and nothing
    conflicts — place the address, check the page and move the draft to the next step. A change to a verified
    prefilled answer refuses the whole page (422), nothing saved."""
    page = apps.form_pages(service)[number - 1]
    stored = apps.stored_changes(service, tz, changes)
    chosen = {c.code: c.your_value for c in choices if c.choice == "yours"}
    prefill.refuse_locked(draft, secret=secret, changes=stored | chosen)
    saved = await _resolve_choices(session, draft, base, choices)
    if page.location and apps.ADDRESS in changes and not {apps.LAT, apps.LONG} & changes.keys():
        changes = changes | {apps.LAT: "", apps.LONG: ""}  # a new address typed without the map: place it afresh
    result: SaveResult = await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=draft.citizen_id,
        base_version=base,
        changes=stored,
        step=number,
    )
    await session.commit()
    saved.draft = result.draft
    saved.conflicts += result.conflicts
    if saved.conflicts or not move_on:
        return saved
    if page.location and (placed := await apps.place(session, answers=apps.public_answers(saved.draft))):
        saved.draft = (
            await drafts.save(
                session,
                draft_id=draft.id,
                citizen_id=draft.citizen_id,
                base_version=saved.draft.version,
                changes=placed,
            )
        ).draft
        await session.commit()
    saved.problems = apps.problems(service, page, apps.public_answers(saved.draft))
    if saved.problems:
        return saved
    await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=draft.citizen_id,
        base_version=saved.draft.version,
        changes={},
        step=number + 1,
    )
    await session.commit()
    saved.moved_on = True
    return saved


async def autosave(
    session: AsyncSession,
    *,
    draft: Draft,
    service: Service,
    tz: str,
    base: int,
    changes: dict[str, Any],
    step: int | None,
    secret: str,
) -> SaveResult:
    """Save the fields a device changed (committed); conflicts come back, never overwrite. A change to a verified
    prefilled answer is refused (422), nothing saved."""
    stored = apps.stored_changes(service, tz, changes)
    prefill.refuse_locked(draft, secret=secret, changes=stored)
    result = await drafts.save(
        session,
        draft_id=draft.id,
        citizen_id=draft.citizen_id,
        base_version=base,
        changes=stored,
        step=step,
    )
    await session.commit()
    return result


async def keep_mine(
    session: AsyncSession, *, draft: Draft, service: Service, tz: str, code: str, value: Any, base: int, secret: str
) -> SaveResult:
    """The person chose their own value for a field in conflict (committed); never a verified prefilled one."""
    stored = apps.stored_changes(service, tz, {code: value})
    prefill.refuse_locked(draft, secret=secret, changes=stored)
    result = await drafts.resolve(
        session, draft_id=draft.id, citizen_id=draft.citizen_id, field=code, value=stored[code], base_version=base
    )
    await session.commit()
    return result


async def keep_photo(session: AsyncSession, *, draft: Draft, photo: photos.Photo | None, sha256: str = "") -> Draft:
    """Keep the report's photo (stored already under `sha256`) and offer where its file said it was taken; or,
    with None, take the photo off the report (committed)."""
    place = photo.place if photo is not None else None
    changes: dict[str, Any] = {
        apps.PHOTO: {"sha256": sha256, "width": photo.width, "height": photo.height} if photo else "",
        apps.PHOTO_PLACE: {"lat": f"{place[0]:.6f}", "long": f"{place[1]:.6f}"} if place else "",
    }
    result = await drafts.save(
        session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=draft.version, changes=changes
    )
    await session.commit()
    return result.draft


async def keep_file(session: AsyncSession, *, draft: Draft, code: str, kept: dict[str, Any]) -> Draft:
    """Answer a file question with an upload already in the attachment store (`kept`: its SHA-256, name, type
    and size); committed. Only the server answers file questions: no device can name a stored file."""
    result = await drafts.save(
        session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=draft.version, changes={code: kept}
    )
    await session.commit()
    return result.draft


async def use_photo_place(session: AsyncSession, *, draft: Draft) -> Draft:
    """Answer "Where is it?" with the place the photo's file gave, and the register's nearest address unless one
    was typed (committed). Nothing changes when there is no such place."""
    answers = apps.public_answers(draft)
    place = apps.photo_place(answers)
    if place is None:
        return draft
    typed = str(answers.get(apps.ADDRESS, "")).strip()
    changes = place | ({} if typed else await apps.place(session, answers=place))
    result = await drafts.save(
        session, draft_id=draft.id, citizen_id=draft.citizen_id, base_version=draft.version, changes=changes
    )
    await session.commit()
    return result.draft


@dataclass(frozen=True)
class Done:
    """The confirmation: the case's reference, and whether close reports of the same thing were found."""

    reference: str
    linked: bool


async def done(session: AsyncSession, *, draft: Draft, service: Service, case_id: uuid.UUID) -> Done:
    """The confirmation page's read model for a submitted draft."""
    case = await session.get(Case, case_id)
    linked = bool(case and service.open311 and await cases.likely_duplicates_of(session, case_id=case.id))
    return Done(reference=case.reference if case else "", linked=linked)
