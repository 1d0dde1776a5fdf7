"""Rate limits kept by the `limits` library: Open311's doors, and the abuse limits on signing in (staff
passwords, residents' links and codes), which stack several moving windows ("3/minute;6/hour") per key.

Counters live in memory by default, or in Redis when several processes serve the same city and must share them
(`storage_for`: the deployment's own Redis unless another store is named). Keys are never personal data: callers
pass `fingerprint`s of addresses, not the addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from limits import RateLimitItem, RateLimitItemPerMinute, WindowStats, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

log = logging.getLogger(__name__)
T = TypeVar("T")

Tiers = Sequence[RateLimitItem]
MEMORY = "memory://"


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


def storage_for(configured: str, redis_url: str | None) -> str:
    """Where counters live: as configured, except that the default (memory) follows the deployment's Redis once
    there is one, since counters kept per process would let each process allow the whole limit."""
    return redis_url if redis_url and configured == MEMORY else configured


class RateLimiter:
    """One per process; `hit` counts a request against a per-minute limit, the tier methods against stacked ones.

    Counters in Redis are never in a request's way: while Redis does not answer, this process counts alone in
    memory (logged once), and tries Redis again after `retry_seconds`.
    """

    def __init__(self, storage_uri: str = MEMORY, *, key_prefix: str = "townsquare:limits", retry_seconds: float = 5.0):
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        options: dict[str, Any] = {}
        if uri.startswith("async+redis"):  # redis-py's asyncio client, as the bus between processes uses
            options = {"implementation": "redispy", "key_prefix": key_prefix, "wrap_exceptions": True}
            options |= {"socket_connect_timeout": 2, "socket_timeout": 2, "retry": Retry(NoBackoff(), 0)}
        storage = storage_from_string(uri, **options)
        assert isinstance(storage, Storage)
        self._shared = MovingWindowRateLimiter(storage)
        self._alone = MovingWindowRateLimiter(MemoryStorage()) if options else None
        self.retry_seconds = retry_seconds
        self._away_until: float | None = None  # while set, the shared store did not answer: count alone

    async def _use(self, act: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        if self._alone is None:
            return await act(self._shared)
        if self._away_until is not None and time.monotonic() < self._away_until:
            return await act(self._alone)
        try:
            result = await act(self._shared)
        except StorageError as exc:
            if self._away_until is None:
                name = type(exc.storage_error).__name__
                log.warning("rate limits: the shared store does not answer (%s); this process counts alone", name)
            self._away_until = time.monotonic() + self.retry_seconds
            return await act(self._alone)
        if self._away_until is not None:
            log.warning("rate limits: the shared store answers again")
            self._away_until = None
        return result

    async def _hit(self, item: RateLimitItem, bucket: str, key: str) -> bool:
        return await self._use(lambda limiter: limiter.hit(item, bucket, key))

    async def _stats(self, item: RateLimitItem, bucket: str, key: str) -> WindowStats:
        return await self._use(lambda limiter: limiter.get_window_stats(item, bucket, key))

    async def _clear(self, item: RateLimitItem, bucket: str, key: str) -> None:
        await self._use(lambda limiter: limiter.clear(item, bucket, key))

    async def hit(self, bucket: str, key: str, per_minute: int) -> RateDecision:
        item = RateLimitItemPerMinute(per_minute)
        allowed = await self._hit(item, bucket, key)
        stats = await self._stats(item, bucket, key)
        retry = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return RateDecision(allowed=allowed, limit=per_minute, remaining=stats.remaining, retry_after=retry)

    async def check(self, bucket: str, key: str, tiers: Tiers) -> RateDecision:
        """Whether one more event fits every window, without counting it; when not, the longest wait of the full
        windows (so the wait grows as longer windows fill up)."""
        now = time.time()
        retry, remaining, limit = 0, min(t.amount for t in tiers), min(t.amount for t in tiers)
        for tier in tiers:
            stats = await self._stats(tier, bucket, key)
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
            if not await self._hit(tier, bucket, key):  # another request took the last place meanwhile
                return await self.check(bucket, key, tiers)
        return RateDecision(True, decision.limit, max(0, decision.remaining - 1), 0)

    async def count(self, bucket: str, key: str, tiers: Tiers) -> RateDecision:
        """Count an event that already happened (a failed sign-in) in every window that has room; then say whether
        the next one would still fit."""
        for tier in tiers:
            await self._hit(tier, bucket, key)
        return await self.check(bucket, key, tiers)

    async def clear(self, bucket: str, key: str, tiers: Tiers) -> None:
        """Forget every counted event of `key` (a successful sign-in, an administrator's unlock)."""
        for tier in tiers:
            await self._clear(tier, bucket, key)


def longest_window(tiers: Tiers) -> int:
    """The length in seconds of the longest window: how long a refusal that no window explains lasts."""
    return max(t.get_expiry() for t in tiers)
