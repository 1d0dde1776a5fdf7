"""Replies on Meta's apps through the outbox and the Graph API (the simulator's stand-in, in the Graph API's wire
format): each product's JSON, the 24-hour window with the clock moved, and Meta's delivery reports."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.support import meta as wire
from tests.support.db import fresh
from townsquare.app import Runtime
from townsquare.channels.meta_graph import GraphProvider, exact_account
from townsquare.clock import replaying, utcnow
from townsquare.engagement import links, replies, social
from townsquare.errors import Problem
from townsquare.interactions.models import DeliveryStatus, Direction, Interaction
from townsquare.notify.models import OutboxMessage, OutboxStatus
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.notify.rendering import Content
from townsquare.settings import Settings
from townsquare.web.simulator.graph_fake import FakeGraph

REPLY = "Thank you. A crew will fill the pothole on Elm St this week.\nWe will text you when it is done."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return wire.meta_settings(settings).model_copy(
        update={"meta_whatsapp_template": "townsquare_reply", "meta_human_agent_tag": True}
    )


@pytest.fixture
async def agency(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works")
    await session.commit()


@pytest.fixture
def graph(runtime: Runtime, settings: Settings) -> FakeGraph:
    return wire.stand_in(runtime, settings)


def now_stamp(millis: bool = False) -> str:
    seconds = utcnow().timestamp()
    return str(int(seconds * 1000) if millis else int(seconds))


async def writes(
    client: httpx.AsyncClient, session: AsyncSession, product: str, runtime: Runtime, graph: FakeGraph
) -> Interaction:
    """The person writes now on `product`; their message as recorded (its thanks on the app sent and forgotten)."""
    if product == "whatsapp":
        payload = wire.whatsapp(wire.wa_text("There is a pothole on Elm St", timestamp=now_stamp()))
    else:
        payload = wire.messaging("page" if product == "messenger" else "instagram", {"mid": wire.mid(), "text": "Hi"})
        payload["entry"][0]["messaging"][0]["timestamp"] = int(now_stamp(millis=True))
    response = await wire.post_meta(client, payload)
    assert response.status_code == 200, response.text
    assert await runtime.worker.drain() == 1
    graph.received.clear()
    await fresh(session)
    stmt = select(Interaction).where(Interaction.direction == Direction.inbound)
    return (await session.execute(stmt.order_by(Interaction.occurred_at.desc()))).scalars().first()  # type: ignore[return-value]


async def reply(runtime: Runtime, settings: Settings, conversation_id: uuid.UUID, text: str = REPLY) -> None:
    async with runtime.db.session() as s:
        await replies.reply(
            s, conversation_id=conversation_id, content=Content(text), options=links.reply_options(settings)
        )
        await s.commit()


async def sent(session: AsyncSession) -> Interaction:
    """The reply on record, the newest outbound message (the first is the thanks the person's message got)."""
    await fresh(session)
    stmt = select(Interaction).where(Interaction.direction == Direction.outbound)
    rows = (await session.execute(stmt.order_by(Interaction.occurred_at))).scalars().all()
    assert rows[0].body.startswith("Thanks, we have your message")
    return rows[-1]


@pytest.mark.usefixtures("agency")
async def test_a_whatsapp_reply_is_a_cloud_api_text_from_the_number_the_person_wrote_to(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "whatsapp", runtime, graph)
    await reply(runtime, settings, inbound.conversation_id)
    assert await runtime.worker.drain() == 1
    (received,) = graph.received
    assert received.path == f"/simulator/meta/graph/v25.0/{wire.PHONE_NUMBER_ID}/messages"
    assert received.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": wire.WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": REPLY},
    }
    answer = await sent(session)
    assert answer.delivery_status is DeliveryStatus.sent
    assert answer.external_id == f"whatsapp:{received.message_id}"
    assert "sent_as" not in answer.payload  # free-form: nothing to explain


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize("product", ["messenger", "instagram"])
async def test_a_messenger_or_instagram_reply_is_a_send_api_response_with_the_page_token(
    client: httpx.AsyncClient,
    session: AsyncSession,
    runtime: Runtime,
    settings: Settings,
    graph: FakeGraph,
    product: str,
) -> None:
    inbound = await writes(client, session, product, runtime, graph)
    await reply(runtime, settings, inbound.conversation_id, "The pool opens at 9.")
    await runtime.worker.drain()
    (received,) = graph.received
    assert received.path == f"/simulator/meta/graph/v25.0/{wire.PAGE_ID}/messages"
    account = wire.PSID if product == "messenger" else wire.IGSID
    assert received.body == {
        "recipient": {"id": account},
        "messaging_type": "RESPONSE",
        "message": {"text": "The pool opens at 9."},
    }
    assert (await sent(session)).external_id == f"{product}:{received.message_id}"


@pytest.mark.usefixtures("agency")
async def test_after_24_hours_whatsapp_gets_the_approved_template_with_the_reply_as_its_parameter(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "whatsapp", runtime, graph)
    with replaying(utcnow() + timedelta(hours=25)):  # the outbox row is due then too
        await reply(runtime, settings, inbound.conversation_id)
        await runtime.worker.drain()
    (received,) = graph.received
    one_line = REPLY.replace("\n", " ")
    assert received.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": wire.WA_ID,
        "type": "template",
        "template": {
            "name": "townsquare_reply",
            "language": {"code": "en"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": one_line}]}],
        },
    }
    answer = await sent(session)
    assert answer.payload["sent_as"] == "template"  # the timeline says why it went so
    assert answer.body == one_line  # what the person was actually sent


@pytest.mark.usefixtures("agency")
async def test_after_24_hours_without_a_template_the_whatsapp_reply_is_refused_and_nothing_is_queued(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "whatsapp", runtime, graph)
    plain = settings.model_copy(update={"meta_whatsapp_template": None})
    with replaying(utcnow() + timedelta(hours=24, seconds=1)), pytest.raises(Problem) as refused:
        await reply(runtime, plain, inbound.conversation_id)
    assert refused.value.status == 422
    assert refused.value.detail == social.WHATSAPP_TEMPLATE_MISSING
    assert refused.value.errors[0].field == "channel"
    await fresh(session)
    pending = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
    assert (await session.execute(pending)).scalars().all() == []


@pytest.mark.usefixtures("agency")
async def test_messenger_takes_the_human_agent_tag_for_7_days_and_nothing_after(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    conversation = (await writes(client, session, "messenger", runtime, graph)).conversation_id
    wrote = utcnow()
    with replaying(wrote + timedelta(days=3)):
        await reply(runtime, settings, conversation, "Still on it.")
        await runtime.worker.drain()
    (received,) = graph.received
    assert received.body == {
        "recipient": {"id": wire.PSID},
        "messaging_type": "MESSAGE_TAG",
        "message": {"text": "Still on it."},
        "tag": "HUMAN_AGENT",
    }
    assert (await sent(session)).payload["sent_as"] == "human_agent"
    untagged = settings.model_copy(update={"meta_human_agent_tag": False})
    with replaying(wrote + timedelta(days=3)), pytest.raises(Problem) as refused:
        await reply(runtime, untagged, conversation, "Still on it.")
    assert refused.value.detail == social.NO_HUMAN_AGENT_TAG
    with replaying(wrote + timedelta(days=8)), pytest.raises(Problem) as late:
        await reply(runtime, settings, conversation, "Still on it.")
    assert late.value.detail == social.PAST_HUMAN_AGENT_WINDOW


@pytest.mark.usefixtures("agency")
async def test_an_instagram_reply_too_long_for_one_message_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "instagram", runtime, graph)
    with pytest.raises(Problem) as refused:
        await reply(runtime, settings, inbound.conversation_id, "x" * 1001)
    assert refused.value.detail == social.TOO_LONG[social.Network.instagram]


@pytest.mark.usefixtures("agency")
async def test_whatsapp_statuses_move_the_reply_forward_only_and_keep_a_failures_code(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "whatsapp", runtime, graph)
    await reply(runtime, settings, inbound.conversation_id)
    await runtime.worker.drain()
    wamid = graph.received[0].message_id
    delivered = await wire.post_meta(client, wire.whatsapp(statuses=[wire.wa_status(wamid, "delivered")]))
    assert delivered.json()["statuses_applied"] == 1
    assert (await sent(session)).delivery_status is DeliveryStatus.delivered
    late = [wire.wa_status(wamid, "sent"), wire.wa_status(wire.wamid(), "failed", code=131047)]
    answered = await wire.post_meta(client, wire.whatsapp(statuses=late))
    assert answered.json()["statuses_applied"] == 1  # the other id is none of ours
    answer = await sent(session)
    assert answer.delivery_status is DeliveryStatus.delivered
    assert answer.payload["provider_status"] == "sent"


@pytest.mark.usefixtures("agency")
async def test_a_failed_status_marks_the_reply_failed_with_metas_code(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "whatsapp", runtime, graph)
    await reply(runtime, settings, inbound.conversation_id)
    await runtime.worker.drain()
    failed = wire.wa_status(graph.received[0].message_id, "failed", code=131047)
    assert (await wire.post_meta(client, wire.whatsapp(statuses=[failed]))).status_code == 200
    answer = await sent(session)
    assert answer.delivery_status is DeliveryStatus.failed
    assert answer.payload["error_code"] == "131047"


@pytest.mark.usefixtures("agency")
async def test_a_messenger_delivery_receipt_marks_the_reply_delivered(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings, graph: FakeGraph
) -> None:
    inbound = await writes(client, session, "messenger", runtime, graph)
    await reply(runtime, settings, inbound.conversation_id, "Noted.")
    await runtime.worker.drain()
    receipt = {
        "sender": {"id": wire.PSID},
        "recipient": {"id": wire.PAGE_ID},
        "delivery": {"mids": [graph.received[0].message_id], "watermark": 1},
    }
    payload = {"object": "page", "entry": [{"id": wire.PAGE_ID, "time": 1, "messaging": [receipt]}]}
    assert (await wire.post_meta(client, payload)).json()["statuses_applied"] == 1
    assert (await sent(session)).delivery_status is DeliveryStatus.delivered


def answering(status: int, body: dict[str, Any]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


@pytest.mark.parametrize(
    ("status", "code", "failure"),
    [
        (400, 131047, PermanentFailure),
        (400, 4, TemporaryFailure),
        (500, 1, TemporaryFailure),
        (401, 190, PermanentFailure),
    ],
)
async def test_graph_errors_are_sorted_for_the_outbox(
    settings: Settings, status: int, code: int, failure: type[Exception]
) -> None:
    error = {"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": code}}
    provider = GraphProvider(settings, transport=answering(status, error))
    envelope = Envelope("meta", wire.WA_ID, {"network": "whatsapp", "text": "Hi"}, "interaction:x")
    with pytest.raises(failure) as raised:
        await provider.send(envelope)
    assert wire.WA_ID not in str(raised.value)  # Meta's message may quote the person; only its code is kept


async def test_a_business_scoped_whatsapp_user_is_addressed_by_recipient_exactly_as_meta_wrote_it(
    settings: Settings,
) -> None:
    seen: list[dict[str, Any]] = []

    def graph_api(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.X"}]})

    provider = GraphProvider(settings, transport=httpx.MockTransport(graph_api))
    envelope = Envelope("meta", "us.13491208655302741918", {"network": "whatsapp", "text": "Hi"}, "k")
    assert await provider.send(envelope) == "whatsapp:wamid.X"
    assert seen[0]["recipient"] == "US.13491208655302741918"
    assert "to" not in seen[0]
    assert exact_account("us.ent.11815799212886844830") == "US.ENT.11815799212886844830"
