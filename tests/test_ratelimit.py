"""The per-minute moving window behind Open311's rate limits."""

from __future__ import annotations

from townsquare.ratelimit import RateLimiter


async def test_a_key_gets_its_limit_then_waits_and_others_are_unaffected() -> None:
    limiter = RateLimiter("memory://")
    first = await limiter.hit("post", "key-1", 2)
    second = await limiter.hit("post", "key-1", 2)
    third = await limiter.hit("post", "key-1", 2)
    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert not third.allowed
    assert 0 < third.retry_after <= 60
    assert (await limiter.hit("post", "key-2", 2)).allowed
    assert (await limiter.hit("get", "key-1", 2)).allowed
