"""Agents at the desk, each signed in and asking for one app process (`X-Soak-Pin`): they watch their inbox, accept
what routing offers them, answer it (the desk's reply form, so the answer leaves through the outbox on the contact's
own channel) and complete it, as a person would with the plain forms.

A reply is posted once: a person whose form failed does not know whether it went, so it is not sent again (a
second reply would be a second message, not a redelivery). Accepting and completing are safe to repeat.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass

import httpx

from .counting import marker

OFFER = re.compile(r'data-offer-id="([0-9a-f-]{36})"')
HELD = re.compile(r'href="/desk/work/([0-9a-f-]{36})" data-work-link')
POLL_SECONDS = 0.4


@dataclass(frozen=True)
class Reply:
    """An agent's reply as posted: its marker, when, and the app process that took it."""

    key: str
    item: str
    at: float
    server: str


class Agent:
    """One member of staff at the desk."""

    def __init__(self, index: int, public_url: str, token: str, pin: str, run: str, numbers: itertools.count[int]):
        self.index = index
        self.pin = pin
        self.run = run
        self.numbers = numbers
        self.client = httpx.AsyncClient(
            base_url=public_url,
            cookies={"ts_staff": token},
            headers={"X-Soak-Pin": pin},
            timeout=10.0,
            follow_redirects=False,
            trust_env=False,
        )
        self.replied: set[str] = set()
        self.done: set[str] = set()
        self.replies: list[Reply] = []
        self.accepted = 0
        self.failures = 0

    async def close(self) -> None:
        await self.client.aclose()

    async def run_until_cancelled(self) -> None:
        while True:
            try:
                inbox = await self.client.get("/desk/_inbox")
            except httpx.HTTPError:
                self.failures += 1
                await asyncio.sleep(POLL_SECONDS)
                continue
            if inbox.status_code != 200:
                self.failures += 1
                await asyncio.sleep(POLL_SECONDS)
                continue
            for item in OFFER.findall(inbox.text):
                if await self._post(f"/desk/offers/{item}/accept", {}) == 303:
                    self.accepted += 1
                    await self._handle(item)
            for item in HELD.findall(inbox.text):
                if item not in self.done:
                    await self._handle(item)
            await asyncio.sleep(POLL_SECONDS)

    async def _handle(self, item: str) -> None:
        """Answer the held item once, then complete it."""
        if item not in self.replied:
            self.replied.add(item)
            key = marker(self.run, next(self.numbers), "r")
            at = time.time()
            try:
                response = await self.client.post(
                    f"/desk/work/{item}/reply", data={"body": f"Thank you, we are looking into it ({key})"}
                )
            except httpx.HTTPError:
                self.failures += 1  # perhaps sent, perhaps not: a person would look, not post again
            else:
                if response.status_code == 303:
                    self.replies.append(Reply(key, item, at, response.headers.get("X-Soak-Server", "?")))
        for _ in range(3):
            status = await self._post(f"/desk/work/{item}/complete", {"outcome": "answered"})
            if status in (303, 403, 404, 409):
                self.done.add(item)
                return

    async def _post(self, path: str, form: dict[str, str]) -> int:
        try:
            return (await self.client.post(path, data=form)).status_code
        except httpx.HTTPError:
            self.failures += 1
            return 0
