"""Ten thousand chat sockets on one app process: the memory each costs, and how fast an agent's reply still reaches
one of them. (Not called websockets.py: bench/ is on the import path, and that name is the client library's.)

Starts a throwaway PostgreSQL cluster and a redis-server, migrates and seeds a database, and runs one
`townsquare serve` (one process, every background loop in it as by default, so the outbox delivers replies). Then:

  probe   one socket of this process says hello, writes once (the assistant answers), and the agent's reply
          (POST /api/v1/conversations/{id}/replies, through the outbox to the socket) is timed --replies times
          from the POST to the frame: first with nothing else open
  open    --clients processes (bench/chat_clients.py, asyncio and the `websockets` library) open --sockets in all,
          each with the widget's hello and the server's welcome; RSS of the server before and after, and
          townsquare_websockets_open from its /metrics
  hold    --hold seconds with every socket open and quiet: the server's CPU (uvicorn pings each every 20 s)
  probe   the agent's reply again, with every socket open
  send    --messages sockets each write one message and wait for its ack (the pipeline, the assistant's answer)
  burst   messages from fresh sockets at --burst-rate a second while the probe's replies are timed a third time
  check   every socket still open; then all closed, and RSS once more

The file-descriptor limit of this process (inherited by the server and the clients) is raised to its hard limit.
Every wait is bounded; the server, the clients, Redis and PostgreSQL are stopped whatever happens.

    .venv/bin/python bench/chat_sockets.py                                # 10,000 sockets, 4 client processes
    .venv/bin/python bench/chat_sockets.py --sockets 2000 --hold 10       # quicker
    .venv/bin/python bench/chat_sockets.py --json bench/results/chat_sockets.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

import chat_clients  # this script's directory is on sys.path
import ingest
import proc_cpu
import scale
import throwaway

CLIENT = Path(__file__).resolve().parent / "chat_clients.py"
WAIT_S = 60.0
OPEN_LIMIT_S = 900.0  # opening every socket, at most


class Probe:
    """One socket of this process, and the agent's replies to its conversation, timed to the frame."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.ws_url = base_url.replace("http://", "ws://") + "/channels/chat/ws"
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.ws: ClientConnection | None = None
        self.conversation = ""

    async def start(self) -> None:
        self.ws = await connect(self.ws_url, ping_interval=None, open_timeout=WAIT_S)
        await self.ws.send(json.dumps({"type": "hello", "token": None, "last_seen": None}))
        await chat_clients.next_frame(self.ws, "welcome")
        client_id = str(uuid.uuid4())
        await self.ws.send(json.dumps({"type": "message", "client_id": client_id, "text": "When is the pool open?"}))
        ack = await chat_clients.next_frame(self.ws, "ack", client_id)
        self.conversation = str(ack["conversation_id"])

    async def replies(self, count: int) -> dict[str, Any]:
        """`count` agent replies one after another: ms from the POST to the frame on the socket."""
        assert self.ws is not None
        took: list[float] = []
        async with httpx.AsyncClient(base_url=self.base_url, headers=self.headers, timeout=WAIT_S) as client:
            for n in range(count):
                text = f"Reply {n} {secrets.token_hex(4)}: the pool opens at seven."
                started = time.perf_counter()
                answer = await client.post(f"/api/v1/conversations/{self.conversation}/replies", json={"text": text})
                if answer.status_code != 202:
                    raise RuntimeError(f"the reply was refused: HTTP {answer.status_code} {answer.text[:200]}")
                async with asyncio.timeout(WAIT_S):
                    while True:
                        frame = json.loads(await self.ws.recv())
                        if frame.get("type") == "message" and frame.get("text") == text:
                            break
                took.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.2)
        return chat_clients.spread(took) | {"count": len(took)}

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class ClientProcess:
    """One bench/chat_clients.py process: a command written, one JSON line read back, each within a bound."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, ws_url: str, sockets: int, concurrency: int) -> ClientProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(CLIENT),
            "--url",
            ws_url,
            "--sockets",
            str(sockets),
            "--concurrency",
            str(concurrency),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**20,
        )
        return cls(proc)

    async def read(self, within: float = WAIT_S * 3) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), within)
        if not line:
            raise RuntimeError(f"a client process ended (exit {await self.proc.wait()})")
        return dict(json.loads(line))

    async def ask(self, command: dict[str, Any], within: float = WAIT_S * 3) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read(within)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            try:
                await self.ask({"cmd": "close"}, within=60)
                await asyncio.wait_for(self.proc.wait(), 30)
            except (RuntimeError, TimeoutError, BrokenPipeError, ConnectionResetError):
                self.proc.kill()
                await self.proc.wait()


def raise_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def sockets_open(base_url: str) -> float | None:
    """The server's own count of open chat sockets (townsquare_websockets_open{kind="chat"})."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    for line in text.splitlines():
        if line.startswith("townsquare_websockets_open") and 'kind="chat"' in line:
            return float(line.rsplit(" ", 1)[1])
    return None


class Server:
    """The server's memory and CPU at each step."""

    def __init__(self, pid: int, meter: proc_cpu.CpuMeter) -> None:
        self.pid, self.meter = pid, meter
        self.memory: dict[str, int] = {}
        self.cpu: dict[str, dict[str, float]] = {}
        self._since: tuple[proc_cpu.Snapshot | None, float] = (None, 0.0)

    def rss(self, step: str) -> int:
        self.memory[step] = proc_cpu.rss_bytes(self.pid)
        print(
            f"  RSS {step}: {self.memory[step] / 2**20:.1f} MiB, {proc_cpu.open_files(self.pid)} open files", flush=True
        )
        return self.memory[step]

    def begin(self) -> None:
        self._since = (self.meter.snapshot(), time.perf_counter())

    def end(self, step: str, client_s: float = 0.0) -> None:
        before, started = self._since
        self.cpu[step] = self.meter.usage(before, self.meter.snapshot(), time.perf_counter() - started, client_s)


async def measure(args: argparse.Namespace, base_url: str, api_key: str, server: Server) -> dict[str, Any]:
    """The steps of the docstring, in order; the client processes stopped whatever happens."""
    out: dict[str, Any] = {}
    probe = Probe(base_url, api_key)
    await probe.start()
    await asyncio.sleep(2)
    out["reply_alone"] = await probe.replies(args.replies)
    print(f"  agent's reply, nothing else open: {out['reply_alone']}", flush=True)
    server.rss("before")
    shares = [args.sockets // args.clients + (n < args.sockets % args.clients) for n in range(args.clients)]
    clients: list[ClientProcess] = []
    try:
        server.begin()
        clients = [await ClientProcess.start(probe.ws_url, share, args.open_concurrency) for share in shares]
        ready = await asyncio.gather(*(c.read(within=OPEN_LIMIT_S) for c in clients))
        server.end("open", sum(r["cpu_s"] for r in ready))
        out["open"] = {
            "opened": sum(r["opened"] for r in ready),
            "failed": sum(r["failed"] for r in ready),
            "failures": [f for r in ready for f in r["failures"]][:5],
            "seconds": max(r["seconds"] for r in ready),
            "welcome_by_client": [r["welcome"] for r in ready],
        }
        print(
            f"  opened {out['open']['opened']} sockets in {out['open']['seconds']:.1f} s "
            f"({out['open']['failed']} failed)",
            flush=True,
        )
        await asyncio.sleep(5)
        out["metrics_open"] = await sockets_open(base_url)
        server.rss("open")
        server.begin()
        cpu_before = sum([(await c.ask({"cmd": "check"}))["cpu_s"] for c in clients])
        await asyncio.sleep(args.hold)
        checked = [await c.ask({"cmd": "check"}) for c in clients]
        server.end("hold", sum(r["cpu_s"] for r in checked) - cpu_before)
        out["reply_held"] = await probe.replies(args.replies)
        print(f"  agent's reply, {out['open']['opened']} sockets open: {out['reply_held']}", flush=True)
        out["send"] = await asyncio.gather(
            *(c.ask({"cmd": "send", "count": args.messages // args.clients, "concurrency": 5}) for c in clients)
        )
        server.rss("after_messages")
        rate = args.burst_rate / args.clients
        bursts = [asyncio.create_task(c.ask({"cmd": "burst", "seconds": args.burst, "rate": rate})) for c in clients]
        server.begin()
        out["reply_busy"] = await probe.replies(args.replies)
        out["burst"] = await asyncio.gather(*bursts)
        server.end("burst")
        print(f"  agent's reply during a burst of {args.burst_rate}/s messages: {out['reply_busy']}", flush=True)
        out["check"] = [await c.ask({"cmd": "check"}) for c in clients]
        out["client_cpu_s"] = [r["cpu_s"] for r in out["check"]]
    finally:
        await asyncio.gather(*(c.stop() for c in clients), return_exceptions=True)
        await probe.close()
    await asyncio.sleep(5)
    server.rss("closed")
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sockets", type=int, default=10_000, help="chat sockets to open and hold (10,000)")
    parser.add_argument("--clients", type=int, default=4, help="client processes sharing them (default 4)")
    parser.add_argument("--open-concurrency", type=int, default=25, help="sockets each client opens at once (25)")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds every socket is held quiet (default 30)")
    parser.add_argument("--replies", type=int, default=20, help="agent replies timed at each step (default 20)")
    parser.add_argument("--messages", type=int, default=200, help="sockets that write one message each (200)")
    parser.add_argument("--burst", type=float, default=10.0, help="seconds of the burst of messages (default 10)")
    parser.add_argument("--burst-rate", type=float, default=20.0, help="messages a second in the burst (default 20)")
    parser.add_argument(
        "--deflate", action="store_true", help="the server accepts the permessage-deflate the clients offer"
    )
    parser.add_argument("--seed-citizens", type=int, default=100, help="demo citizens seeded first (default 100)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.sockets < args.clients or args.clients < 1 or args.replies < 1 or args.hold < 0:
        parser.error("--sockets >= --clients >= 1, --replies >= 1, --hold >= 0")
    if args.messages + args.burst * args.burst_rate > args.sockets:
        parser.error("--messages + --burst x --burst-rate must not exceed --sockets (each socket writes once)")
    return args


# --------------------------------------------------------------------------------------------- report


def failures_of(out: dict[str, Any], sockets: int) -> list[str]:
    found = []
    if out["open"]["failed"] or out["open"]["opened"] != sockets:
        found.append(f"{out['open']['failed']} sockets failed to open: {out['open']['failures']}")
    if out["metrics_open"] != sockets + 1:
        found.append(f"the server counted {out['metrics_open']} open chat sockets, not {sockets + 1} (with the probe)")
    closed = sum(r["closed"] for r in out["check"])
    if closed:
        found.append(f"{closed} sockets were closed by the end")
    for step in ("send", "burst"):
        for answer in out[step]:
            if answer["failed"]:
                found.append(f"{step}: {answer['failed']}")
    return found


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def ms(s: dict[str, float]) -> str:
    return f"p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} / max {s['max_ms']:.1f} ms"


def report(result: dict[str, Any]) -> None:
    m, out, mem = result["machine"], result["measured"], result["memory"]
    cpu = result["cpu"]
    opened = out["open"]["opened"]
    print()
    print(
        f"Townsquare: {opened:,} chat sockets on one app process  {result['started_at']}  "
        f"commit {result['code'].get('commit', '-')}"
    )
    print(f"  machine  {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['python']}")
    print(
        f"  load     1/5/15-min load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at end"
    )
    print(f"  stack    {result['stack']}")
    print(
        f"  open     {opened:,} sockets in {out['open']['seconds']:.1f} s ({opened / out['open']['seconds']:.0f}/s), "
        f"{out['open']['failed']} failed; server {cpu['open'].get('server', 0):.0f}% of a core, clients "
        f"{cpu['open'].get('client', 0):.0f}%; hello to welcome by client process: "
        + "; ".join(ms(w) for w in out["open"]["welcome_by_client"] if w)
    )
    print(
        f"  memory   RSS idle {mib(mem['idle'])}, before {mib(mem['before'])}, with every socket open "
        f"{mib(mem['open'])}: {result['bytes_per_socket'] / 1024:.1f} KiB per socket; "
        f"after {result['config']['messages']} messages {mib(mem['after_messages'])}; "
        f"every socket closed {mib(mem['closed'])}"
    )
    print(f'  counted  townsquare_websockets_open{{kind="chat"}} = {out["metrics_open"]:.0f} (the probe\'s included)')
    print(
        f"  hold     {result['config']['hold']:.0f} s quiet: server {cpu['hold'].get('server', 0):.1f}% of a core, "
        f"clients {cpu['hold'].get('client', 0):.1f}%"
    )
    acked = sum(a["acked"] for a in out["send"])
    print(
        f"  send     {acked} messages acked of {sum(a['asked'] for a in out['send'])}; ack by client process: "
        + "; ".join(ms(a["ack"]) for a in out["send"] if a["ack"])
    )
    burst = out["burst"]
    print(
        f"  burst    {sum(b['sent'] for b in burst)} messages in {result['config']['burst']:.0f} s, "
        f"{sum(b['acked'] for b in burst)} acked; server {cpu['burst'].get('server', 0):.0f}% of a core, PostgreSQL "
        f"{cpu['burst'].get('database', 0):.0f}%"
    )
    print("  reply    an agent's reply to one socket, from the POST to the frame:")
    for key, title in (
        ("reply_alone", "nothing else open"),
        ("reply_held", f"{opened:,} sockets open, quiet"),
        ("reply_busy", f"{opened:,} open, during the burst"),
    ):
        print(f"             {title:<34} {ms(out[key])}  ({out[key]['count']} replies)")
    print(f"  check    {sum(r['open'] for r in out['check']):,} sockets still open at the end")
    for failure in result["failures"]:
        print(f"  FAILED: {failure}")
    print(f"  result: {'OK' if result['ok'] else 'FAILED'}   total {result['total_seconds']:.0f}s")


def stack(version: str, args: argparse.Namespace) -> str:
    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    deflate = "accepted" if args.deflate else "declined (TOWNSQUARE_WEBSOCKET_DEFLATE=false)"
    return (
        f"permessage-deflate offered by the clients, {deflate}; "
        f"townsquare serve (one process; uvicorn {v('uvicorn')}, websockets {v('websockets')}), PostgreSQL "
        f"{version} and Redis on the same cores; clients: {args.clients} processes of asyncio and websockets "
        f"{v('websockets')}"
    )


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if raise_file_limit() < args.sockets + 1000:
        raise SystemExit(f"the open-file limit is under {args.sockets + 1000}: raise it (ulimit -Hn) and try again")
    started, t0, load_at_start = datetime.now(UTC), time.perf_counter(), ingest.load_average()
    code = ingest.code_version()
    with tempfile.TemporaryDirectory(prefix="townsquare-chat-") as tmp:
        workdir = Path(tmp)
        print("starting a throwaway PostgreSQL cluster and a redis-server ...", flush=True)
        with throwaway.postgres(workdir) as pg, throwaway.redis_server(workdir) as redis:
            url = pg.create_database("chat_sockets")
            api_key, _ = ingest.prepare_database(url, args.seed_citizens)
            port = ingest.free_port()
            base_url = f"http://{ingest.HOST}:{port}"
            log_path = workdir / "server.log"
            env = throwaway.app_env(url, redis[0], workdir, base_url)
            env["TOWNSQUARE_WEBSOCKET_DEFLATE"] = "true" if args.deflate else "false"
            proc = throwaway.serve(env, workdir, port, log_path)
            try:
                throwaway.wait_serving(base_url, proc)
                server = Server(proc.pid, proc_cpu.CpuMeter(proc.pid, database=pg.pid, redis=redis[1]))
                server.rss("idle")
                out = asyncio.run(measure(args, base_url, api_key, server))
            except BaseException:
                print("--- server log (tail) ---\n" + log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
                raise
            finally:
                throwaway.stop(proc)
            version = pg.version()
            log = log_path.read_text(errors="replace")
    failures = failures_of(out, args.sockets)
    if "Traceback" in log:
        failures.append(f"the server logged {log.count('Traceback')} tracebacks")
    result: dict[str, Any] = {
        "benchmark": "chat_sockets",
        "code": code,
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {"load_average_at_start": load_at_start, **scale.machine()},
        "stack": stack(version, args),
        "config": {
            k: getattr(args, k)
            for k in ("sockets", "clients", "open_concurrency", "hold", "replies", "messages", "burst", "burst_rate")
        }
        | {"deflate": args.deflate},
        "measured": out,
        "memory": server.memory,
        "cpu": server.cpu,
        "bytes_per_socket": round((server.memory["open"] - server.memory["before"]) / max(out["open"]["opened"], 1)),
        "failures": failures,
        "ok": not failures,
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    report(result)
    return ingest.finish(result, args.json)


if __name__ == "__main__":
    sys.exit(main())
