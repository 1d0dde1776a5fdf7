"""The stand-in provider the soak points the platform's outbound traffic at: Twilio's Messages API and Meta's Graph
send endpoint, on one loopback port, recording every request it is sent.

Twilio's requests carry the outbox's idempotency key (`I-Twilio-Idempotency-Token`); the stand-in honours it as the
outbox expects of a provider (a repeated key is answered with the first message's sid and makes no new message).
Graph's carry none, so each of its requests is a new message; the soak's replies are told apart by the marker in
their text. Every request is kept with when it arrived and when it was answered (`counting.Receipt`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .counting import Receipt, marker_in

IDEMPOTENCY_HEADER = "i-twilio-idempotency-token"


def content_key(recipient: str, text: str) -> str:
    """How a message without an idempotency key is recognised: the soak's marker in it, else whom and what."""
    return marker_in(text) or f"{recipient}\n{text}"


@dataclass
class Seen:
    """One request as the stand-in saw it."""

    provider: str
    key: str
    recipient: str
    message_id: str
    received: float
    answered: float = 0.0


@dataclass
class StandIn:
    """The recording provider; `requests` in arrival order."""

    account_sid: str
    auth_token: str
    access_token: str
    requests: list[Seen] = field(default_factory=list)
    _sids: dict[str, str] = field(default_factory=dict)

    def receipts(self, provider: str) -> list[Receipt]:
        return [Receipt(r.key, r.received, r.answered) for r in self.requests if r.provider == provider]

    async def twilio(self, request: Request) -> Response:
        received = time.time()
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.path_params["account"] != self.account_sid or request.headers.get("authorization") != expected:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
        form = await request.form()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        if not to or (not form.get("From") and not form.get("MessagingServiceSid")):
            return JSONResponse({"code": 21604, "message": "A 'To' and a sender are required", "status": 400}, 400)
        key = request.headers.get(IDEMPOTENCY_HEADER) or content_key(to, body)
        sid = self._sids.setdefault(key, "SM" + uuid.uuid4().hex)
        seen = Seen("twilio", key, to, sid, received)
        self.requests.append(seen)
        answer = {"sid": sid, "account_sid": self.account_sid, "to": to, "status": "queued", "num_segments": "1"}
        seen.answered = time.time()
        return JSONResponse(answer, status_code=201)

    async def graph(self, request: Request) -> Response:
        received = time.time()
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token.", "code": 190}}, 401)
        try:
            body: dict[str, Any] = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": {"message": "Invalid JSON", "code": 100}}, 400)
        whatsapp = body.get("messaging_product") == "whatsapp"
        to = body.get("to") or body.get("recipient")
        recipient = str(to.get("id", "") if isinstance(to, dict) else to or "")
        text = str((body.get("text") or {}).get("body", "") if whatsapp else (body.get("message") or {}).get("text"))
        message_id = ("wamid." if whatsapp else "m_") + uuid.uuid4().hex
        seen = Seen("graph", content_key(recipient, text), recipient, message_id, received)
        self.requests.append(seen)
        if whatsapp:
            answer: dict[str, Any] = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": recipient}],
                "messages": [{"id": message_id}],
            }
        else:
            answer = {"recipient_id": recipient, "message_id": message_id}
        seen.answered = time.time()
        return JSONResponse(answer)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{account}/Messages.json", self.twilio, methods=["POST"]),
                Route("/{version}/{sender}/messages", self.graph, methods=["POST"]),
            ]
        )


@contextlib.asynccontextmanager
async def serving(standin: StandIn, port: int) -> AsyncIterator[StandIn]:
    """Serve the stand-in on 127.0.0.1:`port` for the life of the block."""
    config = uvicorn.Config(
        standin.app(), host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="stand-in provider")
    try:
        for _ in range(200):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        if not server.started:
            raise RuntimeError("the stand-in provider did not start")
        yield standin
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=10)
