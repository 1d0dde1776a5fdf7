"""The outermost middleware: gives each request an id (kept from the load balancer's X-Request-ID when it looks like
one, sent back in the answer), counts it and its latency by route template and status, and writes the access line.

The access line names the method, the route's template, the status and the time: never the path, its query or the
client's address (uvicorn's own access log, which prints all three, is off).
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from townsquare import logs, metrics

PROBES = frozenset({"/healthz", "/readyz", "/metrics"})  # asked every few seconds: their lines at DEBUG


class Observe:
    """Request id, metrics and the access line for every HTTP request (websockets pass through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = logs.new_request_id(offered)
        id_token, scope_token = logs.request_id.set(rid), logs.request_scope.set(scope)
        status = 500  # what the client meets if the app fails before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = logs.route_template(scope)
            method = str(scope.get("method", ""))
            metrics.observe(method, route, status, seconds)
            logs.access.log(
                logging.DEBUG if route in PROBES else logging.INFO,
                "%s %s %d %.1f ms",
                method,
                route or metrics.UNMATCHED,
                status,
                seconds * 1000,
                extra={"method": method, "route": route or metrics.UNMATCHED, "status": status,
                       "duration_ms": round(seconds * 1000, 1)},
            )  # fmt: skip
            logs.request_scope.reset(scope_token)
            logs.request_id.reset(id_token)
