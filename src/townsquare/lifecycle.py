"""One app process's life after SIGTERM: readiness turns 503 at once, requests are still served for the drain time
(the load balancer notices and stops sending), the live sockets are closed with 1001, then the server shuts down.

It wraps the server's own signal handlers and hands each signal on; it never ends a request or a loop itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[int, FrameType | None], Any]


class Lifecycle:
    """Whether the process is draining, and what to close when the drain ends (the hubs' sockets)."""

    def __init__(self) -> None:
        self.draining = False
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._closing: asyncio.Task[None] | None = None

    def on_drain(self, close: Callable[[], Awaitable[None]]) -> None:
        """Call `close` when the drain ends, before the server closes its connections."""
        self._closers.append(close)

    async def close_sockets(self) -> None:
        """Run every closer (each hub closes its sockets with 1001, going away: clients reconnect elsewhere)."""
        for close in self._closers:
            try:
                await close()
            except Exception:
                log.exception("closing live sockets failed")

    def install(self, loop: asyncio.AbstractEventLoop, *, drain_seconds: float) -> bool:
        """Wrap the SIGTERM and SIGINT handlers the server installed (uvicorn's); False when there are none to wrap
        (not the main thread, or no server handling signals)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        wrapped = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            if callable(previous):
                signal.signal(sig, self._handler(loop, previous, drain_seconds))
                wrapped = True
        return wrapped

    def _handler(self, loop: asyncio.AbstractEventLoop, previous: Handler, drain_seconds: float) -> Handler:
        def handle(sig: int, frame: FrameType | None) -> None:
            if self._closing is not None:  # shutting down already: the server's own handling (uvicorn: force)
                previous(sig, frame)
                return
            if self.draining:  # a second signal during the drain ends it at once
                loop.call_soon_threadsafe(self._end_drain, previous, sig)
                return
            self.draining = True  # readiness answers 503 from this instant
            wait = drain_seconds if sig == signal.SIGTERM else 0.0  # Ctrl-C at a terminal: nobody to drain for
            log.info("draining: readiness off, the listener closes in %.1f s", wait)
            loop.call_soon_threadsafe(loop.call_later, wait, self._end_drain, previous, sig)

        return handle

    def _end_drain(self, previous: Handler, sig: int) -> None:
        if self._closing is not None:  # ended already (a second signal came first)
            return

        def hand_on(_: asyncio.Task[None]) -> None:
            previous(sig, None)  # uvicorn: stop accepting, let requests in flight finish, then the lifespan's end

        self._closing = asyncio.ensure_future(self.close_sockets())
        self._closing.add_done_callback(hand_on)
