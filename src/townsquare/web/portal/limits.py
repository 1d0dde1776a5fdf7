"""The portal's side of the abuse limits (`engagement.resident_limits`): asking them from a route (committing a
refusal, so it stays in the audit log), and the answer: the reason and the wait in the reader's language, a 429
status and a `Retry-After` header on the same page the person was on.

Nothing here names an address or a client in a message, a log or an audit entry.
"""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from townsquare.db import Session
from townsquare.engagement import resident_limits
from townsquare.ratelimit import RateLimiter
from townsquare.residents.types import IdentityKind
from townsquare.web.i18n import gettext as _
from townsquare.web.i18n import ngettext

STATUS = 429


def limiter_of(request: Request) -> RateLimiter:
    """The process's rate limiter."""
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def client_of(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, what the proxy headers said it was)."""
    return request.client.host if request.client else "unknown"


async def send_refused(
    request: Request,
    session: Session,
    *,
    purpose: str,
    kind: IdentityKind,
    raw_value: str,
    citizen_id: uuid.UUID | None = None,
) -> int:
    """0 when a link or code may go to this address (now counted); else the seconds to wait (refusal committed)."""
    decision = await resident_limits.allow_send(
        session,
        limiter_of(request),
        request.app.state.settings,
        purpose=purpose,
        kind=kind,
        raw_value=raw_value,
        client=client_of(request),
        citizen_id=citizen_id,
    )
    if not decision.allowed:
        await session.commit()
    return decision.retry_after


async def guess_refused(request: Request, session: Session, *, purpose: str, citizen_id: uuid.UUID) -> int:
    """0 when the resident may enter another code; else the seconds to wait (refusal committed, code unchecked)."""
    settings = request.app.state.settings
    decision = await resident_limits.allow_code_guess(
        session, limiter_of(request), settings, purpose=purpose, citizen_id=citizen_id
    )
    if not decision.allowed:
        await session.commit()
    return decision.retry_after


async def count_wrong_code(request: Request, *, citizen_id: uuid.UUID) -> None:
    """Count a wrong code, once the attempt is committed."""
    await resident_limits.count_wrong_code(limiter_of(request), request.app.state.settings, citizen_id=citizen_id)


def wait_sentence(seconds: int) -> str:
    """How long to wait, rounded up to minutes (hours beyond 90 minutes), as a sentence."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 90:
        sentence = ngettext("Wait %(num)d minute, then try again.", "Wait %(num)d minutes, then try again.", minutes)
        return sentence % {"num": minutes}
    hours = -(-minutes // 60)
    return ngettext("Wait %(num)d hour, then try again.", "Wait %(num)d hours, then try again.", hours) % {"num": hours}


def too_many_links(seconds: int) -> str:
    """Links (to sign in or to add an address) asked for too often."""
    reason = _("Too many links have been asked for this email address, or from your network.")
    return f"{reason} {wait_sentence(seconds)}"


def too_many_codes(seconds: int) -> str:
    """Texted codes asked for too often."""
    reason = _("Too many codes have been asked for this phone number, or from your network.")
    return f"{reason} {wait_sentence(seconds)}"


def too_many_wrong_codes(seconds: int) -> str:
    """Wrong codes entered too often."""
    reason = _("You have entered too many wrong codes.")
    return f"{reason} {wait_sentence(seconds)}"


def with_retry_after(response: Response, seconds: int) -> Response:
    """The response, telling clients when to come back."""
    response.headers["Retry-After"] = str(seconds)
    return response
