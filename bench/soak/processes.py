"""Child processes the soak starts and always ends: each in a session of its own (a Ctrl-C reaches the soak, which
tears everything down in order), its output in a log file, ended by its pid only.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing uses now, below Linux's ephemeral range (32768 and up), so that no
    outgoing connection (the soak makes thousands) takes it between now and the server binding it."""
    for _ in range(200):
        port = _ports.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        if port not in _given:
            _given.add(port)
            return port
    raise RuntimeError("no free port between 20000 and 32000 on 127.0.0.1")


_ports = random.Random()
_given: set[int] = set()


def as_postgres(argv: Sequence[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then (as .ci/run does)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


class Proc:
    """One long-running child: started, watched, killed (`kill -9`) or stopped (SIGTERM, then SIGKILL)."""

    def __init__(self, name: str, argv: Sequence[str], *, env: dict[str, str], log: Path, cwd: Path) -> None:
        self.name = name
        self.log = log
        self.started_at = time.monotonic()
        self._seen: set[str] = set()
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own fixed commands
                list(argv), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_has(self, text: str) -> bool:
        """Whether the process has written `text` to its log (remembered once seen: logs only grow)."""
        if text in self._seen:
            return True
        try:
            found = text in self.log.read_text(errors="replace")
        except OSError:
            return False
        if found:
            self._seen.add(text)
        return found

    def kill9(self) -> None:
        """SIGKILL, as `kill -9 <pid>`, and reap it."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM: the process drains and ends (see `wait`)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        """Wait for the process to end; SIGKILL after `timeout` seconds."""
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        self.terminate()
        self.wait(timeout)


def run(argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a short command to its end (bounded); its output, or an error naming the command and what it said."""
    done = subprocess.run(  # noqa: S603 - our own fixed commands
        list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        said = (done.stdout + done.stderr).strip()[-2000:]
        raise RuntimeError(f"{' '.join(argv[:4])} … exited {done.returncode}: {said}")
    return done.stdout
