"""A wall clock the test moves by hand, for the rate limiter's windows: a window of seconds, never a sleep.

Only the rate limiter (ours and the `limits` library's in-memory storage) reads it; everything else keeps real time.
"""

from __future__ import annotations

import time

import limits.aio.storage.memory
import limits.aio.strategies
import pytest

import townsquare.ratelimit


class HandClock:
    """Stands in for the `time` module where the rate limiter reads `time.time()`."""

    def __init__(self, start: float) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def hold_rate_limit_clock(monkeypatch: pytest.MonkeyPatch) -> HandClock:
    """From now until the test ends, rate-limit windows move only when the test calls `advance`."""
    clock = HandClock(time.time())
    for module in (townsquare.ratelimit, limits.aio.storage.memory, limits.aio.strategies):
        monkeypatch.setattr(module, "time", clock)
    return clock
