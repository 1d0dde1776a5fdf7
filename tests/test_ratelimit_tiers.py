"""Stacked moving windows (the abuse limits' building block): check without counting, acquire all or nothing, count
what happened, forget on success; the wait is the longest full window; keys are keyed fingerprints."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from townsquare.ratelimit import RateLimiter, fingerprint, longest_window, parse_tiers
from townsquare.settings import Settings


async def test_the_wait_grows_as_longer_windows_fill() -> None:
    limiter = RateLimiter()
    tiers = parse_tiers("2/minute;3/hour")
    assert (await limiter.check("b", "k", tiers)).allowed
    for _ in range(2):
        assert (await limiter.acquire("b", "k", tiers)).allowed
    minute = await limiter.check("b", "k", tiers)
    assert not minute.allowed
    assert 55 <= minute.retry_after <= 60
    refused = await limiter.acquire("b", "k", tiers)
    assert (refused.allowed, refused.retry_after) == (False, minute.retry_after)  # a refusal counts nothing
    await limiter.clear("b", "k", tiers[:1])  # as if the minute had passed
    assert (await limiter.acquire("b", "k", tiers)).allowed
    hour = await limiter.check("b", "k", tiers)
    assert not hour.allowed
    assert 3500 <= hour.retry_after <= 3600
    assert (await limiter.check("b", "other", tiers)).allowed
    assert (await limiter.check("other-bucket", "k", tiers)).allowed


async def test_count_records_what_happened_and_clear_forgets_it() -> None:
    limiter = RateLimiter("memory://")
    tiers = parse_tiers("1/minute")
    after = await limiter.count("failures", "k", tiers)
    assert (after.allowed, after.remaining) == (False, 0)
    assert not (await limiter.count("failures", "k", tiers)).allowed  # a full window stays full, never over
    await limiter.clear("failures", "k", tiers)
    assert (await limiter.check("failures", "k", tiers)).allowed


def test_fingerprints_are_stable_keyed_and_do_not_show_the_value() -> None:
    one = fingerprint("secret-a", "resident-address", "maria@example.org")
    assert one == fingerprint("secret-a", "resident-address", "maria@example.org")
    assert one != fingerprint("secret-b", "resident-address", "maria@example.org")
    assert one != fingerprint("secret-a", "client", "maria@example.org")
    assert "maria" not in one
    assert len(one) == 20


def test_limits_settings_are_read_as_windows_and_refused_when_unreadable() -> None:
    tiers = parse_tiers(Settings().staff_sign_in_account_limits)
    assert [(t.amount, t.get_expiry()) for t in tiers] == [(3, 60), (6, 3600)]
    assert longest_window(parse_tiers("3/15 minutes;10/day")) == 86400
    with pytest.raises(ValidationError, match="staff_sign_in_client_limits"):
        Settings(staff_sign_in_client_limits="lots per hour")
    with pytest.raises(ValidationError, match="staff_lock_after_failures"):
        Settings(staff_lock_after_failures=0)
