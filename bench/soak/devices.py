"""Chat devices: the widget's protocol over a websocket through the balancer, each device asking for one app process
(`X-Soak-Pin`), writing now and then, and noting when each agent's reply reaches it.

As the widget does, a device reconnects with back-off when its socket drops (a killed process, a drain), says
hello with its token and the last line it saw (the server sends what came after), and sends again, with the same
client_id, every message not yet acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, WebSocketException

from .counting import Sent, marker, marker_in
from .traffic import Attempted

RESEND_AFTER = 10.0  # seconds without an ack on a live socket before a message is sent again


@dataclass(frozen=True)
class Seen:
    """An agent's reply as a device first saw it, and which app process pushed it."""

    key: str
    at: float
    server: str


class Device:
    """One browser's chat widget."""

    def __init__(self, index: int, url: str, pin: str, run: str, numbers: itertools.count[int]) -> None:
        self.index = index
        self.url = url
        self.pin = pin
        self.run = run
        self.numbers = numbers
        self.rng = random.Random(f"{run}-{index}")
        self.token: str | None = None
        self.last_seen: str | None = None
        self.server = ""
        self.pending: dict[str, tuple[Attempted, str, float]] = {}  # client_id → contact, text, last sent
        self.contacts: list[Attempted] = []
        self.sent: list[Sent] = []
        self.seen: dict[str, Seen] = {}
        self.reconnects = 0
        self.errors: list[str] = []  # error frames (a refused message stays pending and is sent again)

    async def run_until_cancelled(self, send_until: float, interval: float) -> None:
        """Stay connected (reconnecting as the widget does) and write every `interval` s until `send_until`."""
        backoff = 0.5
        while True:
            try:
                headers = {"X-Soak-Pin": self.pin}
                async with connect(self.url, additional_headers=headers, open_timeout=10, close_timeout=2) as ws:
                    backoff = 0.5
                    self.server = (ws.response.headers.get("X-Soak-Server") if ws.response else None) or "?"
                    await self._session(ws, send_until, interval)
            except (OSError, TimeoutError, InvalidHandshake, WebSocketException):
                pass
            self.reconnects += 1
            await asyncio.sleep(backoff * (0.5 + self.rng.random()))
            backoff = min(backoff * 2, 5.0)

    async def _session(self, ws: ClientConnection, send_until: float, interval: float) -> None:
        await ws.send(json.dumps({"type": "hello", "token": self.token, "last_seen": self.last_seen}))
        welcomed = asyncio.Event()
        writer = asyncio.create_task(self._write(ws, welcomed, send_until, interval))
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "welcome":
                    self.token = frame.get("token") or self.token
                    for line in frame.get("messages") or []:
                        self._line(line)
                    welcomed.set()
                else:
                    self._frame(frame)
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketException, OSError):
                await writer

    async def _write(self, ws: ClientConnection, welcomed: asyncio.Event, send_until: float, interval: float) -> None:
        await welcomed.wait()
        for client_id, (_, text, _) in list(self.pending.items()):  # what the last socket left unacknowledged
            await self._send(ws, client_id, text)
        next_at = time.time() + interval * self.rng.random()
        while True:
            now = time.time()
            if now >= next_at and now < send_until:
                await self._new_message(ws)
                next_at = now + interval * (0.5 + self.rng.random())
            for client_id, (_, text, last) in list(self.pending.items()):
                if now - last > RESEND_AFTER:
                    await self._send(ws, client_id, text)
            await asyncio.sleep(0.25)

    async def _new_message(self, ws: ClientConnection) -> None:
        key = marker(self.run, next(self.numbers))
        client_id = str(uuid.uuid4())
        attempted = Attempted(key, "chat", time.time())
        self.contacts.append(attempted)
        self.sent.append(Sent(key, "chat"))
        self.pending[client_id] = (attempted, f"Can someone help me with my parking permit? ({key})", 0.0)
        await self._send(ws, client_id, self.pending[client_id][1])

    async def _send(self, ws: ClientConnection, client_id: str, text: str) -> None:
        attempted, _, _ = self.pending[client_id]
        attempted.attempts += 1
        self.pending[client_id] = (attempted, text, time.time())
        await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))

    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "ack":
            held = self.pending.pop(str(frame.get("client_id")), None)
            if held is not None:
                held[0].acked_at = time.time()
        elif kind == "message":
            self._line(frame)
        elif kind == "error":
            self.errors.append(f"{frame.get('code')}: {str(frame.get('detail'))[:200]}")

    def _line(self, line: dict[str, Any]) -> None:
        if line.get("id"):
            self.last_seen = str(line["id"])
        key = marker_in(str(line.get("text") or ""))
        if line.get("direction") == "out" and key and key.startswith(f"soak-{self.run}-r") and key not in self.seen:
            self.seen[key] = Seen(key, time.time(), self.server)
