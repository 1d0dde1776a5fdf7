"""`townsquare serve` and `townsquare worker` as real processes: SQLite refuses a second one, SIGTERM drains
(readiness off first, the request in flight answered after the listener closed, exit 0), logs are JSON lines."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from tests.factories import api_key_headers, create_agency
from tests.support.servers import free_port
from townsquare import migrations
from townsquare.cli import cli
from townsquare.cli_serve import FACTORY, _config
from townsquare.db import Database
from townsquare.events import EventBus
from townsquare.settings import Settings, get_settings

LIMIT = 120.0  # an upper bound on a loaded machine for a process to start or stop; each wait ends on its condition
COMMAND = [sys.executable, "-c", "from townsquare.cli import main; main()"]


class Process:
    """A `townsquare` command running apart, its JSON log lines read as they come."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own command, with arguments of ours
            [*COMMAND, *args], env=env, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            try:
                self.lines.put(json.loads(raw))
            except ValueError:
                self.lines.put({"logger": "not json", "message": raw})  # fails the test's last check

    def wait_for(self, message: str) -> dict[str, Any]:
        """The first log line (from now on) whose message starts with `message`."""
        while True:
            line = self.lines.get(timeout=LIMIT)
            self.seen.append(line)
            if str(line.get("message", "")).startswith(message):
                return line

    def exit_code(self) -> int:
        """The exit code, waited for; on a timeout, what the process logged last says where it stood."""
        try:
            return self.proc.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            while not self.lines.empty():
                self.seen.append(self.lines.get())
            raise AssertionError(f"still running; its last lines: {self.seen[-15:]}") from None

    def stop(self) -> None:
        """After a failure: end the process at once (a SIGTERM would drain for the test's long drain time)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=LIMIT)


@pytest.fixture
def sqlite_city(template_database: str, tmp_path: Path) -> str:
    """A migrated SQLite file of its own, with an agency and an API key (returned as its Authorization header)."""
    target = tmp_path / "city.db"
    url = f"sqlite+aiosqlite:///{target}"
    if template_database.startswith("postgresql"):
        migrations.upgrade(url)
    else:
        shutil.copyfile(template_database, target)

    async def seed() -> str:
        db = Database(url, EventBus())
        try:
            async with db.session() as session:
                headers = await api_key_headers(session, agency=await create_agency(session))
                await session.commit()
                return headers["Authorization"]
        finally:
            await db.dispose()

    (tmp_path / "key").write_text(asyncio.run(seed()))
    return url


@pytest.fixture
def env(sqlite_city: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    values = {
        "TOWNSQUARE_DATABASE_URL": sqlite_city,
        "TOWNSQUARE_DATA_DIR": str(tmp_path / "var"),
        "TOWNSQUARE_ENV": "test",
        "TOWNSQUARE_LOG_FORMAT": "json",
        "TOWNSQUARE_SHUTDOWN_DRAIN_SECONDS": "120",  # ended by a second SIGTERM: the test decides when
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)  # for the commands run here with CliRunner too
    get_settings.cache_clear()
    yield {**os.environ, **values}
    get_settings.cache_clear()


def test_several_workers_or_loops_apart_on_sqlite_are_refused(env: dict[str, str]) -> None:
    runner = CliRunner()
    several = runner.invoke(cli, ["serve", "--workers", "3"])
    assert several.exit_code == 2
    assert "--workers 3 on SQLite" in several.output
    assert "PostgreSQL (TOWNSQUARE_DATABASE_URL) and Redis (TOWNSQUARE_REDIS_URL)" in several.output
    os.environ["TOWNSQUARE_BACKGROUND_IN_APP"] = "false"
    get_settings.cache_clear()
    try:
        apart = runner.invoke(cli, ["serve"])
    finally:
        del os.environ["TOWNSQUARE_BACKGROUND_IN_APP"]
        get_settings.cache_clear()
    assert apart.exit_code == 2
    assert "TOWNSQUARE_BACKGROUND_IN_APP=false" in apart.output
    unknown = runner.invoke(cli, ["worker", "--only", "outbox,outbx"])
    assert unknown.exit_code == 2
    assert "no background loop is called outbx" in unknown.output


def _send(port: int, data: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=LIMIT)
    conn.sendall(data)
    return conn


def _answer(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _get(port: int, path: str) -> bytes:
    with _send(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()) as conn:
        return _answer(conn)


def _ready_answer(port: int) -> bytes:
    """/readyz's answer, or b"" while nothing listens yet: uvicorn says "Application startup complete" before it
    binds its socket, and on a loaded machine the bind may come a moment later."""
    try:
        return _get(port, "/readyz")
    except ConnectionRefusedError:
        time.sleep(0.25)
        return b""


def _until_ready(port: int) -> None:
    """Until /readyz answers 200: on a loaded machine its first checks may run out of time (3 s each, which paces
    the tries) while the start-up work still holds the event loop."""
    answers = [_ready_answer(port)]
    while not answers[-1].startswith(b"HTTP/1.1 200") and len(answers) < 80:
        answers.append(_ready_answer(port))
    assert answers[-1].startswith(b"HTTP/1.1 200"), answers[-1]


def test_sigterm_drains_readiness_first_then_the_request_in_flight_then_exits_0(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    server = Process(["serve", "--no-migrate", "--port", str(port)], env)
    try:
        server.wait_for("Application startup complete")
        runner = CliRunner()  # a second long-running process on the file: refused, and told what scales
        for args in (["serve", "--no-migrate", "--port", str(free_port())], ["worker"]):
            refused = runner.invoke(cli, args)
            assert refused.exit_code == 1, refused.output
            assert f"pid {server.proc.pid}" in refused.output
            assert "PostgreSQL" in refused.output
        _until_ready(port)
        body = json.dumps({"channel": "sms", "from": {"kind": "phone", "value": "6135550142"}, "text": "Pothole"})
        head = (
            f"POST /api/v1/interactions?source=shutdown-test HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {(tmp_path / 'key').read_text()}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nX-Request-ID: shutdown-test-0001\r\n\r\n"
        )
        in_flight = _send(port, head.encode())
        assert in_flight.recv(100).startswith(b"HTTP/1.1 100 Continue")  # the app is reading the body: in flight
        server.proc.send_signal(signal.SIGTERM)
        server.wait_for("draining: readiness off")
        assert b"HTTP/1.1 503" in _get(port, "/readyz")  # still accepting, but telling the balancer to go away
        server.proc.send_signal(signal.SIGTERM)  # the drain time ends at once
        server.wait_for("Waiting for connections to close")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=LIMIT).close()
        in_flight.sendall(body.encode())
        answer = _answer(in_flight)
        in_flight.close()
        assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
        assert server.exit_code() == 0
    finally:
        server.stop()  # only after a failure: the process has exited already
    server.wait_for("Finished server process")
    access = [line for line in server.seen if line["logger"] == "townsquare.access"]
    ours = [line for line in access if line.get("request_id") == "shutdown-test-0001"]
    assert [(line["route"], line["status"]) for line in ours] == [("/api/v1/interactions", 201)]
    assert {"time", "level", "logger", "process", "message"} <= set(ours[0])
    assert "shutdown-test" not in " ".join(str(line["message"]) for line in server.seen)  # no query string
    assert [line for line in server.seen if line["logger"] == "not json"] == []  # one JSON object a line


def test_a_worker_runs_its_loops_without_http_and_stops_on_sigterm(env: dict[str, str]) -> None:
    worker = Process(["worker", "--only", "outbox,notifications"], env | {"TOWNSQUARE_OUTBOX_WORKER": "true"})
    try:
        started = worker.wait_for("worker running")
        assert started["message"] == "worker running: outbox, notifications"
        worker.proc.send_signal(signal.SIGTERM)
        worker.wait_for("worker stopping")
        assert worker.exit_code() == 0
    finally:
        worker.stop()


def test_several_worker_processes_serve_one_port_and_add_up_their_figures(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL (SQLite refuses them: the first test)")
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "TOWNSQUARE_DATABASE_URL": database_url,
        "TOWNSQUARE_DATA_DIR": str(tmp_path / "var"),
        "TOWNSQUARE_ENV": "test",
        "TOWNSQUARE_LOG_FORMAT": "json",
        "TOWNSQUARE_SHUTDOWN_DRAIN_SECONDS": "0",
    }
    port = free_port()
    server = Process(["serve", "--no-migrate", "--workers", "2", "--port", str(port)], env)
    try:
        for _ in range(2):
            server.wait_for("Application startup complete")
        served_by: set[int] = set()
        sent = 0
        while len(served_by) < 2 and sent < 2000:  # until each process has answered at least once
            assert b"HTTP/1.1 404" in _get(port, "/no-such-page")
            sent += 1
            served_by.add(int(server.wait_for("GET unmatched 404")["process"]))
        assert len(served_by) == 2
        exposition = _get(port, "/metrics").split(b"\r\n\r\n", 1)[1].decode()
        counted = [
            sample.value
            for family in text_string_to_metric_families(exposition)
            for sample in family.samples
            if sample.name == "townsquare_http_requests_total" and sample.labels.get("route") == "unmatched"
        ]
        assert counted == [sent]  # every process's requests, added up, whichever one answered the scrape
        server.proc.send_signal(signal.SIGTERM)
        assert server.exit_code() == 0
    finally:
        server.stop()


def test_websockets_are_served_uncompressed_unless_the_setting_asks(settings: Settings) -> None:
    assert _config(settings, FACTORY, "127.0.0.1", 8000).ws_per_message_deflate is False
    deflating = settings.model_copy(update={"websocket_deflate": True})
    assert _config(deflating, FACTORY, "127.0.0.1", 8000).ws_per_message_deflate is True
