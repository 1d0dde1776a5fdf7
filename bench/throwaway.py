"""Throwaway servers for the benchmarks of several processes: a PostgreSQL cluster in a temp folder, a redis-server,
HAProxy with the deployment's own settings, and the app as `townsquare serve [--workers N]`, all on loopback.

Each is started on a free 127.0.0.1 port, waited for with a bound, and stopped (then its folder removed) by the
caller's `with` block, whatever happened. PostgreSQL runs as the `postgres` user when this runs as root (initdb
refuses root), with fsync off as the project's development and CI clusters have it; Redis keeps nothing on disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

import ingest_wrk
import proc_cpu  # this script's directory is on sys.path
from ingest import HOST, free_port

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT_S = 90.0  # an upper bound on a loaded machine; every wait ends as soon as the thing answers
STOP_LIMIT_S = 30.0
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"


def _run(command: list[str], *, timeout: float = 120.0) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {(done.stderr or done.stdout).strip()[-600:]}")


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _wait(check: str, answers: Callable[[], bool], proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `answers()` every 0.1 s until it is true, the process died, or the limit."""
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if answers():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{check} exited with code {proc.returncode} before it answered")
        time.sleep(0.1)
    raise RuntimeError(f"{check} did not answer within {START_LIMIT_S:.0f} s")


def pg_bin() -> Path:
    """The newest Debian PostgreSQL's programs (the `postgresql` package)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed: `sudo apt-get install -y postgresql` (Debian) and try again")
    return found[-1].parent


@contextlib.contextmanager
def postgres(folder: Path) -> Iterator[Postgres]:
    server = Postgres(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Postgres:
    """A new cluster: initdb, pg_ctl start on a free port (trust, loopback and a socket in its folder), stop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "pg"
        self.port = free_port()
        self.bin = pg_bin()
        self.user = "townsquare"

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if _root() else command

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        if _root():
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.folder.parent, "postgres")
        data = str(self.folder / "data")
        _run(self._as_owner([str(self.bin / "initdb"), "-D", data, "-U", self.user, "--auth=trust", "-E", "UTF8"]))
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={HOST} -c fsync=off"
        log = str(self.folder / "server.log")
        _run(self._as_owner([str(self.bin / "pg_ctl"), "-D", data, "-l", log, "-w", "-o", options, "start"]))

    @property
    def pid(self) -> int:
        """The postmaster (every backend is its child)."""
        return int((self.folder / "data" / "postmaster.pid").read_text().split("\n", 1)[0])

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        _run(
            [
                str(self.bin / "psql"),
                "-h",
                HOST,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                "postgres",
                "-qc",
                f"CREATE DATABASE {name}",
            ]
        )
        return self.url(name)

    def version(self) -> str:
        done = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True, text=True, timeout=10)  # noqa: S603
        found = re.search(r"\) (\d[\d.]*)", done.stdout)  # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        return found.group(1) if found else done.stdout.strip()

    def stop(self) -> None:
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run(
                    self._as_owner([str(self.bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]), timeout=60
                )
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[tuple[str, int]]:
    """Debian's redis-server (`make redis`) on a free port, keeping nothing on disk: yields (URL, pid)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise SystemExit("redis-server is missing: run `make redis` (Debian's redis-server package)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(folder)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        _wait("redis-server", lambda: _tcp_answers(port, b"PING\r\n", b"+PONG"), proc)
        yield f"redis://{HOST}:{port}/0", proc.pid
    finally:
        stop(proc)


def _tcp_answers(port: int, send: bytes, expect: bytes) -> bool:
    import socket

    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(send)
            return sock.recv(64).startswith(expect)
    except OSError:
        return False


# --------------------------------------------------------------------------------------------- HAProxy


def ensure_haproxy() -> str:
    """Debian's haproxy (`make haproxy`)."""
    return ingest_wrk.ensure_program("haproxy", hint="run `make haproxy` (Debian's haproxy package)")


def haproxy_config(front_port: int, app_ports: list[int], source: str | None = None) -> str:
    """deploy/haproxy.cfg as deployed, on this machine: the front on a loopback port, the app processes listed by
    port instead of found through Docker's DNS, and the log off (it would go to this terminal)."""
    text = source if source is not None else HAPROXY_CFG.read_text()
    text = re.sub(r"\nresolvers docker\n(?:[ \t]+\S.*\n)+", "\n", text)
    text = text.replace(" init-addr last,libc,none resolvers docker", "")
    text = re.sub(r"\n[ \t]*log stdout .*", "", text)
    text = re.sub(r"(\n[ \t]*bind) :\d+", rf"\1 {HOST}:{front_port}", text)
    servers = "".join(f"    server app{n} {HOST}:{port}\n" for n, port in enumerate(app_ports, start=1))
    text, found = re.subn(r"[ \t]*server-template .*\n", servers, text)
    if found != 1 or "resolvers" in text or f"bind {HOST}:{front_port}" not in text:
        raise RuntimeError("deploy/haproxy.cfg has changed shape: the benchmark cannot place the app processes in it")
    return text


@contextlib.contextmanager
def haproxy(folder: Path, app_ports: list[int], port: int | None = None) -> Iterator[tuple[str, int]]:
    """HAProxy in front of `app_ports` until every one passes its /readyz check: yields (front URL, pid)."""
    binary = ensure_haproxy()
    port = port or free_port()
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config(port, app_ports))
    _run([binary, "-c", "-q", "-f", str(config)])
    with (folder / "haproxy.log").open("wb") as log:
        proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base_url = f"http://{HOST}:{port}"
    try:
        _wait("haproxy", lambda: _all_servers_up(base_url, len(app_ports)), proc)
        yield base_url, proc.pid
    finally:
        stop(proc)


def _all_servers_up(base_url: str, count: int) -> bool:
    """Each of the balancer's next `count` new connections reaches a ready process (leastconn spreads them)."""
    try:
        with httpx.Client(base_url=base_url, timeout=2.0, trust_env=False) as client:
            return all(client.get("/readyz", headers={"Connection": "close"}).status_code == 200 for _ in range(count))
    except httpx.HTTPError:
        return False


# --------------------------------------------------------------------------------------------- the app


def app_env(database_url: str, redis_url: str | None, data_dir: Path, public_url: str, **extra: str) -> dict[str, str]:
    """The environment of an app process: this one's, without any TOWNSQUARE_ setting of the caller's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
    env |= {
        "TOWNSQUARE_ENV": "development",
        "TOWNSQUARE_DATABASE_URL": database_url,
        "TOWNSQUARE_DATA_DIR": str(data_dir),
        "TOWNSQUARE_LOG_LEVEL": "WARNING",
        "TOWNSQUARE_PUBLIC_URL": public_url,
        "TOWNSQUARE_SHUTDOWN_DRAIN_SECONDS": "0",  # nothing balances onto a benchmark's server once it is done
        "TOWNSQUARE_SHUTDOWN_GRACE_SECONDS": "5",
    }
    if redis_url:
        env["TOWNSQUARE_REDIS_URL"] = redis_url
    return env | extra


def townsquare(*args: str) -> list[str]:
    """The `townsquare` command, from this interpreter (and the src/ its PYTHONPATH names)."""
    return [sys.executable, "-c", "from townsquare.cli import main; main()", *args]


def serve(env: dict[str, str], data_dir: Path, port: int, log_path: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """`townsquare serve --workers N` on 127.0.0.1:`port` (the database already migrated)."""
    command = townsquare("serve", "--no-migrate", "--host", HOST, "--port", str(port), "--workers", str(workers))
    with log_path.open("ab") as log:
        return subprocess.Popen(command, env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def wait_serving(base_url: str, proc: subprocess.Popen[bytes], workers: int = 1) -> list[int]:
    """Until /readyz answers 200 and, under `--workers N`, N worker processes are up and done starting (their
    CPU quiet). Returns the pids that serve: the process itself, or its N workers."""
    _wait("the server", lambda: _ready(base_url), proc)
    if workers == 1:
        return [proc.pid]
    _wait(f"{workers} worker processes", lambda: len(worker_pids(proc.pid)) >= workers, proc)
    deadline = time.monotonic() + START_LIMIT_S
    table = proc_cpu.process_table()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        later = proc_cpu.process_table()
        busy = [pid for pid in worker_pids(proc.pid) if later[pid][1] - table.get(pid, (0, 0.0))[1] > 0.1]
        table = later
        if not busy:
            break
    with httpx.Client(base_url=base_url, timeout=10.0, trust_env=False) as client:
        for _ in range(8 * workers):  # each worker process's first request prepares its routes
            client.get("/readyz", headers={"Connection": "close"})
    return worker_pids(proc.pid)


def worker_pids(supervisor: int) -> list[int]:
    """The worker processes of `serve --workers N` (not multiprocessing's resource tracker beside them)."""
    found = []
    for pid in proc_cpu.children_of(supervisor):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
    return found


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/readyz", timeout=2.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after the limit; under `--workers N` its workers too, if any outlived it."""
    if proc.poll() is not None:
        return
    children = proc_cpu.children_of(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    for pid in children:  # the supervisor ends its workers; one it could not is killed, if it is still ours
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(sys.executable.encode()):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def behind_haproxy(
    database_url: str, folder: Path, processes: int, extra: dict[str, str]
) -> Iterator[tuple[str, list[Path]]]:
    """The deployment's shape on this machine: Redis, `processes` app processes (`townsquare serve`, background loops
    off) and one `townsquare worker` running the loops, behind HAProxy. Yields (HAProxy's URL, the logs)."""
    front = free_port()
    public = f"http://{HOST}:{front}"
    with redis_server(folder) as (redis_url, _):
        ports = [free_port() for _ in range(processes)]
        logs = [folder / f"server-{n}.log" for n in range(1, processes + 1)] + [folder / "worker.log"]
        procs: list[subprocess.Popen[bytes]] = []
        try:
            env = app_env(database_url, redis_url, folder, public, **extra)
            for port, log in zip(ports, logs, strict=False):
                procs.append(serve(env | {"TOWNSQUARE_BACKGROUND_IN_APP": "false"}, folder, port, log))
            with logs[-1].open("ab") as out:
                command = townsquare("worker")
                worker = subprocess.Popen(command, env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
            procs.append(worker)
            for port, proc in zip(ports, procs, strict=False):
                wait_serving(f"http://{HOST}:{port}", proc)
            with haproxy(folder, ports, front) as (base_url, _):
                yield base_url, logs
        finally:
            for proc in procs:
                stop(proc)
