"""The chat's wire: frames as the widget reads them, one open socket (`Connection`) with its rate limit, and
the refusals the server answers with. No database and no hub here: `chat` serves the socket, `chat_fanout`
brings what other processes did.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket

from townsquare.engagement import chat
from townsquare.sockets import parse_uuid, send_json

BUCKET_SIZE = 20.0  # frames a socket may send in a burst
BUCKET_RATE = 2.0  # frames per second it earns back


def device_hash(token: str) -> str:
    """What is stored for a device: the SHA-256 of its token, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class FrameError(Exception):
    """A frame the server refuses; the socket stays open and the client gets an `error` frame (naming the
    frame's `field` when one is to blame)."""

    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field

    def frame(self) -> dict[str, Any]:
        out = {"type": "error", "code": self.code, "detail": self.detail}
        return out if self.field is None else {**out, "field": self.field}


@dataclass
class TokenBucket:
    """Simple per-socket rate limit: `size` frames at once, refilled at `rate` a second."""

    size: float = BUCKET_SIZE
    rate: float = BUCKET_RATE
    clock: Callable[[], float] = time.monotonic
    tokens: float = BUCKET_SIZE
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass(eq=False)
class Connection:
    """One open socket: a device, and (once it has written or verified) its citizen."""

    socket: WebSocket
    device: str | None = None  # sha256 of the token
    citizen_id: uuid.UUID | None = None
    bucket: TokenBucket = field(default_factory=TokenBucket)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_line: uuid.UUID | None = None  # the newest message this socket was sent: where a catch-up starts

    async def push(self, frame: dict[str, Any]) -> bool:
        """Send a frame; False if the socket is gone."""
        if not await send_json(self.socket, self.lock, frame):
            return False
        lines = [frame] if frame.get("type") in ("message", "ack") else frame.get("messages") or []
        if lines:  # an ack's id is the device's own line
            self.last_line = parse_uuid(lines[-1].get("id")) or self.last_line
        return True


def message_frame(line: chat.ChatLine, *, quick: bool = False) -> dict[str, Any]:
    """How a line looks on the wire: never anything but what the person may see of their own chat.

    The assistant's replies say so (`"from": "assistant"`); with `quick`, a reply that asks a yes/no question
    carries its suggested answers (`quick_replies`), which the widget shows as buttons.
    """
    frame: dict[str, Any] = {
        "type": "message",
        "id": line.id,
        "direction": line.direction,
        "channel": line.channel,
        "text": line.text,
        "at": line.at.isoformat(),
    }
    if line.from_assistant:
        frame["from"] = "assistant"
        if quick and line.quick_replies:
            frame["quick_replies"] = list(line.quick_replies)
    if line.client_id is not None:
        frame["client_id"] = line.client_id
    return frame


def frames(lines: tuple[chat.ChatLine, ...]) -> list[dict[str, Any]]:
    """Lines as frames; the last may offer quick replies."""
    return [message_frame(line, quick=n == len(lines) - 1) for n, line in enumerate(lines)]
