"""One client process of bench/chat_sockets.py: opens its share of chat sockets and speaks the widget's protocol
(docs/channels/chat.md) on them, on orders from the parent.

It opens --sockets sockets at --concurrency at a time, each with a `hello` (no token: the server mints one) answered
by a `welcome`, and prints one JSON line when done. Then it reads one JSON command a line from stdin and answers each
with one JSON line on stdout: `send` (that many sockets not used yet each send one message and wait for its `ack`),
`burst` (messages from unused sockets at a rate, for some seconds), `check` (how many sockets are still open),
`close` (close them all and exit). Every answer carries the process's own CPU time, so the parent can show that the
clients were not the bottleneck. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.protocol import State

WAIT_S = 60.0  # the longest any one answer may take before it counts as failed
TEXTS = ("Is the library open on Sunday?", "My bin was not collected", "How do I renew my parking permit?")


@dataclass
class Clients:
    url: str
    sockets: list[ClientConnection] = field(default_factory=list)
    used: int = 0  # sockets[:used] have sent their message
    failures: list[str] = field(default_factory=list)

    def take(self) -> ClientConnection | None:
        if self.used >= len(self.sockets):
            return None
        self.used += 1
        return self.sockets[self.used - 1]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 3)


def spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    return {"p50_ms": round(at(50), 1), "p99_ms": round(at(99), 1), "max_ms": round(ordered[-1], 1)}


async def next_frame(ws: ClientConnection, want: str, client_id: str | None = None) -> dict[str, Any]:
    """Frames until one of type `want` (for `client_id`, if given), within WAIT_S."""
    async with asyncio.timeout(WAIT_S):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == want and (client_id is None or frame.get("client_id") == client_id):
                return dict(frame)
            if frame.get("type") == "error":
                raise RuntimeError(f"error frame: {frame.get('code')}")


async def open_one(clients: Clients, gate: asyncio.Semaphore, took: list[float]) -> None:
    async with gate:
        started = time.perf_counter()
        try:
            ws = await connect(clients.url, ping_interval=None, open_timeout=WAIT_S, close_timeout=5)
            await ws.send(json.dumps({"type": "hello", "token": None, "last_seen": None}))
            await next_frame(ws, "welcome")
        except (OSError, WebSocketException, RuntimeError, TimeoutError) as exc:
            clients.failures.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        took.append((time.perf_counter() - started) * 1000)
        clients.sockets.append(ws)


async def send_one(ws: ClientConnection, n: int, took: list[float], failures: list[str]) -> None:
    client_id = str(uuid.uuid4())
    started = time.perf_counter()
    try:
        await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": TEXTS[n % len(TEXTS)]}))
        await next_frame(ws, "ack", client_id)
    except (WebSocketException, RuntimeError, TimeoutError) as exc:
        failures.append(f"{type(exc).__name__}: {exc}"[:200])
        return
    took.append((time.perf_counter() - started) * 1000)


async def send(clients: Clients, count: int, concurrency: int) -> dict[str, Any]:
    gate, took, failures = asyncio.Semaphore(concurrency), list[float](), list[str]()

    async def gated(ws: ClientConnection, n: int) -> None:
        async with gate:
            await send_one(ws, n, took, failures)

    chosen = [ws for ws in (clients.take() for _ in range(count)) if ws is not None]
    await asyncio.gather(*(gated(ws, n) for n, ws in enumerate(chosen)))
    return {"event": "sent", "asked": count, "acked": len(took), "failed": failures[:5], "ack": spread(took)}


async def burst(clients: Clients, seconds: float, rate: float) -> dict[str, Any]:
    took, failures, tasks = list[float](), list[str](), list[asyncio.Task[None]]()
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds:
        ws = clients.take()
        if ws is None:
            failures.append("ran out of unused sockets")
            break
        tasks.append(asyncio.create_task(send_one(ws, n, took, failures)))
        n += 1
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
    await asyncio.gather(*tasks)
    return {"event": "burst", "sent": n, "acked": len(took), "failed": failures[:5], "ack": spread(took)}


async def close_all(clients: Clients) -> None:
    gate = asyncio.Semaphore(200)

    async def close(ws: ClientConnection) -> None:
        async with gate:
            try:
                async with asyncio.timeout(10):
                    await ws.close()
            except (WebSocketException, OSError, TimeoutError):
                pass

    await asyncio.gather(*(close(ws) for ws in clients.sockets))


async def run(args: argparse.Namespace) -> None:
    clients = Clients(args.url)
    gate, took = asyncio.Semaphore(args.concurrency), list[float]()
    started = time.perf_counter()
    await asyncio.gather(*(open_one(clients, gate, took) for _ in range(args.sockets)))
    emit(
        {
            "event": "ready",
            "opened": len(clients.sockets),
            "failed": len(clients.failures),
            "failures": clients.failures[:5],
            "seconds": round(time.perf_counter() - started, 2),
            "welcome": spread(took),
        }
    )
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "send":
            emit(await send(clients, int(command["count"]), int(command.get("concurrency", 10))))
        elif command["cmd"] == "burst":
            emit(await burst(clients, float(command["seconds"]), float(command["rate"])))
        elif command["cmd"] == "check":
            still = sum(1 for ws in clients.sockets if ws.state is State.OPEN)
            emit({"event": "checked", "open": still, "closed": len(clients.sockets) - still})
        elif command["cmd"] == "close":
            break
    await close_all(clients)
    emit({"event": "closed"})


def emit(event: dict[str, Any]) -> None:
    print(json.dumps(event | {"cpu_s": cpu_seconds()}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/channels/chat/ws")
    parser.add_argument("--sockets", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=25, help="sockets being opened at once (default 25)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
