"""The soak's cluster on loopback: a throwaway PostgreSQL (Debian's, `initdb` in a temp folder), a Redis, HAProxy in
front of three `townsquare serve` processes, and two `townsquare worker` processes; started, broken on purpose
(`kill -9`, restarts) and always torn down.

Every port is a free one on 127.0.0.1; every wait has a bound. Blocking steps (PostgreSQL's restart) run in a
thread so the traffic keeps flowing meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .processes import HOST, Proc, as_postgres, free_port, run

REPO = Path(__file__).resolve().parents[2]
TOWNSQUARE = [sys.executable, "-c", "from townsquare.cli import main; main()"]
PG_OPTIONS = "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300"
READY_WITHIN = 90.0  # seconds a started process has to answer /readyz (two cores, five Python processes)


def pg_bin() -> Path:
    """Debian's newest PostgreSQL server binaries (`make postgres` installs them)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL's server is not installed: run `make postgres` (Debian's postgresql)")
    return found[-1]


def need(program: str, target: str) -> str:
    path = shutil.which(program) or (f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None)
    if path is None:
        raise RuntimeError(f"{program} is not installed: run `make {target}`")
    return path


@dataclass
class Ports:
    postgres: int = field(default_factory=free_port)
    redis: int = field(default_factory=free_port)
    balancer: int = field(default_factory=free_port)
    standin: int = field(default_factory=free_port)
    apps: list[int] = field(default_factory=lambda: [free_port() for _ in range(3)])


class Postgres:
    """A PostgreSQL cluster in a temp folder, trusting local connections as `townsquare`."""

    def __init__(self, port: int) -> None:
        self.bin = pg_bin()
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="townsquare-soak-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://townsquare@{HOST}:{self.port}/soak"

    @property
    def dsn(self) -> str:
        return f"postgresql://townsquare@{HOST}:{self.port}/soak"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        argv = [str(self.bin / "pg_ctl"), "-D", str(self.dir), *args]
        run(as_postgres(argv), timeout=timeout)

    def start(self) -> None:
        run(
            as_postgres(
                [str(self.bin / "initdb"), "-D", str(self.dir), "-U", "townsquare", "--auth=trust", "-E", "UTF8"]
            ),
            timeout=120,
        )
        options = f"-p {self.port} -k {self.dir} {PG_OPTIONS}"
        self._ctl("-l", str(self.dir / "server.log"), "-w", "-t", "60", "-o", options, "start", timeout=90)
        createdb = [str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "townsquare", "soak"]
        run(createdb, timeout=30)

    def restart(self) -> None:
        """Stop (fast: sessions cut, transactions rolled back) and start again with the same options (and the
        same log file: the server must not inherit our pipe, or this would wait on it)."""
        self._ctl("-l", str(self.dir / "server.log"), "-m", "fast", "-w", "-t", "60", "restart", timeout=90)

    def destroy(self) -> None:
        if (self.dir / "postmaster.pid").exists():
            try:
                self._ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=40)
            except (RuntimeError, OSError) as exc:
                print(f"soak: stopping PostgreSQL: {exc}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)


def haproxy_config(ports: Ports) -> str:
    """HAProxy as deploy/haproxy.cfg has it (least busy ready process, /readyz checked every 2 s, out after two
    failures and back after two successes, websockets passed through, a failed connection retried on another
    process), and two things for the soak: a request may ask for one process by name (`X-Soak-Pin: app2`;
    another if that one is down), and every answer says which process gave it (`X-Soak-Server`)."""
    servers = "\n".join(f"    server app{i} {HOST}:{port}" for i, port in enumerate(ports.apps))
    pin = "    use-server app{0} if {{ req.hdr(x-soak-pin) -m str app{0} }}"
    pins = "\n".join(pin.format(i) for i in range(len(ports.apps)))
    return f"""global
    maxconn 4096
defaults
    mode http
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout tunnel 1h
    timeout client-fin 5s
    timeout server-fin 5s
frontend public
    bind {HOST}:{ports.balancer}
    http-request deny deny_status 404 if {{ path_beg /metrics }}
    default_backend app
backend app
    balance leastconn
    option httpchk
    http-check send meth GET uri /readyz
    http-check expect status 200
    http-response set-header X-Soak-Server %[srv_name]
{pins}
    default-server check inter 2s fall 2 rise 2
{servers}
"""


class Cluster:
    """Everything the soak runs, by name; `close()` ends it all (also after a failure or Ctrl-C)."""

    def __init__(self, ports: Ports, settings: dict[str, str]) -> None:
        self.ports = ports
        self.root = Path(tempfile.mkdtemp(prefix="townsquare-soak-"))
        (self.root / "logs").mkdir()
        (self.root / "data").mkdir()
        self.settings = settings
        self.postgres: Postgres | None = None
        self.redis: Proc | None = None
        self.balancer: Proc | None = None
        self.apps: list[Proc | None] = [None] * len(ports.apps)
        self.workers: list[Proc | None] = [None, None]
        self.generation = 0  # numbers the replacements' log files

    @property
    def public_url(self) -> str:
        return f"http://{HOST}:{self.ports.balancer}"

    def env(self) -> dict[str, str]:
        """The environment of every app and worker process."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSQUARE_")}
        src = str(REPO / "src")  # this checkout's code, whatever the virtualenv's editable install points at
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        assert self.postgres is not None
        return (
            env
            | self.settings
            | {
                "TOWNSQUARE_DATABASE_URL": self.postgres.url,
                "TOWNSQUARE_REDIS_URL": f"redis://{HOST}:{self.ports.redis}/0",
                "TOWNSQUARE_PUBLIC_URL": self.public_url,
                "TOWNSQUARE_DATA_DIR": str(self.root / "data"),
            }
        )

    def _log(self, name: str) -> Path:
        self.generation += 1
        return self.root / "logs" / f"{name}-{self.generation}.log"

    def start_postgres(self) -> None:
        self.postgres = Postgres(self.ports.postgres)
        self.postgres.start()

    def migrate(self) -> None:
        run([*TOWNSQUARE, "db", "upgrade"], timeout=300, env=self.env(), cwd=self.root)

    def start_redis(self) -> None:
        argv = [
            need("redis-server", "redis"),
            "--port",
            str(self.ports.redis),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.root),
        ]
        self.redis = Proc("redis", argv, env=dict(os.environ), log=self._log("redis"), cwd=self.root)

    def restart_redis(self) -> None:
        """Stop Redis (everything it held is gone: no persistence) and start a new one on the same port."""
        assert self.redis is not None
        self.redis.stop(timeout=10)
        self.start_redis()

    def start_balancer(self) -> None:
        config = self.root / "haproxy.cfg"
        config.write_text(haproxy_config(self.ports))
        argv = [need("haproxy", "haproxy"), "-f", str(config), "-db"]
        self.balancer = Proc("haproxy", argv, env=dict(os.environ), log=self._log("haproxy"), cwd=self.root)

    def start_app(self, i: int) -> Proc:
        argv = [*TOWNSQUARE, "serve", "--no-migrate", "--host", HOST, "--port", str(self.ports.apps[i])]
        env = self.env() | {"TOWNSQUARE_BACKGROUND_IN_APP": "false"}
        self.apps[i] = Proc(f"app{i}", argv, env=env, log=self._log(f"app{i}"), cwd=self.root)
        return self.apps[i]  # type: ignore[return-value]

    def start_worker(self, i: int) -> Proc:
        argv = [*TOWNSQUARE, "worker"]
        env = self.env() | {"TOWNSQUARE_LOG_LEVEL": "INFO"}  # its "worker running" line says it is up
        self.workers[i] = Proc(f"worker{i}", argv, env=env, log=self._log(f"worker{i}"), cwd=self.root)
        return self.workers[i]  # type: ignore[return-value]

    def kill_app(self, i: int) -> None:
        proc = self.apps[i]
        if proc is not None:
            proc.kill9()

    def kill_worker(self, i: int) -> None:
        proc = self.workers[i]
        if proc is not None:
            proc.kill9()

    async def app_ready(self, client: httpx.AsyncClient, i: int) -> bool:
        proc = self.apps[i]
        if proc is None or not proc.alive():
            return False
        try:
            answer = await client.get(f"http://{HOST}:{self.ports.apps[i]}/readyz")
            # "degraded" (Redis away) still serves, but has not recovered: its live pages have not caught up
            return answer.status_code == 200 and answer.json().get("status") == "ready"
        except (httpx.HTTPError, ValueError):
            return False

    def worker_ready(self, i: int) -> bool:
        proc = self.workers[i]
        return proc is not None and proc.alive() and proc.log_has("worker running")

    async def all_ready(self, client: httpx.AsyncClient) -> bool:
        """Every app answers /readyz "ready" (not "degraded") directly, 200 through the balancer; workers run."""
        return not await self.not_ready(client)

    async def not_ready(self, client: httpx.AsyncClient) -> list[str]:
        """What is not ready (empty: everything is): apps by name, workers, the balancer."""
        apps = await asyncio.gather(*(self.app_ready(client, i) for i in range(len(self.apps))))
        missing = [f"app{i}" for i, ready in enumerate(apps) if not ready]
        missing += [f"worker{i}" for i in range(len(self.workers)) if not self.worker_ready(i)]
        try:
            if (await client.get(f"{self.public_url}/readyz")).status_code != 200:
                missing.append("balancer")
        except httpx.HTTPError:
            missing.append("balancer")
        return missing

    async def wait_all_ready(self, within: float = READY_WITHIN) -> float:
        """Wait (bounded) until `all_ready`; how long it took."""
        began = time.monotonic()
        async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
            while time.monotonic() - began < within:
                for proc in [*self.apps, *self.workers]:
                    if proc is not None and not proc.alive():
                        raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}: see {proc.log}")
                if await self.all_ready(client):
                    return time.monotonic() - began
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the cluster was not ready within {within:.0f} s; logs in {self.root / 'logs'}")

    def close(self, *, keep_logs: bool = False) -> None:
        """Stop everything (the apps and workers drain briefly), then remove the temp folders."""
        running = [proc for proc in [self.balancer, *self.apps, *self.workers] if proc is not None]
        for proc in running:
            proc.terminate()
        for proc in running:
            proc.wait(timeout=20)
        if self.redis is not None:
            self.redis.stop(timeout=10)
        if self.postgres is not None:
            self.postgres.destroy()
        if keep_logs:
            print(f"soak: logs kept in {self.root / 'logs'}", file=sys.stderr)
            shutil.rmtree(self.root / "data", ignore_errors=True)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
