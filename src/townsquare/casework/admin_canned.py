"""Administering canned replies: per agency and language, a slug, a title and a body whose `{placeholders}` the
desk can fill in; deactivated ones are no longer offered on the desk's reply box (never deleted).

Scope and audit live here; never commits, the route does once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import admin as checks
from townsquare.agencies.models import CannedResponse
from townsquare.casework.admin_common import Mistakes, administered_agencies, changes, chosen_agency
from townsquare.db import assign
from townsquare.errors import not_found
from townsquare.staff.auth import Principal

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANGUAGES = ("en", "fr")


@dataclass
class CannedForm:
    """What the canned reply form shows: a reply as it is, or what was just sent when it was refused."""

    agency: str = ""
    language: str = "en"
    slug: str = ""
    title: str = ""
    body: str = ""


@dataclass
class CannedRow:
    reply: CannedResponse
    agency: str


async def canned_rows(session: AsyncSession, me: Principal) -> list[CannedRow]:
    """The canned replies of the agencies the caller administers, active first, by agency, title and language."""
    agencies = {a.id: a.name for a in await administered_agencies(session, me)}
    stmt = select(CannedResponse).where(CannedResponse.agency_id.in_(agencies))
    rows = [CannedRow(r, agencies[r.agency_id]) for r in (await session.execute(stmt)).scalars()]
    return sorted(rows, key=lambda r: (not r.reply.active, r.agency, r.reply.title, r.reply.language))


async def reply_in_scope(session: AsyncSession, me: Principal, reply_id: uuid.UUID) -> CannedResponse:
    """The canned reply if the caller administers its agency, else 404 as for one that does not exist."""
    reply = await session.get(CannedResponse, reply_id)
    if reply is None or not me.may_see(reply.agency_id):
        raise not_found("Canned reply")
    return reply


def form_of(reply: CannedResponse) -> CannedForm:
    return CannedForm(str(reply.agency_id), reply.language, reply.slug, reply.title, reply.body)


async def _check(session: AsyncSession, me: Principal, f: CannedForm, reply: CannedResponse | None) -> Mistakes:
    mistakes = Mistakes()
    agency = chosen_agency(await administered_agencies(session, me), f.agency, mistakes)
    if f.language not in LANGUAGES:
        mistakes.add("language", "Choose English or French.")
    if not SLUG.match(f.slug):
        mistakes.add("slug", "Give a short name: lower-case letters, digits and hyphens.")
    elif agency is not None and await checks.canned_slug_taken(
        session, agency_id=agency.id, slug=f.slug, language=f.language, other_than=reply.id if reply else None
    ):
        mistakes.add("slug", "The agency already has a canned reply with that short name in that language.")
    if not f.title:
        mistakes.add("title", "Give the reply a title.")
    if not f.body:
        mistakes.add("body", "Write the reply.")
    elif unknown := checks.unknown_placeholders(f.body):
        mistakes.add(
            "body",
            "The reply names a placeholder the desk cannot fill in; use {first_name} or {case_reference}. — "
            + ", ".join(unknown),
        )
    return mistakes


def _audited(reply: CannedResponse) -> dict[str, Any]:
    return {k: getattr(reply, k) for k in ("language", "slug", "title", "body")} | {"agency_id": str(reply.agency_id)}


def _values(f: CannedForm) -> dict[str, Any]:
    return {"agency_id": uuid.UUID(f.agency), "language": f.language, "slug": f.slug, "title": f.title, "body": f.body}


async def create(session: AsyncSession, *, me: Principal, form: CannedForm) -> CannedResponse:
    """A new canned reply as the form says, audited."""
    (await _check(session, me, form, None)).refuse("The canned reply was not created.")
    reply = CannedResponse(**_values(form))
    session.add(reply)
    await session.flush()
    me.audit(
        session,
        action="canned_reply.create",
        subject_kind="canned_reply",
        subject_id=str(reply.id),
        agency_id=reply.agency_id,
        detail={"after": _audited(reply)},
    )
    return reply


async def update(session: AsyncSession, *, me: Principal, reply: CannedResponse, form: CannedForm) -> None:
    """Change the canned reply as the form says, audited with what changed before and after."""
    (await _check(session, me, form, reply)).refuse("The canned reply was not changed.")
    before = _audited(reply)
    assign(reply, **_values(form))
    await session.flush()
    me.audit(
        session,
        action="canned_reply.update",
        subject_kind="canned_reply",
        subject_id=str(reply.id),
        agency_id=reply.agency_id,
        detail=changes(before, _audited(reply)),
    )


async def set_active(session: AsyncSession, *, me: Principal, reply: CannedResponse, active: bool) -> bool:
    """Stop or start offering the reply on the desk (audited); False when it already was."""
    if reply.active is active:
        return False
    reply.active = active
    action = "canned_reply.reactivate" if active else "canned_reply.deactivate"
    me.audit(
        session,
        action=action,
        subject_kind="canned_reply",
        subject_id=str(reply.id),
        agency_id=reply.agency_id,
        detail={"before": {"active": not active}, "after": {"active": active}},
    )
    await session.flush()
    return True
