"""Logs: one JSON object per line with the time, level, logger and message, and the request's id and route template
while one is served; plain lines otherwise."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from types import SimpleNamespace

from townsquare import logs


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("townsquare.notify.worker", logging.WARNING, __file__, 1, message, args, None)


def test_a_json_line_has_the_time_level_logger_and_message() -> None:
    line = logs.json_formatter().format(_record("outbox pass failed for %s messages", 3))
    assert "\n" not in line
    found = json.loads(line)
    assert found["level"] == "WARNING"
    assert found["logger"] == "townsquare.notify.worker"
    assert found["message"] == "outbox pass failed for 3 messages"
    assert datetime.fromisoformat(found["time"]).utcoffset() is not None  # an instant, with its zone (UTC)


def test_inside_a_request_the_line_carries_its_id_and_route_template() -> None:
    route = SimpleNamespace(path="/api/v1/cases/{reference}")
    record = _record("a step")
    token = logs.request_id.set("lb-request-00000002")
    scope = logs.request_scope.set({"type": "http", "path": "/api/v1/cases/TS-2026-000001", "route": route})
    try:
        assert logs.RequestContext().filter(record)
    finally:
        logs.request_scope.reset(scope)
        logs.request_id.reset(token)
    found = json.loads(logs.json_formatter().format(record))
    assert found["request_id"] == "lb-request-00000002"
    assert found["route"] == "/api/v1/cases/{reference}"
    assert "TS-2026-000001" not in json.dumps(found)  # the template, never the path


def test_outside_a_request_nothing_is_added() -> None:
    record = _record("a background pass")
    assert logs.RequestContext().filter(record)
    found = json.loads(logs.json_formatter().format(record))
    assert "request_id" not in found
    assert "route" not in found


def test_request_ids_from_a_load_balancer_are_kept_only_when_they_look_like_one() -> None:
    assert logs.new_request_id("0a1b2c3d4e5f6071") == "0a1b2c3d4e5f6071"
    for odd in (None, "", "short", "x" * 65, "has space in it", "new\nline-0000000"):
        made = logs.new_request_id(odd)
        assert made != odd
        assert len(made) == 16
