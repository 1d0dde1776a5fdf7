"""Prometheus metrics of this process: requests by method, route template and status, their latency, open
websockets by kind; several worker processes of one server add theirs up (prometheus_client's multiprocess mode).

Labels are templates and codes, never a raw path or anything a person typed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
from collections.abc import Iterable, Mapping

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # set before the worker processes start (`townsquare serve --workers`)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no route: the path itself is never a label
LIVE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")

REQUESTS = Counter(
    "townsquare_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "townsquare_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SOCKETS = Gauge("townsquare_websockets_open", "Open websockets by kind", ["kind"], multiprocess_mode="livesum")


def observe(method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered request."""
    labels = (method if method in METHODS else "other", route or UNMATCHED, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


def set_sockets(counts: Mapping[str, int]) -> None:
    """This process's open websockets by kind (chat, desk, display)."""
    for kind, count in counts.items():
        SOCKETS.labels(kind).set(count)


def multiprocess_dir() -> str | None:
    """Where the worker processes of one server keep their figures, when several serve."""
    return os.environ.get(MULTIPROC_ENV) or None


def forget_dead_processes(path: str) -> None:
    """Drop the live gauges of processes that ended without saying so (killed): their sockets are gone."""
    for name in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        found = LIVE_FILE.search(name)
        if found is not None and not _alive(int(found.group(1))):
            mark_process_dead(int(found.group(1)), path)  # type: ignore[no-untyped-call]


def process_ended() -> None:
    """This process is stopping: its open-socket figures no longer count."""
    path = multiprocess_dir()
    if path is not None:
        mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Fixed(Collector):
    """A collector of families computed before the scrape (the database's queue depths)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def render(extra: Iterable[Metric] = ()) -> bytes:
    """The text exposition: this server's figures (every worker process's, added up) and `extra`."""
    path = multiprocess_dir()
    if path is None:
        own = generate_latest(REGISTRY)
    else:
        with contextlib.suppress(OSError):
            forget_dead_processes(path)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        own = generate_latest(registry)
    return own + generate_latest(_Fixed(extra))
