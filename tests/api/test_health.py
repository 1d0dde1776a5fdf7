"""/healthz and /readyz: alive, and ready only when the database answers and the process is not draining (degraded,
still serving, without Redis); a 503 names what failed and nothing more (no address, no password, no error text)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.servers import free_port
from townsquare.app import build_runtime, create_app
from townsquare.lifecycle import Lifecycle
from townsquare.settings import Settings


class FakeRedis:
    """A Redis stand-in on loopback speaking RESP: PONG to PING, OK to whatever else a client says first."""

    def __init__(self) -> None:
        self.pings = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while command := await _command(reader):
            if command[0].upper() == b"PING":
                self.pings += 1
                writer.write(b"+PONG\r\n")
            else:
                writer.write(b"+OK\r\n")
            await writer.drain()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def _command(reader: asyncio.StreamReader) -> list[bytes]:
    """One RESP array of bulk strings (what every Redis client sends), or [] at the end of the connection."""
    header = await reader.readline()
    if not header.startswith(b"*"):
        return []
    parts = []
    for _ in range(int(header[1:])):
        size = int((await reader.readline())[1:])
        parts.append((await reader.readexactly(size + 2))[:-2])
    return parts


@pytest.fixture
async def fake_redis() -> AsyncIterator[tuple[FakeRedis, int]]:
    redis = FakeRedis()
    port = await redis.start()
    yield redis, port
    await redis.stop()


async def _get(app: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        return await client.get(path)


async def _with(settings: Settings, path: str, **changes: object) -> httpx.Response:
    changed = settings.model_copy(update=changes)
    runtime = build_runtime(changed)
    app = create_app(changed, runtime)
    try:
        return await _get(app, path)
    finally:
        if app.state.redis_ping is not None:
            await app.state.redis_ping.close()
        await runtime.db.dispose()


async def test_alive_and_ready_with_the_database(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"] == ["database"]  # no Redis configured: one process, nothing to ask


async def test_ready_asks_redis_when_one_is_configured(settings: Settings, fake_redis: tuple[FakeRedis, int]) -> None:
    redis, port = fake_redis
    ready = await _with(settings, "/readyz", redis_url=f"redis://127.0.0.1:{port}/0")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == ["database", "redis"]
    assert redis.pings == 1


async def test_redis_not_answering_leaves_the_process_serving_and_says_it_is_degraded(settings: Settings) -> None:
    # Every process shares the one Redis: failing readiness on it would empty the balancer, while each process
    # still serves everything without it.
    url = f"redis://:secret-password@127.0.0.1:{free_port()}/0"  # nobody listens there
    degraded = await _with(settings, "/readyz", redis_url=url)
    assert degraded.status_code == 200
    assert degraded.json() | {"database": "-"} == {
        "status": "degraded",
        "database": "-",
        "checks": ["database", "redis"],
        "degraded": ["redis"],
    }
    assert "secret-password" not in degraded.text
    assert (await _with(settings, "/healthz", redis_url=url)).status_code == 200  # alive all the same: no restart


async def test_a_database_not_answering_makes_the_process_unready(settings: Settings) -> None:
    nowhere = f"postgresql+asyncpg://townsquare:secret-password@127.0.0.1:{free_port()}/city"
    refused = await _with(settings, "/readyz", database_url=nowhere)
    assert refused.status_code == 503
    assert refused.json() == {"status": "unavailable", "failed": ["database"]}
    assert "secret-password" not in refused.text


async def test_readiness_turns_off_first_when_the_process_starts_draining(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/readyz")).status_code == 200
    lifecycle: Lifecycle = app.state.lifecycle
    lifecycle.draining = True  # what SIGTERM does first (tests/test_lifecycle.py, tests/test_cli_serve.py)
    draining = await client.get("/readyz")
    assert draining.status_code == 503
    assert draining.json() == {"status": "draining", "failed": ["draining"]}
    assert (await client.get("/healthz")).status_code == 200  # still alive: requests in flight finish
