"""Serving the app on loopback for tests that need a real socket (browsers, websockets, outside programs).

Loopback only, on a free port; the server runs on its own event loop in a thread and is stopped by the caller.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from townsquare.app import Runtime

T = TypeVar("T")

START_LIMIT_SECONDS = 60  # an upper bound on a loaded machine; the wait ends as soon as the server listens


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[asyncio.AbstractEventLoop]:
    """Serve `app` with uvicorn at 127.0.0.1:`port` until the block ends; yields the server's event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(START_LIMIT_SECONDS * 40):
        if server.started or not thread.is_alive():
            break
        started.wait(0.025)
    assert server.started, "the live server did not start"
    try:
        yield loop
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        loop.close()


@dataclass
class LiveApp:
    """A live server whose runtime the test can reach: its recording provider, its database, its chat hub."""

    url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    async def call(self, fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `fn` on the server's own event loop (where its database connections and sockets live)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fn(), self.loop))
