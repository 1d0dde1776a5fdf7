"""A recording push service on loopback: speaks enough of RFC 8030 for pywebpush to post to it, records every
message, answers 201 with a Location (or what the test asks for), and holds a browser's keys to decrypt with.

The fake for the one thing outside: the browsers' push services (FCM, Mozilla's autopush) cannot be reached here.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from townsquare.notify.push.vapid import b64url


@dataclass
class BrowserKeys:
    """The key pair and auth secret a browser makes when it subscribes; decrypts what was sent to it."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict[str, Any]:
        """The JSON a push carried (aes128gcm, RFC 8291)."""
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        data: dict[str, Any] = json.loads(plain)
        return data


@dataclass(frozen=True)
class Received:
    """One message the push service accepted or refused."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class RecordingPushService:
    """`endpoint(name)` is a subscription's URL; `answer_next(404)` makes the next post get that status, and
    `answer_for("phone", 410)` every post to that device's endpoint."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._answers: list[int] = []
        self._by_name: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    def answer_next(self, *statuses: int) -> None:
        self._answers.extend(statuses)

    def answer_for(self, name: str, status: int) -> None:
        self._by_name[name] = status

    def endpoint(self, name: str = "device") -> str:
        return f"{self.base}/push/{name}"

    async def _accept(self, request: web.Request) -> web.Response:
        body = await request.read()
        named = self._by_name.get(request.match_info["name"])
        status = named or (self._answers.pop(0) if self._answers else 201)
        message = Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body, status)
        self.received.append(message)
        headers = {"Location": f"{self.base}/messages/{uuid.uuid4().hex}"} if status == 201 else {}
        return web.Response(status=status, headers=headers)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/push/{name}", self._accept)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        assert sockets
        port = sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
