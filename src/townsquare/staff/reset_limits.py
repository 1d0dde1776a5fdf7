"""Abuse limits on password-reset links: how many one address may be sent and one client may ask for, in stacked
moving windows (`ratelimit.RateLimiter`), so nobody can flood a colleague's mailbox or probe addresses at speed.

Known and unknown addresses are counted alike, so the limit tells nobody whether an account exists. Counter keys
and the audit entry hold keyed fingerprints, never the typed address or the client's IP. Nothing here commits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.ratelimit import RateDecision, RateLimiter, fingerprint, parse_tiers
from townsquare.settings import Settings
from townsquare.staff import service

BY_ADDRESS = "staff-reset-address"
BY_CLIENT = "staff-reset-client"
THROTTLED = "staff.reset_throttled"


async def allow(
    session: AsyncSession, limiter: RateLimiter, settings: Settings, *, email: str, client: str
) -> RateDecision:
    """Count one reset request for the (lower-cased) address and the client if both have room; else count nothing,
    audit the refusal and say how long to wait."""
    address_key = fingerprint(settings.secret_key, "staff-reset-address", email.strip().lower())
    client_key = fingerprint(settings.secret_key, "client", client)
    by_address = parse_tiers(settings.staff_reset_address_limits)
    by_client = parse_tiers(settings.staff_reset_client_limits)
    checked = [
        await limiter.check(BY_ADDRESS, address_key, by_address),
        await limiter.check(BY_CLIENT, client_key, by_client),
    ]
    if all(d.allowed for d in checked):
        checked = [
            await limiter.acquire(BY_ADDRESS, address_key, by_address),
            await limiter.acquire(BY_CLIENT, client_key, by_client),
        ]
        if all(d.allowed for d in checked):
            return checked[0]
    wait = max(d.retry_after for d in checked)
    service.audit(
        session,
        actor_kind="system",
        actor_id=None,
        action=THROTTLED,
        subject_kind="staff_reset",
        detail={"address": address_key, "client": client_key, "wait_seconds": wait},
        purpose="POST /desk/sign-in/reset",
    )
    return RateDecision(allowed=False, limit=min(d.limit for d in checked), remaining=0, retry_after=wait)
