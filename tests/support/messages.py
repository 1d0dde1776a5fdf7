"""What the app sent a resident: the latest outbox message to an address, and the code or link inside it.

Reads only; waits are for a condition (a message arriving), never for a fixed time.
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.db import fresh
from townsquare.notify.models import OutboxMessage
from townsquare.notify.providers import RecordingProvider

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
TOKEN = r"([A-Za-z0-9_-]{20,})"


def code_in(text: str) -> str:
    """The six-digit verification code in a text or an email."""
    found = CODE.search(text)
    assert found is not None, f"no code in {text!r}"
    return found.group(1)


def token_in(text: str, path: str) -> str:
    """The token of the first link to `path` (e.g. "/account/sign-in/") in a message."""
    found = re.search(re.escape(path) + TOKEN, text)
    assert found is not None, f"no link to {path} in {text!r}"
    return found.group(1)


def body_of(message: OutboxMessage) -> str:
    """The text a person reads: an SMS's body or an email's plain text."""
    return str(message.payload.get("body") or message.payload.get("text"))


async def last_sent_to(session: AsyncSession, recipient: str) -> OutboxMessage:
    """The newest outbox message to `recipient` that the app committed."""
    await fresh(session)
    stmt = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    rows = (await session.execute(stmt.order_by(OutboxMessage.created_at))).scalars().all()
    assert rows, f"nothing sent to {recipient}"
    return rows[-1]


def texts_delivered(recording: RecordingProvider, recipient: str) -> list[str]:
    """What the recording provider delivered to `recipient`, oldest first."""
    bodies = (e.payload.get("body") or e.payload.get("text") for e in recording.sent if e.recipient == recipient)
    return [str(b) for b in bodies]


async def delivered_code(recording: RecordingProvider, recipient: str, *, already: int = 0) -> str:
    """The code in the newest message delivered to `recipient`, once more than `already` have arrived.

    For a live server whose outbox worker delivers on its own: waits (up to a generous 60 s) for the delivery.
    """
    for _ in range(1200):
        texts = texts_delivered(recording, recipient)
        if len(texts) > already:
            return code_in(texts[-1])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no code was delivered to {recipient}")
