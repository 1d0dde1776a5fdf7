"""The chaos, mid-burst: `kill -9` of an app process and of a worker (each replaced at once, as a supervisor would),
a Redis restart and a PostgreSQL restart, spread over the burst; and the watch that tells when the cluster was whole
again after each (`counting.recovered_at`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from . import reading
from .cluster import Cluster
from .counting import Sample

SAMPLE_SECONDS = 0.25


@dataclass(frozen=True)
class Event:
    """A chaos event: what, when it began, and when its action (and the replacement's start) was done."""

    name: str
    start: float
    done: float


async def _kill_app(cluster: Cluster) -> None:
    cluster.kill_app(1)
    cluster.start_app(1)


async def _kill_worker(cluster: Cluster) -> None:
    cluster.kill_worker(0)
    cluster.start_worker(0)


async def _restart_redis(cluster: Cluster) -> None:
    await asyncio.to_thread(cluster.restart_redis)


async def _restart_postgres(cluster: Cluster) -> None:
    assert cluster.postgres is not None
    await asyncio.to_thread(cluster.postgres.restart)


SCHEDULE: tuple[tuple[float, str, Callable[[Cluster], Awaitable[None]]], ...] = (
    (0.15, "kill -9 app1 (and start another)", _kill_app),
    (0.35, "kill -9 worker0 (and start another)", _kill_worker),
    (0.55, "restart Redis", _restart_redis),
    (0.75, "restart PostgreSQL", _restart_postgres),
)


async def unleash(cluster: Cluster, began: float, burst_seconds: float) -> list[Event]:
    """Each event at its share of the burst (time.time() based); returns them as they happened."""
    events = []
    for share, name, act in SCHEDULE:
        delay = began + share * burst_seconds - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        start = time.time()
        print(f"soak: {start - began:6.1f} s  {name}", file=sys.stderr, flush=True)
        await act(cluster)
        events.append(Event(name, start, time.time()))
    return events


class Watch:
    """Samples the cluster every quarter second: every process ready, and the outbox's oldest due message."""

    def __init__(self, cluster: Cluster, db: AsyncEngine) -> None:
        self.cluster = cluster
        self.db = db
        self.samples: list[Sample] = []
        self.missing: list[list[str]] = []  # beside each sample, what was not ready (for the log)

    async def run_until_cancelled(self) -> None:
        async with httpx.AsyncClient(timeout=3.0, trust_env=False) as client:
            while True:
                at = time.time()
                missing = await self.cluster.not_ready(client)
                ready = not missing
                oldest: float | None = None
                try:
                    _, oldest = await asyncio.wait_for(reading.backlog(self.db), timeout=2.0)
                except Exception:  # the database away (its restart): not whole yet
                    ready = False
                self.samples.append(Sample(at, ready, oldest))
                self.missing.append(missing)
                await asyncio.sleep(max(0.0, SAMPLE_SECONDS - (time.time() - at)))


@contextlib.asynccontextmanager
async def watching(cluster: Cluster, db: AsyncEngine) -> AsyncIterator[Watch]:
    watch = Watch(cluster, db)
    task = asyncio.create_task(watch.run_until_cancelled(), name="watch")
    try:
        yield watch
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
