"""The burst: signed webhooks on every door at a steady rate through the balancer, each retried until acknowledged
as providers do (a refused connection, a timeout, a 5xx or a 429 is tried again with capped, jittered back-off;
the very same request, so the platform recognises a redelivery; a call told to hold is asked again as Twilio
would). Any other 4xx is a refusal, never retried.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx

from .doors import Secrets, Webhook, held, webhook

ATTEMPT_SECONDS = 10.0  # how long one attempt may take (Twilio waits 15 s, Meta 20 s)
FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0


@dataclass
class Attempted:
    """One contact from its first attempt to its acknowledgement (or refusal)."""

    key: str
    door: str
    first_at: float
    acked_at: float | None = None
    attempts: int = 0
    refused: str | None = None  # the status and start of the answer of a refusal
    history: list[str] = field(default_factory=list)  # each attempt: when (s after the first) and how it ended

    def waiting_at(self, moment: float) -> bool:
        """Sent before `moment` and not yet acknowledged then."""
        return self.first_at < moment and (self.acked_at is None or self.acked_at > moment)


def retriable(status: int) -> bool:
    """What a provider tries again: the platform's server errors and throttling."""
    return status >= 500 or status in (408, 429)


class Burst:
    """Sends `count` contacts at `rate` a second (at most `concurrency` requests in flight; a contact waiting
    to be tried again holds none), each until acknowledged or until `give_up_at` (time.time())."""

    def __init__(self, public_url: str, secrets: Secrets, run: str, *, count: int, rate: float, concurrency: int):
        self.public_url = public_url
        self.secrets = secrets
        self.run = run
        self.count = count
        self.rate = rate
        self.slots = asyncio.Semaphore(concurrency)
        self.limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.contacts: list[Attempted] = []
        self.hooks: list[Webhook] = []
        self.give_up_at = float("inf")
        self.rng = random.Random(run)

    async def send_all(self) -> None:
        """The whole burst; returns once every contact was acknowledged, refused or given up on."""
        began = time.monotonic()
        async with httpx.AsyncClient(
            base_url=self.public_url, timeout=ATTEMPT_SECONDS, limits=self.limits, trust_env=False
        ) as client:
            tasks = []
            for n in range(self.count):
                delay = began + n / self.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                hook = webhook(self.secrets, self.run, n)
                attempted = Attempted(hook.sent.key, hook.door, time.time())
                self.hooks.append(hook)
                self.contacts.append(attempted)
                tasks.append(asyncio.create_task(self._deliver(client, hook, attempted)))
            await asyncio.gather(*tasks)

    async def _deliver(self, client: httpx.AsyncClient, hook: Webhook, attempted: Attempted) -> None:
        backoff = FIRST_BACKOFF
        while time.time() < self.give_up_at:
            attempted.attempts += 1
            try:
                async with self.slots:
                    response = await client.post(hook.path, content=hook.body, headers=hook.headers)
            except httpx.HTTPError as exc:
                status = 0
                attempted.history.append(f"{time.time() - attempted.first_at:.1f}s {type(exc).__name__}")
            else:
                status = response.status_code
                attempted.history.append(f"{time.time() - attempted.first_at:.1f}s {status}")
                if status < 300 and (then := held(self.secrets, hook, response.text)) is not None:
                    hook, pause = then  # the caller holds; Twilio asks again after the pause
                    await asyncio.sleep(pause)
                    continue
                if status < 300:
                    attempted.acked_at = time.time()
                    return
                if not retriable(status):
                    attempted.refused = f"{status} {response.text[:200]}"
                    return
            await asyncio.sleep(backoff * (0.5 + self.rng.random()))
            backoff = min(backoff * 2, MAX_BACKOFF)

    def in_flight(self) -> int:
        return sum(1 for c in self.contacts if c.acked_at is None and c.refused is None)
