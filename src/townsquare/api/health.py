"""Liveness and readiness for load balancers and orchestrators: /healthz (the process answers) and /readyz (it can
serve: the database answers; 503 naming what failed, or while draining).

Redis, when configured, is asked too, but its silence makes the process "degraded", not unready: every process
shares the one Redis, so failing readiness on it would take every process out of the balancer at once, while a
process without Redis still serves everything and loses nothing (live updates reach its own pages only, rate limits
count in the process). The answer says so (`"degraded": ["redis"]`), and so do the logs.

Each check is bounded in time, and a failure is named without its address, password or error text.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text

from townsquare.db import Database
from townsquare.lifecycle import Lifecycle
from townsquare.staff.auth import public

log = logging.getLogger(__name__)
CHECK_SECONDS = 3.0  # longer than a healthy answer ever takes; shorter than the load balancer's check timeout

router = APIRouter(include_in_schema=False, dependencies=[Depends(public)])


class RedisPing:
    """PING to the Redis several processes share, on one client kept for the app's life."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Redis | None = None

    async def __call__(self) -> bool:
        if self._client is None:
            self._client = Redis.from_url(self.url, socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS)
        try:
            return bool(await asyncio.wait_for(self._client.ping(), CHECK_SECONDS))
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("readiness: redis did not answer (%s)", type(error).__name__)
            return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


@router.get("/healthz")
async def healthz() -> Response:
    """Alive: the process answers (nothing else is checked, so a database outage never restarts it)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    """Ready when not draining and the database answers; "degraded" (still 200) when Redis is configured and does not
    answer PING. A module function reading the app's state, not a closure over the runtime: FastAPI keeps every
    endpoint for the process's life."""
    lifecycle: Lifecycle = request.app.state.lifecycle
    if lifecycle.draining:
        return JSONResponse({"status": "draining", "failed": ["draining"]}, status_code=503)
    db: Database = request.app.state.db
    redis_ping: RedisPing | None = request.app.state.redis_ping
    database, redis = await asyncio.gather(_database(db), redis_ping() if redis_ping else _nothing_to_ask())
    if not database:
        return JSONResponse({"status": "unavailable", "failed": ["database"]}, status_code=503)
    checks = ["database"] + (["redis"] if redis_ping is not None else [])
    if not redis:
        return JSONResponse({"status": "degraded", "database": db.dialect, "checks": checks, "degraded": ["redis"]})
    return JSONResponse({"status": "ready", "database": db.dialect, "checks": checks})


async def _nothing_to_ask() -> bool:
    return True


async def _database(db: Database) -> bool:
    async def select_one() -> None:
        async with db.session(deferred=True) as session:
            await session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(select_one(), CHECK_SECONDS)
    except Exception as error:  # an outage of any kind: refused, timed out, authentication
        log.warning("readiness: the database did not answer (%s)", type(error).__name__)
        return False
    return True
