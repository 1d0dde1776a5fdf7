"""Bad input gets a clear 4xx problem, and nothing already stored changes."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, counts, create_agency


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    await create_agency(session)
    h = await api_key_headers(session)
    await session.commit()
    return h


def message(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "channel": "sms",
        "external_id": "SM1",
        "from": {"kind": "phone", "value": "+15550102030"},
        "text": "hello",
    }
    body.update(overrides)
    return body


BAD = {
    "unknown channel": (message(channel="pigeon"), 422),
    "oversized body": (message(text="x" * 20_001), 413),
    "malformed phone": (message(**{"from": {"kind": "phone", "value": "call me maybe"}}), 422),
    "impossible phone": (message(**{"from": {"kind": "phone", "value": "+1 555"}}), 422),
    "malformed email": (message(channel="email", **{"from": {"kind": "email", "value": "maria@@example"}}), 422),
    "unknown case reference": (message(case_reference="TS-2026-000999"), 422),
    "oversized attachment": (
        message(
            attachments=[
                {
                    "filename": "big.jpg",
                    "content_type": "image/jpeg",
                    "content_base64": base64.b64encode(b"\0" * (10 * 1024 * 1024 + 1)).decode(),
                }
            ]
        ),
        413,
    ),
    "attachment type": (
        message(attachments=[{"filename": "x.exe", "content_type": "application/x-msdownload", "content_base64": ""}]),
        415,
    ),
    "attachment not base64": (
        message(attachments=[{"filename": "a.png", "content_type": "image/png", "content_base64": "%%%"}]),
        422,
    ),
    "naive received_at": (message(received_at="2026-01-01T10:00:00"), 422),
    "unknown service": (message(service_code="NOPE"), 404),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
async def test_bad_input_is_refused_with_a_problem_and_stores_nothing(
    case: str,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Something already accepted, which must survive untouched.
    ok = await client.post("/api/v1/interactions", json=message(external_id="SM-ok"), headers=headers)
    assert ok.status_code == 201
    before = await counts(session)
    body, status = BAD[case]
    with caplog.at_level(logging.DEBUG, logger="townsquare"):
        response = await client.post("/api/v1/interactions", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"]
    assert problem["detail"]
    assert await counts(session) == before
    # Nothing personal in our logs.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("townsquare"))
    assert ours, "the refusal should have been logged"
    assert "0102030" not in ours
    assert "maria@@example" not in ours


async def test_requests_without_credentials_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/interactions", json=message())
    assert response.status_code == 401
    assert response.json()["title"] == "Authentication required"
    bad_key = await client.post("/api/v1/interactions", json=message(), headers={"Authorization": "Bearer ts_nope"})
    assert bad_key.status_code == 401


async def test_a_body_over_the_request_limit_is_refused_before_it_is_read(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    huge = b"{" + b" " * (41 * 1024 * 1024) + b"}"
    response = await client.post(
        "/api/v1/interactions", content=huge, headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_malformed_json_is_a_readable_problem(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/interactions", content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


async def test_a_streamed_body_over_the_limit_is_refused_without_content_length(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    before = await counts(session)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"channel": "sms", "text": "'
        for _ in range(45):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = await client.post(
        "/api/v1/interactions", content=chunks(), headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert await counts(session) == before
