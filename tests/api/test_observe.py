"""Every request gets an id (the load balancer's, when it looks like one) sent back in the answer, and one access line
naming its route template, status and time: never the path, its query or the client's address."""

from __future__ import annotations

import logging

import httpx
import pytest


async def test_a_request_id_is_made_or_kept_from_the_load_balancer(client: httpx.AsyncClient) -> None:
    made = (await client.get("/healthz")).headers["x-request-id"]
    again = (await client.get("/healthz")).headers["x-request-id"]
    assert len(made) == 16
    assert made != again
    kept = await client.get("/healthz", headers={"x-request-id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"})
    assert kept.headers["x-request-id"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    odd = await client.get("/healthz", headers={"x-request-id": "<script>alert(1)</script>"})
    assert odd.headers["x-request-id"] != "<script>alert(1)</script>"  # not ours to echo: a new one instead


async def test_the_access_line_names_the_template_and_never_the_path_or_query(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="townsquare.access")
    answer = await client.get(
        "/api/v1/cases/TS-2026-000042?email=jane.doe@example.org", headers={"x-request-id": "lb-request-00000001"}
    )
    assert answer.status_code == 401
    [line] = [r for r in caplog.records if r.name == "townsquare.access"]
    assert line.getMessage().startswith("GET /api/v1/cases/{reference} 401 ")
    assert (line.route, line.status, line.method) == ("/api/v1/cases/{reference}", 401, "GET")  # type: ignore[attr-defined]
    assert "TS-2026-000042" not in caplog.text
    assert "jane.doe" not in caplog.text
    assert "127.0.0.1" not in caplog.text
