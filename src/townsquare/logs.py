"""Logging for every process: plain lines, or one JSON object per line (TOWNSQUARE_LOG_FORMAT=json) with the time,
level, logger, message and, inside a request, its id and route template.

Never logs a raw path, a query string or a client address: the access line names the route's template only.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# Libraries whose debug output echoes SQL parameters or request bodies, i.e. personal data.
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "httpx", "httpcore", "multipart", "mail.log")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # what a load balancer's id may look like to be kept

request_id: ContextVar[str | None] = ContextVar("townsquare_request_id", default=None)
request_scope: ContextVar[MutableMapping[str, Any] | None] = ContextVar("townsquare_request_scope", default=None)
access = logging.getLogger("townsquare.access")


def new_request_id(offered: str | None) -> str:
    """The id the load balancer gave the request (X-Request-ID) when it looks like one, else a new one."""
    if offered and REQUEST_ID.fullmatch(offered):
        return offered
    return secrets.token_hex(8)


def route_template(scope: MutableMapping[str, Any]) -> str | None:
    """The template of the route that served the request (`/api/v1/cases/{reference}`), never the path itself;
    None before routing, or when no route matched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


class RequestContext(logging.Filter):
    """Adds the request's id and route template to records logged while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id.get()
        if rid is not None:
            record.__dict__["request_id"] = rid
            scope = request_scope.get()
            template = route_template(scope) if scope is not None else None
            if template is not None and "route" not in record.__dict__:
                record.__dict__["route"] = template
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time (UTC, ISO 8601), level, logger, process id, message, then whatever the record
    carries (a request's id and route template)."""
    return JsonFormatter(
        "{levelname}{name}{process}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def configure(*, level: str, json: bool) -> None:
    """Send every logger's records to standard error, as JSON lines or plain ones; uvicorn's loggers too (its
    access log is replaced by our own line, which names the route's template instead of the path and its query)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestContext())
    handler.setFormatter(json_formatter() if json else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning is a log line like any other (JSON too)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
