"""GET /metrics: request figures labelled by route template (never the path), the queues' depths and the outbox's
lag from the database, open websockets by kind; served with the token, or without one to loopback callers only."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.factories import create_agency, create_citizen, desk_work_item
from tests.support.counters import make_office
from townsquare.app import build_runtime, create_app
from townsquare.clock import utcnow
from townsquare.lifecycle import Lifecycle
from townsquare.notify.models import OutboxMessage, OutboxStatus
from townsquare.settings import Settings

TOKEN = "a-metrics-token-for-tests-only"
BEARER = {"authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_of(text: str, route: str, status: str, method: str = "GET") -> float:
    key = ("townsquare_http_requests_total", frozenset({"method": method, "route": route, "status": status}.items()))
    return samples(text).get(key, 0.0)


async def test_requests_are_counted_by_route_template_and_status_never_by_path(client: httpx.AsyncClient) -> None:
    template = "/api/v1/cases/{reference}"
    before = (await client.get("/metrics")).text
    for reference in ("TS-2026-000001", "TS-2026-000002"):
        assert (await client.get(f"/api/v1/cases/{reference}?email=someone@example.org")).status_code == 401
    assert (await client.get("/nothing/here/jane.doe@example.org")).status_code == 404
    after = (await client.get("/metrics")).text
    assert requests_of(after, template, "401") - requests_of(before, template, "401") == 2
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    assert "TS-2026-000001" not in after
    assert "example.org" not in after
    duration = ("townsquare_http_request_duration_seconds_count", frozenset(
        {"method": "GET", "route": template, "status": "401"}.items()
    ))  # fmt: skip
    assert samples(after)[duration] >= 2


async def test_queue_depths_and_the_outbox_lag_come_from_the_database(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    now = utcnow()
    for key, status, due in (
        ("late", OutboxStatus.pending, now - timedelta(seconds=90)),
        ("later", OutboxStatus.pending, now + timedelta(hours=1)),  # not due yet: no lag
        ("given-up", OutboxStatus.dead, now - timedelta(days=1)),
    ):
        session.add(OutboxMessage(idempotency_key=key, channel="sms", recipient="+16135550100", status=status,
                                  next_attempt_at=due))  # fmt: skip
    agency = await create_agency(session)
    citizen = await create_citizen(session)
    await desk_work_item(session, agency=agency, citizen=citizen, conversation_id=None, holder=None)
    await session.commit()
    found = samples((await client.get("/metrics")).text)
    assert found[("townsquare_outbox_messages", frozenset({("status", "pending")}))] == 2
    assert found[("townsquare_outbox_messages", frozenset({("status", "dead")}))] == 1
    assert found[("townsquare_work_items_queued", frozenset())] == 1
    assert found[("townsquare_webhook_deliveries_pending", frozenset())] == 0
    assert found[("townsquare_notifications_waiting", frozenset())] == 0
    assert found[("townsquare_outbox_lag_seconds", frozenset())] >= 90


async def test_without_a_token_only_loopback_callers_no_proxy_forwarded_may_read(app: FastAPI) -> None:
    async def get(client_host: str, headers: dict[str, str] | None = None) -> int:
        transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return (await c.get("/metrics", headers=headers)).status_code

    assert await get("127.0.0.1") == 200
    assert await get("::1") == 200
    assert await get("203.0.113.9") == 403
    assert await get("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}) == 403  # a proxy on this machine
    assert await get("127.0.0.1", {"forwarded": "for=203.0.113.9"}) == 403


async def test_with_a_token_the_token_is_the_rule_from_anywhere(settings: Settings) -> None:
    tokened = settings.model_copy(update={"metrics_token": TOKEN})
    runtime = build_runtime(tokened)
    transport = httpx.ASGITransport(app=create_app(tokened, runtime), client=("203.0.113.9", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/metrics")).status_code == 401
            assert (
                await c.get("/metrics", headers={"authorization": "Bearer wrong-token-wrong-token"})
            ).status_code == 401
            assert (await c.get("/metrics", headers={"authorization": f"Basic {TOKEN}"})).status_code == 401
            ok = await c.get("/metrics", headers=BEARER)
            assert ok.status_code == 200
            assert ok.headers["content-type"].startswith("text/plain")
    finally:
        await runtime.db.dispose()


def test_open_websockets_are_counted_by_kind_and_closed_with_going_away(settings: Settings) -> None:
    tokened = settings.model_copy(update={"metrics_token": TOKEN, "routing_worker": False})
    runtime = build_runtime(tokened, pool=False)  # TestClient runs its own loop: no pooled connections
    app = create_app(tokened, runtime)
    with TestClient(app, base_url="http://testserver") as client:

        async def office() -> None:
            async with runtime.db.session() as s:
                await make_office(s, slug="service-centre", agency=await create_agency(s), clerks=1)
                await s.commit()

        assert client.portal is not None
        client.portal.call(office)
        origin = {"origin": "http://testserver"}
        with (
            client.websocket_connect("/display/service-centre/live", headers=origin) as ws,
            client.websocket_connect("/channels/chat/ws", headers=origin) as chat,
        ):
            assert ws.receive_json() == {"type": "hello"}
            chat.send_json({"type": "hello", "token": None, "last_seen": None})
            assert chat.receive_json()["type"] == "welcome"  # a device that has not written yet is still a socket
            found = samples(client.get("/metrics", headers=BEARER).text)
            assert found[("townsquare_websockets_open", frozenset({("kind", "display")}))] == 1
            assert found[("townsquare_websockets_open", frozenset({("kind", "chat")}))] == 1
            lifecycle: Lifecycle = app.state.lifecycle
            client.portal.call(lifecycle.close_sockets)  # the drain's end, before the server stops
            for socket in (ws, chat):
                with pytest.raises(WebSocketDisconnect) as closed:
                    socket.receive_json()
                assert closed.value.code == 1001  # going away: the screen or widget reconnects, to another process
        found = samples(client.get("/metrics", headers=BEARER).text)
        assert found[("townsquare_websockets_open", frozenset({("kind", "display")}))] == 0
        assert found[("townsquare_websockets_open", frozenset({("kind", "chat")}))] == 0
