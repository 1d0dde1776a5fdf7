"""A person's unsent application, opened by staff: its answers as the form asks them, shown only here and only to
staff of the service's agency, each opening written to the access log (`draft.read`) and committed before the
answers are shown. The person's page lists their open drafts without any answer (`casework.desk.citizen_360`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import Service, ServiceAttribute
from townsquare.agencies.wording import translated
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen
from townsquare.drafts import service as drafts
from townsquare.drafts.models import Draft
from townsquare.errors import not_found
from townsquare.staff.auth import Principal

READ = "draft.read"
FREE = ("_address", "_details", "_photo")  # what the portal asks besides the form's questions, in the order asked


@dataclass(frozen=True)
class Answer:
    """One answer as the page shows it: the form's question (empty for the portal's own fields, which the page
    names by `code`) and the value in words."""

    code: str
    question: str
    value: str


@dataclass
class DraftView:
    """The opened draft: whose, for which service, where they are in it, and every answer held."""

    citizen: Citizen
    summary: drafts.OpenDraft
    answers: list[Answer]


async def draft_in_scope(session: AsyncSession, *, me: Principal, citizen_id: uuid.UUID, draft_id: uuid.UUID) -> Draft:
    """The person's unsent draft for a service of this member of staff's agencies; anything else answers as one
    that does not exist."""
    row = (
        await session.execute(
            select(Draft, Service.agency_id)
            .join(Service, Service.id == Draft.service_id)
            .where(Draft.id == draft_id, Draft.citizen_id == citizen_id, Draft.submitted_at.is_(None))
        )
    ).one_or_none()
    if row is None or not me.may_see(row[1]):
        raise not_found("Draft", "This person has no such application in progress; it may have been sent.")
    draft: Draft = row[0]
    return draft


def _words(attribute: ServiceAttribute | None, value: Any, language: str) -> str:
    """A stored answer in words: a choice by its name (in `language` where the form has it), a date without its
    time of day, several values listed."""
    names = {str(v.get("key")): str(v.get("name", v.get("key"))) for v in attribute.values} if attribute else {}
    theirs = (attribute.translations or {}).get(language, {}) if attribute and language != "en" else {}
    names |= {str(k): str(v) for k, v in (theirs.get("values") or {}).items()} if isinstance(theirs, dict) else {}
    if isinstance(value, list):
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    text = str(value)
    try:
        return datetime.fromisoformat(text).date().isoformat() if "T" in text else names.get(text, text)
    except ValueError:
        return names.get(text, text)


async def read_draft(
    session: AsyncSession,
    *,
    me: Principal,
    citizen_id: uuid.UUID,
    draft_id: uuid.UUID,
    purpose: str,
    language: str = "en",
) -> DraftView:
    """The draft with its answers (the form's questions in `language` where it has them), its opening written to
    the access log and committed first."""
    draft = await draft_in_scope(session, me=me, citizen_id=citizen_id, draft_id=draft_id)
    service = (
        await session.execute(
            select(Service).where(Service.id == draft.service_id).options(selectinload(Service.attributes))
        )
    ).scalar_one()
    (summary,) = await drafts.open_drafts(session, citizen_id=citizen_id, agency_ids=None, draft_id=draft.id)
    citizen = await citizens.get(session, citizen_id=citizen_id)
    held = drafts.answered(draft.answers)
    questions = sorted((a for a in service.attributes if a.variable), key=lambda a: (a.page, a.order))
    answers = [
        Answer(
            a.code,
            translated(a.translations, language, "description", a.description),
            _words(a, held[a.code], language),
        )
        for a in questions
        if a.code in held
    ]
    answers += [
        Answer(code, "", "" if code == "_photo" else _words(None, held[code], language))
        for code in FREE
        if code in held
    ]
    me.audit(
        session,
        action=READ,
        subject_kind="draft",
        subject_id=str(draft.id),
        citizen_id=citizen_id,
        agency_id=service.agency_id,
        purpose=purpose,
    )
    await session.commit()
    return DraftView(citizen=citizen, summary=summary, answers=answers)
