"""Abuse limits on what residents can make us send and guess: sign-in links, email-adding links and verification
codes per destination address and per client address, and wrong codes per resident, in stacked moving windows
(`ratelimit.RateLimiter`, the process's one), so nobody can flood a mailbox or a phone, or guess a code at speed.

Counter keys and audit entries hold keyed fingerprints, never an address or an IP. A refusal sends nothing and
writes only its audit entry; nothing here commits (the route does, so the refusal is on record).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.errors import Problem
from townsquare.ratelimit import RateDecision, RateLimiter, fingerprint, parse_tiers
from townsquare.settings import Settings
from townsquare.staff import service as staff

SEND_BY_ADDRESS = "resident-send-address"
SEND_BY_CLIENT = "resident-send-client"
WRONG_CODES = "resident-wrong-code"
GUEST_BY_CLIENT = "resident-guest-client"
GUEST_THROTTLED = "citizen.guest_throttled"
SEND_THROTTLED = "citizen.send_throttled"
CODE_THROTTLED = "citizen.code_throttled"
ALLOWED = RateDecision(allowed=True, limit=0, remaining=0, retry_after=0)


async def allow_send(
    session: AsyncSession,
    limiter: RateLimiter,
    settings: Settings,
    *,
    purpose: str,
    kind: IdentityKind,
    raw_value: str,
    client: str,
    citizen_id: uuid.UUID | None = None,
) -> RateDecision:
    """Count one message to the (normalised) address for this client if both have room; else audit the refusal.

    An address that cannot be normalised is let through uncounted: nothing can be sent to it, and the caller's
    own checks refuse it with the words for that. Known and unknown addresses are counted alike.
    """
    try:
        destination = citizens.normalise(kind, raw_value, region=settings.default_region)
    except Problem:
        return ALLOWED
    address_key = fingerprint(settings.secret_key, "resident-address", destination)
    client_key = fingerprint(settings.secret_key, "client", client)
    by_address = parse_tiers(settings.resident_send_address_limits)
    by_client = parse_tiers(settings.resident_send_client_limits)
    refusals = {
        "address": await limiter.check(SEND_BY_ADDRESS, address_key, by_address),
        "client": await limiter.check(SEND_BY_CLIENT, client_key, by_client),
    }
    if all(d.allowed for d in refusals.values()):
        refusals = {
            "address": await limiter.acquire(SEND_BY_ADDRESS, address_key, by_address),
            "client": await limiter.acquire(SEND_BY_CLIENT, client_key, by_client),
        }
        if all(d.allowed for d in refusals.values()):
            return ALLOWED
    wait = max(d.retry_after for d in refusals.values())
    detail = {
        "purpose": purpose,
        "by": [name for name, d in refusals.items() if not d.allowed],
        "address": address_key,
        "client": client_key,
        "retry_after": wait,
    }
    _audit(session, SEND_THROTTLED, citizen_id, client_key, detail)
    return RateDecision(allowed=False, limit=0, remaining=0, retry_after=wait)


async def allow_code_guess(
    session: AsyncSession, limiter: RateLimiter, settings: Settings, *, purpose: str, citizen_id: uuid.UUID
) -> RateDecision:
    """Whether the resident may enter another code (texted or from their app), without counting it; a refusal is
    audited, and the code is then not checked at all."""
    decision = await limiter.check(WRONG_CODES, str(citizen_id), parse_tiers(settings.resident_wrong_code_limits))
    if not decision.allowed:
        detail = {"purpose": purpose, "retry_after": decision.retry_after}
        _audit(session, CODE_THROTTLED, citizen_id, None, detail)
    return decision


async def allow_guest(session: AsyncSession, limiter: RateLimiter, settings: Settings, *, client: str) -> RateDecision:
    """Count one report or follow started without an account from this client, if it has room; else audit it."""
    client_key = fingerprint(settings.secret_key, "client", client)
    decision = await limiter.acquire(GUEST_BY_CLIENT, client_key, parse_tiers(settings.resident_guest_client_limits))
    if not decision.allowed:
        _audit(session, GUEST_THROTTLED, None, client_key, {"client": client_key})
    return decision


async def count_wrong_code(limiter: RateLimiter, settings: Settings, *, citizen_id: uuid.UUID) -> None:
    """Count a wrong code the resident entered."""
    await limiter.count(WRONG_CODES, str(citizen_id), parse_tiers(settings.resident_wrong_code_limits))


def _audit(
    session: AsyncSession, action: str, citizen_id: uuid.UUID | None, client_key: str | None, detail: dict[str, Any]
) -> None:
    staff.audit(
        session,
        actor_kind="citizen" if citizen_id is not None else "client",
        actor_id=str(citizen_id) if citizen_id is not None else client_key,
        action=action,
        subject_kind="citizen" if citizen_id is not None else "sign_in",
        subject_id=str(citizen_id) if citizen_id is not None else None,
        citizen_id=citizen_id,
        detail=detail,
    )
