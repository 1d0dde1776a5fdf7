"""The loop every background worker runs: a pass, then sleep until woken or the poll interval passes.

Woken by an in-process signal (something was just queued), the worker starts at once; otherwise it looks again
after the poll interval, so work queued by another process, or missed by a crash, is still found. A pass that
fails is logged and tried again at the next wake-up; stopping is prompt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def wake_or_poll(
    run_pass: Callable[[], Awaitable[bool]],
    *,
    wake: asyncio.Event,
    stop: asyncio.Event,
    poll_seconds: float,
    name: str,
) -> None:
    """Run `run_pass` until `stop` is set; it returns True when more work is waiting (the next pass starts at
    once), False when it found nothing more to do."""
    while not stop.is_set():
        wake.clear()  # before the pass, so work queued during it is not slept on
        try:
            if await run_pass():
                continue
        except Exception:
            log.exception("%s pass failed; retrying after the poll interval", name)
        waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(waiters, timeout=poll_seconds, return_when="FIRST_COMPLETED")
        for waiter in pending:
            waiter.cancel()


def draining(run_once: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[bool]]:
    """A pass that runs `run_once` until it finds nothing (each call handles one batch)."""

    async def run_pass() -> bool:
        while await run_once():
            pass
        return False

    return run_pass
