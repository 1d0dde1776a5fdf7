"""The clock: aware UTC only, and `replaying` for writing history at the time it happened (the demo)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from townsquare.clock import replaying, utcnow


def test_replaying_says_the_given_moment_in_utc_and_only_inside_the_block() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    with replaying(moment):
        assert utcnow() == moment
        assert utcnow().tzinfo is UTC
        with replaying(moment + timedelta(days=1)):
            assert utcnow() == moment + timedelta(days=1)
        assert utcnow() == moment
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)  # the real clock again


def test_replaying_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="naive"), replaying(datetime(2026, 3, 1)):  # noqa: DTZ001 - on purpose
        pass  # pragma: no cover
