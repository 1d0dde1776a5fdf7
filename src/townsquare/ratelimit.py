"""Rate limits kept by the `limits` library: Open311's doors, and the abuse limits on signing in (staff
passwords, residents' links and codes), which stack several moving windows ("3/minute;6/hour") per key.

Counters live in memory by default, or in Redis (`redis://host:6379`) when several processes serve the same city
and must share them. Keys are never personal data: callers pass `fingerprint`s of addresses, not the addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

Tiers = Sequence[RateLimitItem]


@dataclass(frozen=True)
class RateDecision:
    """Whether a request may go ahead, and when to come back if not."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the oldest hit in the window expires (0 when allowed)


def parse_tiers(spec: str) -> list[RateLimitItem]:
    """Windows written as the `limits` library reads them, e.g. `3/minute;6/hour` (ValueError if unreadable)."""
    return list(parse_many(spec))


def fingerprint(secret: str, purpose: str, value: str) -> str:
    """A short keyed digest of an address (email, phone, client IP): the same value always gives the same
    fingerprint, so it can key counters and link audit rows, but it cannot be read back without the secret."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:20]


class RateLimiter:
    """One per process; `hit` counts a request against a per-minute limit, the tier methods against stacked ones."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        storage = storage_from_string(uri)
        assert isinstance(storage, Storage)
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, bucket: str, key: str, per_minute: int) -> RateDecision:
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._limiter.hit(item, bucket, key)
        stats = await self._limiter.get_window_stats(item, bucket, key)
        retry = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(allowed=allowed, limit=per_minute, remaining=stats.remaining, retry_after=retry)

    async def check(self, bucket: str, key: str, tiers: Tiers) -> RateDecision:
        """Whether one more event fits every window, without counting it; when not, the longest wait of the full
        windows (so the wait grows as longer windows fill up)."""
        now = time.time()
        retry, remaining, limit = 0, min(t.amount for t in tiers), min(t.amount for t in tiers)
        for tier in tiers:
            stats = await self._limiter.get_window_stats(tier, bucket, key)
            remaining = min(remaining, stats.remaining)
            if stats.remaining <= 0:
                retry = max(retry, max(1, math.ceil(stats.reset_time - now)))
                limit = tier.amount
        return RateDecision(allowed=retry == 0, limit=limit, remaining=max(0, remaining), retry_after=retry)

    async def acquire(self, bucket: str, key: str, tiers: Tiers) -> RateDecision:
        """Count one event in every window if it fits them all; else count nothing and say how long to wait."""
        decision = await self.check(bucket, key, tiers)
        if not decision.allowed:
            return decision
        for tier in tiers:
            if not await self._limiter.hit(tier, bucket, key):  # another request took the last place meanwhile
                return await self.check(bucket, key, tiers)
        return RateDecision(True, decision.limit, max(0, decision.remaining - 1), 0)

    async def count(self, bucket: str, key: str, tiers: Tiers) -> RateDecision:
        """Count an event that already happened (a failed sign-in) in every window that has room; then say whether
        the next one would still fit."""
        for tier in tiers:
            await self._limiter.hit(tier, bucket, key)
        return await self.check(bucket, key, tiers)

    async def clear(self, bucket: str, key: str, tiers: Tiers) -> None:
        """Forget every counted event of `key` (a successful sign-in, an administrator's unlock)."""
        for tier in tiers:
            await self._limiter.clear(tier, bucket, key)


def longest_window(tiers: Tiers) -> int:
    """The length in seconds of the longest window: how long a refusal that no window explains lasts."""
    return max(t.get_expiry() for t in tiers)
