"""The per-minute moving window behind Open311's rate limits; counters shared by the processes of a deployment
through its Redis, and kept in the process while Redis does not answer."""

from __future__ import annotations

import logging

import pytest

from tests.support.redis import RedisServer
from townsquare.ratelimit import RateLimiter, parse_tiers, storage_for


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


def test_counters_follow_the_deployment_s_redis_unless_another_store_is_named() -> None:
    shared = "redis://127.0.0.1:6379/0"
    assert storage_for("memory://", None) == "memory://"
    assert storage_for("memory://", shared) == shared
    assert storage_for("redis://limits.example:6379/2", shared) == "redis://limits.example:6379/2"


async def test_processes_sharing_redis_share_their_counters(redis_url: str) -> None:
    one, two = RateLimiter(redis_url, key_prefix="t:limits"), RateLimiter(redis_url, key_prefix="t:limits")
    assert (await one.hit("post", "key-1", 2)).allowed
    assert (await two.hit("post", "key-1", 2)).allowed
    assert not (await one.hit("post", "key-1", 2)).allowed  # not twice the limit for two processes
    tiers = parse_tiers("1/minute")
    assert (await two.acquire("sign-in", "k", tiers)).allowed
    assert not (await one.check("sign-in", "k", tiers)).allowed
    await one.clear("sign-in", "k", tiers)
    assert (await two.check("sign-in", "k", tiers)).allowed
    elsewhere = RateLimiter(redis_url, key_prefix="another-city:limits")
    assert (await elsewhere.hit("post", "key-1", 2)).allowed


async def test_without_redis_a_process_counts_alone_says_so_once_and_shares_again_after(
    redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="townsquare.ratelimit")
    limiter = RateLimiter(redis_url, key_prefix="t:limits", retry_seconds=0)
    assert (await limiter.hit("post", "key-1", 2)).allowed
    redis_server.stop()
    alone = [await limiter.hit("post", "key-1", 2) for _ in range(3)]
    assert [d.allowed for d in alone] == [True, True, False]  # no request fails; the limit still holds here
    redis_server.start()  # empty: it keeps nothing on disk
    assert (await limiter.hit("post", "key-1", 2)).remaining == 1
    lines = [r.getMessage() for r in caplog.records]
    assert sum("does not answer" in line for line in lines) == 1
    assert sum("answers again" in line for line in lines) == 1
