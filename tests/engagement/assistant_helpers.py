"""Helpers for the assistant's tests: a signed SMS conversation over the real Twilio webhook, and its records."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from html import unescape

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.support.db import fresh
from townsquare.interactions.models import Direction, Interaction
from townsquare.routing.models import WorkItem

CITY = "+16135550100"
RESIDENT = "+16135551234"
PATH = "/channels/sms/twilio"


def messages_in(twiml: str) -> list[str]:
    """The texts a TwiML answer sends, in order."""
    return [unescape(m) for m in re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)]


@dataclass
class Phone:
    """A resident's phone texting the city, keeping what the city texted back."""

    client: httpx.AsyncClient
    number: str = RESIDENT
    received: list[list[str]] = field(default_factory=list)

    async def text(self, body: str, *, sid: str | None = None, media: tuple[str, ...] = ()) -> list[str]:
        """Text the city; `media` are the URLs of photos sent with it (an MMS, as Twilio describes one)."""
        form = {
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "AccountSid": TWILIO_ACCOUNT,
            "From": self.number,
            "To": CITY,
            "Body": body,
            "NumMedia": str(len(media)),
        }
        for n, url in enumerate(media):
            form |= {f"MediaUrl{n}": url, f"MediaContentType{n}": "image/jpeg"}
        response = await post_twilio(self.client, PATH, form)
        assert response.status_code == 200, response.text
        answers = messages_in(response.text)
        self.received.append(answers)
        return answers


async def work_items(session: AsyncSession) -> list[WorkItem]:
    await fresh(session)
    return list((await session.execute(select(WorkItem).order_by(WorkItem.created_at))).scalars())


async def assistant_replies(session: AsyncSession) -> list[Interaction]:
    await fresh(session)
    rows = await session.execute(
        select(Interaction)
        .where(Interaction.direction == Direction.outbound)
        .order_by(Interaction.occurred_at, Interaction.external_id)
    )
    return [r for r in rows.scalars() if (r.payload or {}).get("via") == "assistant"]
