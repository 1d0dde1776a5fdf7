"""Filling in a form together, the resident's side: a link a member of staff sent her opens her own draft on this
device without signing in; she answers "Let them fill in this form with you?" (and may stop it at any time),
fills in and sends the form as on any device, through the portal's own saving and submission.

What the link may reveal, and what it may do, is decided here once: the service's name and questions, the
draft's answers (never a value another agency holds, offered into it), the staff member's first name and agency;
never her name, contacts, other drafts, cases or messages, and it never becomes a sign-in. It saves answers to
that draft, answers the question about staff, sends the draft as one case. Opening, refusing, agreeing and
stopping are audited; a function that writes commits before it returns; the reads write nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import DraftLink, LinkPurpose, Opened, Refused
from townsquare.drafts.models import Draft
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import conflict
from townsquare.residents import applications as apps
from townsquare.residents import prefill, records
from townsquare.staff import service as staff

OPENED, REFUSED = "draft.link_opened", "draft.link_refused"
ALLOWED, STOPPED = "draft.agent_allowed", "draft.agent_stopped"


@dataclass(frozen=True)
class Invitation:
    """What a link's page shows before it is opened: who sent what, and until when; or why it cannot open."""

    refused: Refused | None
    agent: str = ""
    agency: Agency | None = None
    service: Service | None = None
    purpose: LinkPurpose = LinkPurpose.form
    expires_at: datetime | None = None
    draft_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Holding:
    """This device holds the session a link opened: the link, its draft, and the staff member's first name."""

    link: DraftLink
    draft: Draft
    agent: str

    @property
    def allowed(self) -> bool:
        """Whether she lets the staff member fill in fields now."""
        return self.link.allowed_at is not None

    @property
    def asked(self) -> bool:
        """Whether she has answered the question about staff filling in, at least once."""
        return self.link.agreement_at is not None


async def _agent(session: AsyncSession, staff_id: uuid.UUID) -> str:
    """The staff member's first name: a resident is told who, not their full name (as on their messages)."""
    return (await records.first_names(session, [staff_id])).get(staff_id, "")


def _audit(
    session: AsyncSession, link: DraftLink, draft: Draft, agency_id: uuid.UUID | None, action: str, **more: str
) -> None:
    staff.audit(
        session,
        actor_kind="citizen",
        actor_id=str(draft.citizen_id),
        action=action,
        subject_kind="draft",
        subject_id=str(draft.id),
        citizen_id=draft.citizen_id,
        agency_id=agency_id,
        detail={"link_id": str(link.id), "via": "link", **more},
    )


async def invitation(session: AsyncSession, *, token: str, browser_session: str | None) -> Invitation:
    """The link's page before it is opened (reads only)."""
    link = await links.by_token(session, token=token)
    draft = await session.get(Draft, link.draft_id) if link is not None else None
    refused = links.refusal(link, draft, browser_session=browser_session)
    if link is None or draft is None:
        return Invitation(refused or Refused.unknown)
    service = await session.get_one(Service, draft.service_id)
    return Invitation(
        refused,
        agent=await _agent(session, link.staff_id),
        agency=await session.get_one(Agency, service.agency_id),
        service=service,
        purpose=link.purpose,
        expires_at=link.expires_at,
        draft_id=draft.id,
    )


async def open_link(
    session: AsyncSession, *, token: str, browser_session: str | None, session_minutes: int
) -> Opened | Refused:
    """Open the link on this device (its session starts, once); a refusal of a link that exists is audited too.
    Commits."""
    opened = await links.open_link(
        session, token=token, browser_session=browser_session, session_minutes=session_minutes
    )
    link = opened.link if isinstance(opened, Opened) else await links.by_token(session, token=token)
    draft = await session.get(Draft, link.draft_id) if link is not None else None
    if link is not None and draft is not None:
        agency_id = await session.scalar(select(Service.agency_id).where(Service.id == draft.service_id))
        if isinstance(opened, Opened):
            if opened.session_token is not None:
                _audit(session, link, draft, agency_id, OPENED)
        else:
            _audit(session, link, draft, agency_id, REFUSED, reason=opened.value)
    await session.commit()
    return opened


async def holding(session: AsyncSession, *, draft_id: uuid.UUID, browser_session: str | None) -> Holding | Refused:
    """Whether this device's session opens `draft_id` now (reads only)."""
    found = await links.holding(session, draft_id=draft_id, browser_session=browser_session)
    if isinstance(found, Refused):
        return found
    link, draft = found
    return Holding(link, draft, await _agent(session, link.staff_id))


async def agree(session: AsyncSession, *, held: Holding, allow: bool) -> None:
    """Her answer to "Let them fill in this form with you?" (or "Stop"), audited when it changes. Commits."""
    if held.draft.submitted_at is not None:
        raise conflict("This form has been sent, so nobody can fill it in any more.")
    query = select(DraftLink).where(DraftLink.id == held.link.id).with_for_update()
    link = (await session.execute(query.execution_options(populate_existing=True))).scalar_one()
    if await links.agree(session, link=link, allow=allow):
        agency_id = await session.scalar(select(Service.agency_id).where(Service.id == held.draft.service_id))
        _audit(session, link, held.draft, agency_id, ALLOWED if allow else STOPPED)
    await session.commit()


async def filled_by(session: AsyncSession, *, draft: Draft) -> dict[str, str]:
    """The answers a member of staff entered last, by code, with their first name (the rest are hers)."""
    authors = {code: drafts.staff_of(author) for code, author in (draft.field_authors or {}).items()}
    ids = {s for s in authors.values() if s is not None}
    if not ids:
        return {}
    names = await records.first_names(session, ids)
    return {code: names.get(s, "") for code, s in authors.items() if s is not None}


async def send(
    session: AsyncSession,
    pipeline: Pipeline,
    *,
    held: Holding,
    language: str,
    secret: str,
    prefill_hours: float,
) -> apps.Submitted:
    """Send the draft as one case through the portal's own submission (the same case however often or from
    however many devices). Answers another agency verified must be unchanged (422), and their offer still good:
    else she must sign in to be asked again (409), her answers kept. Commits."""
    draft = held.draft
    provenance: dict[str, dict[str, object]] = {}
    if prefill.entries(draft) and draft.submitted_at is None:
        service = await apps.service_with_form(session, service_id=draft.service_id)
        tz = await apps.agency_timezone(session, service)
        found = await prefill.check(
            session, draft=draft, service=service, tz=tz, secret=secret, max_age_hours=prefill_hours
        )
        if found.tampered:
            raise prefill.tampered_problem(found.tampered)
        if found.stale:
            raise conflict(
                "Some answers were filled in from another agency's records and need your consent again: "
                "sign in to send this form. Your answers are kept."
            )
        provenance = dict(found.provenance)
    return await apps.submit(
        session,
        pipeline,
        draft_id=draft.id,
        citizen_id=draft.citizen_id,
        language=language,
        provenance=provenance,
    )
