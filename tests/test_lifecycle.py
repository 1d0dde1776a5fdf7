"""SIGTERM drains in order: readiness off at once, then (after the drain time) the live sockets closed, then the
signal handed on to the server, which stops accepting and lets requests in flight finish."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

from townsquare.lifecycle import Lifecycle


@pytest.fixture
def server_handlers() -> Iterator[list[tuple[str, int | None]]]:
    """Stand-ins for uvicorn's own SIGTERM and SIGINT handlers, recording what reached them."""
    seen: list[tuple[str, int | None]] = []

    def server(sig: int, _: FrameType | None) -> None:
        seen.append(("server", sig))

    before = {sig: signal.signal(sig, server) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield seen
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


async def test_sigterm_turns_readiness_off_then_closes_the_sockets_then_hands_the_signal_on(
    server_handlers: list[tuple[str, int | None]],
) -> None:
    lifecycle = Lifecycle()

    async def close_sockets() -> None:
        server_handlers.append(("sockets closed", None))

    lifecycle.on_drain(close_sockets)
    assert lifecycle.install(asyncio.get_running_loop(), drain_seconds=0.0)
    signal.raise_signal(signal.SIGTERM)
    assert lifecycle.draining  # readiness answers 503 from the signal's instant
    assert server_handlers == []  # the server has not been told yet: it still accepts, as the drain wants
    for _ in range(1000):  # the loop runs the drain's steps, one a turn; none waits on time
        if len(server_handlers) == 2:
            break
        await asyncio.sleep(0)
    assert server_handlers == [("sockets closed", None), ("server", signal.SIGTERM)]
    signal.raise_signal(signal.SIGINT)  # a second signal: straight to the server (uvicorn forces on Ctrl-C)
    assert server_handlers[-1] == ("server", signal.SIGINT)


def test_nothing_is_wrapped_off_the_main_thread() -> None:
    found: list[bool] = []
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: found.append(Lifecycle().install(loop, drain_seconds=1.0)))
    thread.start()
    thread.join()
    loop.close()
    assert found == [False]
