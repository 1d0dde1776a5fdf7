"""A real redis-server (Debian's `redis-server`, `make redis`) for the tests of several processes: one per test
process, on a free loopback port, in its own folder, writing nothing to disk. A test may stop it and start it again
on the same port (Redis restarting under live servers).
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import redis

from tests.support.servers import free_port

REDIS_SERVER = os.environ.get("TOWNSQUARE_TEST_REDIS_SERVER", "/usr/bin/redis-server")
START_LIMIT_SECONDS = 30  # an upper bound on a loaded machine; the wait ends as soon as it answers


class RedisServer:
    """One redis-server process, started and stopped by the tests."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it (no snapshots, no append-only file) and wait until it answers."""
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError(f"{REDIS_SERVER} is missing: run `make redis` (Debian's redis-server package)")
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log"), "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        answered = threading.Event()
        for _ in range(START_LIMIT_SECONDS * 20):
            if self.answers() or self.process.poll() is not None:
                break
            answered.wait(0.05)
        assert self.answers(), f"redis-server did not start (see {self.folder / 'redis.log'})"

    def stop(self) -> None:
        """Stop it at once, as a crash would (what it held is gone: it keeps nothing on disk)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=START_LIMIT_SECONDS)
            self.process = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def flush(self) -> None:
        """Empty every key (what the last test counted or left)."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=5)
        try:
            client.flushall()
        finally:
            client.close()
