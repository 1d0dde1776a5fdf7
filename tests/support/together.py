"""A resident on a call with an agent, ready to fill in a form together: the agency and its service with a form,
the resident (a phone and an email), the agent holding the call's work item; and the steps the tests share (send
the link over HTTP, read it from what was sent, open it as the resident's phone does)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_citizen, create_service, desk_work_item
from tests.support.db import fresh
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, InteractionKind
from townsquare.notify.models import OutboxMessage

PHONE = "+16135550142"
EMAIL = "maria@example.org"
AGENT = "wren@city.example"
ORIGIN = {"Origin": "http://testserver"}
LINK = re.compile(r"/together/([A-Za-z0-9_-]{20,})")
PERMIT: list[dict[str, Any]] = [
    {"code": "plate", "datatype": "string", "required": True, "description": "Licence plate"},
    {
        "code": "vehicle",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "Kind of vehicle",
        "values": [{"key": "car", "name": "Car"}, {"key": "van", "name": "Van"}],
    },
    {"code": "colour", "datatype": "string", "description": "Colour of the vehicle"},
]


@dataclass(frozen=True)
class Together:
    """The ids the tests use: the call's work item, the resident, the agent, her phone's identity."""

    item_id: uuid.UUID
    citizen_id: uuid.UUID
    agent_id: uuid.UUID
    phone_id: uuid.UUID
    email_id: uuid.UUID
    agency_id: uuid.UUID


async def together_world(session: AsyncSession, *, agent_email: str = AGENT) -> Together:
    """Maria on a call with Wren of City Works, which offers a parking permit with a two-question form."""
    agency = await create_agency(session)
    await create_service(session, agency=agency, code="PERMIT", name="Residential parking permit", attributes=PERMIT)
    citizen = await create_citizen(session, name="Maria Lopez", phone=PHONE, email=EMAIL, phone_verified=True)
    agent = await create_agent(session, email=agent_email, agencies=[agency])
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.voice)
    phone = await session.scalar(
        select(Identity).where(Identity.citizen_id == citizen.id, Identity.kind == IdentityKind.phone)
    )
    email = await session.scalar(
        select(Identity).where(Identity.citizen_id == citizen.id, Identity.kind == IdentityKind.email)
    )
    assert phone is not None
    assert email is not None
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.voice,
        direction=Direction.inbound,
        kind=InteractionKind.call,
        body="Call",
        identity_id=phone.id,
    )
    item = await desk_work_item(
        session, agency=agency, citizen=citizen, conversation_id=conversation.id, holder=agent, channel="voice"
    )
    return Together(item.id, citizen.id, agent.id, phone.id, email.id, agency.id)


async def send_link(
    client: httpx.AsyncClient, world: Together, *, to: str = "", purpose: str = "form"
) -> httpx.Response:
    """The agent (signed in on `client`) sends the permit's form by text to her phone, unless told otherwise."""
    data = {"service_code": "PERMIT", "purpose": purpose, "to": to or f"sms:{world.phone_id}"}
    return await client.post(f"/desk/work/{world.item_id}/cofill", data=data, headers=ORIGIN)


def token_of(text: str) -> str:
    """The token of the link in a message."""
    found = LINK.search(text)
    assert found is not None, f"no link to a form in {text!r}"
    return found.group(1)


async def sent_link(session: AsyncSession, recipient: str = PHONE) -> tuple[OutboxMessage, str]:
    """The newest message queued to `recipient`, and the token of the link in it."""
    await fresh(session)
    rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.recipient == recipient))).scalars().all()
    assert rows, f"nothing sent to {recipient}"
    message = max(rows, key=lambda r: r.created_at)
    return message, token_of(str(message.payload.get("body") or message.payload.get("text")))


async def open_on_phone(phone: httpx.AsyncClient, token: str) -> str:
    """The resident opens the link (the page, then its button); the draft's pages' address."""
    page = await phone.get(f"/together/{token}")
    assert page.status_code == 200, page.text
    opened = await phone.post(f"/together/{token}", headers=ORIGIN)
    assert opened.status_code == 303, opened.text
    return str(opened.headers["location"])
