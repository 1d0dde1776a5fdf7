"""A real webhook receiver for tests: an HTTP server on a loopback port, in a thread, that checks every
delivery's signature with the documented `verify` and answers as the test scripts it (down, 503s, slow, 2xx).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from townsquare.notify.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, verify

HOLD_LIMIT_SECONDS = 60  # a held answer is released by the test; this only bounds a test that forgot to


@dataclass
class Received:
    """One request as the receiver saw it, and what it answered."""

    delivery_id: str
    event_type: str
    payload: dict[str, Any]
    verified: bool
    answered: int


@dataclass
class Receiver:
    """Answers `answers` in turn (then 200); `hold` keeps each answer back until `release` is set."""

    port: int
    now: Callable[[], float]  # the clock signatures are checked against (the worker's, moved by hand)
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.release.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/townsquare"

    @property
    def accepted(self) -> list[Received]:
        """The deliveries it answered with a 2xx: what the integrator actually processed."""
        return [r for r in self.received if 200 <= r.answered < 300]

    def hold(self) -> None:
        self.release.clear()

    def start(self) -> None:
        """Listen (again) on the receiver's port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                ok = verify(receiver.secret, headers, body, tolerance=300, now=receiver.now())
                receiver.release.wait(HOLD_LIMIT_SECONDS)
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.received.append(
                    Received(
                        headers.get(DELIVERY_HEADER, ""), headers.get(EVENT_HEADER, ""), json.loads(body), ok, status
                    )
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: the port is closed, as a receiver that is down."""
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=HOLD_LIMIT_SECONDS)
            self._thread = None
