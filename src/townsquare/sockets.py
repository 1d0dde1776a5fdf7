"""What the chat socket, the desk socket and cookie-authenticated forms share: the same-origin rule, and
sending a JSON frame to a websocket that may already be gone."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState


def same_origin(origin: str | None, *, public_url: str, scheme: str, host: str) -> bool:
    """Whether a browser's Origin (or Referer) is our public origin or the host the request came to.

    No Origin means not a browser (browsers always send one on POST and websocket handshakes), and such a
    client could claim any Origin anyway; what protects it is the credential it must still present.
    """
    if not origin:
        return True
    parts = urlsplit(origin)
    seen = f"{parts.scheme}://{parts.netloc}".lower()
    public = urlsplit(public_url)
    return seen in (f"{public.scheme}://{public.netloc}".lower(), f"{scheme}://{host}".lower())


def socket_same_origin(socket: WebSocket, public_url: str) -> bool:
    """`same_origin` for a websocket handshake."""
    scheme = "https" if socket.url.scheme in ("wss", "https") else "http"
    return same_origin(
        socket.headers.get("origin"), public_url=public_url, scheme=scheme, host=socket.headers.get("host", "")
    )


async def send_json(socket: WebSocket, lock: asyncio.Lock, frame: dict[str, Any]) -> bool:
    """Send one frame (one writer at a time per socket); False if the socket is gone."""
    async with lock:
        if socket.application_state is not WebSocketState.CONNECTED:
            return False
        try:
            await socket.send_text(json.dumps(frame, separators=(",", ":")))
        except (RuntimeError, OSError, WebSocketDisconnect):
            return False
    return True


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID from an untrusted frame field, or None."""
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
