"""Serving the app on loopback for tests that need a real socket (browsers, websockets, outside programs).

Loopback only, on a free port; the server runs on its own event loop in a thread and is stopped by the caller.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from townsquare.app import Runtime

T = TypeVar("T")

START_LIMIT_SECONDS = 60  # an upper bound on a loaded machine; the wait ends as soon as the server listens
# A browser the test has not closed yet may hold a desk socket or a keep-alive connection open: the server
# cancels what is still running after this long instead of waiting for the client to hang up.
GRACEFUL_SHUTDOWN_SECONDS = 3
STOP_LIMIT_SECONDS = 60


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[asyncio.AbstractEventLoop]:
    """Serve `app` with uvicorn at 127.0.0.1:`port` until the block ends; yields the server's event loop."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS
    )
    server = uvicorn.Server(config)
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
        thread.join(timeout=STOP_LIMIT_SECONDS)
        if thread.is_alive():
            raise AssertionError(f"the live server did not stop; still running:\n{_still_running(loop, thread)}")
        loop.close()


def _still_running(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> str:
    """What the server's loop is stuck in: its thread's stack and each task's."""
    frame = sys._current_frames().get(thread.ident or 0)
    lines = traceback.format_stack(frame) if frame is not None else []
    out = io.StringIO()
    for task in asyncio.all_tasks(loop):
        task.print_stack(limit=8, file=out)
    return "".join(lines) + out.getvalue()


@dataclass
class LiveApp:
    """A live server whose runtime the test can reach: its recording provider, its database, its chat hub."""

    url: str
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    async def call(self, fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run `fn` on the server's own event loop (where its database connections and sockets live)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fn(), self.loop))
