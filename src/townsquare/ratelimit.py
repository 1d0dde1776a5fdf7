"""Rate limits on the doors integrators and the public knock on (Open311), kept by the `limits` library.

A moving window per (bucket, key): counters live in memory by default, or in Redis (`redis://host:6379`) when
several processes serve the same city and must share them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


@dataclass(frozen=True)
class RateDecision:
    """Whether a request may go ahead, and when to come back if not."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the oldest hit in the window expires (0 when allowed)


class RateLimiter:
    """One per process; `hit` counts a request against a per-minute limit."""

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
