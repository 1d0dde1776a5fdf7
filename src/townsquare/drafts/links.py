"""Links to fill in one draft together: the capability staff send a person so that she opens her own draft on
another device (a phone) without signing in, while they talk.

A link is a random token (144 bits) kept only as its SHA-256, bound to one draft (and so to its person), single
use and short-lived: opened once, it becomes a browser session of its own (another random token, hashed too)
for that draft only, which lasts `session_minutes` and ends when the draft is sent, when staff end it or send
another link for the same work. Whether the member of staff may fill in fields is the person's choice, kept
here (`allowed_at`), asked and changed on her page. Never commits; never reads or returns an answer.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.drafts.models import Draft, DraftLink, LinkPurpose
from townsquare.events import DraftChanged, publish_after_commit

TOKEN_BYTES = 18  # 24 URL-safe characters: short enough for a text message, far beyond guessing
SESSION_BYTES = 32
MAX_TOKEN_CHARS = 100


class Refused(StrEnum):
    """Why a link or a link's session does not open the draft."""

    unknown = "unknown"  # no such link (mistyped, or never made)
    expired = "expired"  # not opened in time, or the session's time is up
    used = "used"  # already opened on another device
    ended = "ended"  # staff ended it, or sent another link for the same work
    sent = "sent"  # the application was sent
    other_draft = "other_draft"  # a session for another draft
    no_session = "no_session"  # this device never opened a link to this draft


@dataclass(frozen=True)
class Opened:
    """A link opened: its row, and the session token to hand to the browser (None when the browser already holds
    it, reopening the link)."""

    link: DraftLink
    session_token: str | None


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _changed(session: AsyncSession, link: DraftLink, draft: Draft | None = None) -> None:
    citizen_id = draft.citizen_id if draft is not None else None
    if citizen_id is not None:
        publish_after_commit(session, DraftChanged(draft_id=link.draft_id, citizen_id=citizen_id, reason="together"))


async def live_for_item(session: AsyncSession, *, work_item_id: uuid.UUID) -> DraftLink | None:
    """The newest link sent during this work that has not ended."""
    query = (
        select(DraftLink)
        .where(DraftLink.work_item_id == work_item_id, DraftLink.ended_at.is_(None))
        .order_by(DraftLink.created_at.desc(), DraftLink.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def create(
    session: AsyncSession,
    *,
    draft: Draft,
    staff_id: uuid.UUID,
    work_item_id: uuid.UUID | None,
    channel: str,
    purpose: LinkPurpose,
    minutes: int,
) -> tuple[DraftLink, str]:
    """A new link to `draft` and its token (to put in the message, never stored); a link still live for the same
    work ends, replaced. The draft is shared from now on: its changes are attributed and audited."""
    now = utcnow()
    if work_item_id is not None and (earlier := await live_for_item(session, work_item_id=work_item_id)):
        earlier.ended_at, earlier.ended_reason = now, "replaced"
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = DraftLink(
        draft_id=draft.id,
        staff_id=staff_id,
        work_item_id=work_item_id,
        purpose=purpose,
        channel=channel,
        token_hash=_sha256(token),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    if draft.shared_at is None:
        draft.shared_at = now
    session.add(link)
    await session.flush()
    return link, token


async def by_token(session: AsyncSession, *, token: str) -> DraftLink | None:
    """The link a token opens, whatever its state; None for anything else."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    query = select(DraftLink).where(DraftLink.token_hash == _sha256(token))
    return (await session.execute(query)).scalar_one_or_none()


def session_refusal(link: DraftLink, draft: Draft | None) -> Refused | None:
    """Why an opened link's session no longer opens its draft, if it does not."""
    if draft is None:
        return Refused.unknown
    if draft.submitted_at is not None:
        return Refused.sent
    if link.ended_at is not None:
        return Refused.ended
    if link.session_expires_at is None or link.session_expires_at <= utcnow():
        return Refused.expired
    return None


def refusal(link: DraftLink | None, draft: Draft | None, *, browser_session: str | None = None) -> Refused | None:
    """Why this link cannot be opened (now, by a browser holding `browser_session`), or None if it can."""
    if link is None or draft is None:
        return Refused.unknown
    if link.opened_at is not None:
        if browser_session and link.session_hash == _sha256(browser_session):
            return session_refusal(link, draft)  # the same device, opening the link again
        return Refused.used
    if draft.submitted_at is not None:
        return Refused.sent
    if link.ended_at is not None:
        return Refused.ended
    if link.expires_at <= utcnow():
        return Refused.expired
    return None


async def open_link(
    session: AsyncSession, *, token: str, session_minutes: int, browser_session: str | None
) -> Opened | Refused:
    """Use a link: its first opening starts the device's session for the draft (once only, under a row lock);
    the same device opening it again keeps its session. Anything else is refused, with why."""
    query = select(DraftLink).where(DraftLink.token_hash == _sha256(token[:MAX_TOKEN_CHARS])).with_for_update()
    link = (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()
    draft = await session.get(Draft, link.draft_id) if link is not None else None
    refused = refusal(link, draft, browser_session=browser_session)
    if refused is not None or link is None:
        return refused or Refused.unknown
    if link.opened_at is not None:
        return Opened(link, None)
    now = utcnow()
    session_token = secrets.token_urlsafe(SESSION_BYTES)
    link.opened_at, link.session_hash = now, _sha256(session_token)
    link.session_expires_at = now + timedelta(minutes=session_minutes)
    await session.flush()
    _changed(session, link, draft)
    return Opened(link, session_token)


async def holding(
    session: AsyncSession, *, draft_id: uuid.UUID, browser_session: str | None
) -> tuple[DraftLink, Draft] | Refused:
    """The link (and its draft) whose session this browser holds, if it opens `draft_id` now; else why not."""
    if not browser_session or len(browser_session) > MAX_TOKEN_CHARS:
        return Refused.no_session
    query = select(DraftLink).where(DraftLink.session_hash == _sha256(browser_session))
    link = (await session.execute(query)).scalar_one_or_none()
    if link is None:
        return Refused.no_session
    if link.draft_id != draft_id:
        return Refused.other_draft
    draft = await session.get(Draft, link.draft_id)
    refused = session_refusal(link, draft)
    if refused is not None and not (refused is Refused.sent and draft is not None):
        return refused
    assert draft is not None
    return link, draft


async def agree(session: AsyncSession, *, link: DraftLink, allow: bool) -> bool:
    """The person's answer to "Let them fill in this form with you?"; True if it changed anything."""
    now = utcnow()
    allowed = link.allowed_at is not None
    link.agreement_at = now
    if allowed == allow:
        await session.flush()
        return False
    link.allowed_at = now if allow else None
    await session.flush()
    _changed(session, link, await session.get(Draft, link.draft_id))
    return True


async def end(session: AsyncSession, *, link: DraftLink, reason: str = "ended") -> None:
    """End a link and its session: the device that opened it no longer reaches the draft."""
    if link.ended_at is not None:
        return
    link.ended_at, link.ended_reason = utcnow(), reason[:16]
    await session.flush()
    _changed(session, link, await session.get(Draft, link.draft_id))


__all__ = ["DraftLink", "LinkPurpose", "Opened", "Refused"]
