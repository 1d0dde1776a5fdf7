"""Meta's webhook: the verification handshake, signed deliveries recorded once, tampered ones refused with nothing
stored, and what each product's messages (text, files, shared places) become."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import counts, create_agency
from tests.support import meta as wire
from tests.support.db import fresh
from townsquare.app import Runtime
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.interactions.models import Attachment, Channel, Direction, Interaction
from townsquare.notify.models import OutboxMessage
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.web.simulator.graph_fake import FakeGraph


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return wire.meta_settings(settings)


@pytest.fixture
async def agency(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works")
    await session.commit()


@pytest.fixture
def graph(runtime: Runtime, settings: Settings) -> FakeGraph:
    return wire.stand_in(runtime, settings)


async def inbound(session: AsyncSession) -> list[Interaction]:
    await fresh(session)
    stmt = select(Interaction).where(Interaction.direction == Direction.inbound)
    rows = await session.execute(stmt.order_by(Interaction.occurred_at, Interaction.created_at))
    return list(rows.scalars())


# The verification handshake


async def test_the_handshake_answers_the_challenge_for_the_verify_token_only(client: httpx.AsyncClient) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": wire.VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answered = await client.get(wire.PATH, params=query)
    assert answered.status_code == 200
    assert answered.text == "1158201444"
    assert answered.headers["content-type"].startswith("text/plain")
    wrong = await client.get(wire.PATH, params={**query, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert "verify token" in wrong.json()["detail"]
    assert (await client.get(wire.PATH, params={**query, "hub.mode": "unsubscribe"})).status_code == 422
    script = await client.get(wire.PATH, params={**query, "hub.challenge": "<script>alert(1)</script>"})
    assert script.status_code == 422


async def test_without_a_verify_token_the_handshake_is_refused(
    client: httpx.AsyncClient, settings: Settings, runtime: Runtime
) -> None:
    runtime.settings.meta_verify_token = None  # the app reads the runtime's settings
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert (await client.get(wire.PATH, params=query)).status_code == 403


# Signatures: accepted once, tampered ones refused with nothing stored


@pytest.mark.usefixtures("agency")
async def test_a_signed_delivery_is_recorded_once_and_its_redelivery_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    message = wire.wa_text("There is a pothole on Elm St")
    body = json.dumps(wire.whatsapp(message)).encode()
    first = await wire.post_meta(client, body)
    assert first.status_code == 200, first.text
    assert first.json() | {"refused": []} == first.json()
    assert (first.json()["messages"], first.json()["duplicates"]) == (1, 0)
    before = await counts(await fresh(session))
    again = await wire.post_meta(client, body)
    assert again.status_code == 200
    assert (again.json()["messages"], again.json()["duplicates"]) == (1, 1)
    assert await counts(await fresh(session)) == before
    (recorded,) = await inbound(session)
    assert recorded.channel is Channel.social
    assert recorded.external_id == f"whatsapp:{message['id']}"
    assert recorded.body == "There is a pothole on Elm St"
    assert recorded.payload["to"] == wire.PHONE_NUMBER_ID  # replies leave from the number the person wrote to
    assert recorded.occurred_at.timestamp() == int(wire.TIMESTAMP)  # when the person sent it
    identity = await session.get_one(Identity, recorded.identity_id)
    assert (identity.kind, identity.namespace, identity.value) == (IdentityKind.social, "whatsapp", wire.WA_ID)
    assert (await session.get_one(Citizen, recorded.citizen_id)).display_name == "Sheena Nelson"
    assert before["work_items"] == 1
    (thanks,) = (await session.execute(select(OutboxMessage))).scalars().all()  # once, not again on redelivery
    assert thanks.channel == "meta"
    assert thanks.recipient == wire.WA_ID
    assert thanks.payload == {
        "network": "whatsapp",
        "sent_as": "free_form",
        "text": "Thanks, we have your message. A member of staff will answer here.",
        "from": wire.PHONE_NUMBER_ID,
    }


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize("tamper", ["body changed", "no header", "wrong secret", "not hex"])
async def test_a_tampered_delivery_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, tamper: str
) -> None:
    body = json.dumps(wire.whatsapp(wire.wa_text("Hello"))).encode()
    before = await counts(session)
    if tamper == "body changed":
        response = await wire.post_meta(client, body.replace(b"Hello", b"Hullo"), signed=wire.signature(body))
    elif tamper == "no header":
        response = await wire.post_meta(client, body, signed="")
    elif tamper == "wrong secret":
        response = await wire.post_meta(client, body, secret="another app's secret")
    else:
        response = await wire.post_meta(client, body, signed="sha256=" + "zz" * 32)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts(await fresh(session)) == before


@pytest.mark.usefixtures("agency")
async def test_without_an_app_secret_every_delivery_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    runtime.settings.meta_app_secret = None
    before = await counts(session)
    response = await wire.post_meta(client, wire.whatsapp(wire.wa_text("Hello")))
    assert response.status_code == 403
    assert "not configured" in response.json()["detail"]
    assert await counts(await fresh(session)) == before


@pytest.mark.usefixtures("agency")
async def test_an_unknown_object_is_refused_by_name_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    before = await counts(session)
    response = await wire.post_meta(client, {"object": "user", "entry": [{"id": "1", "changes": []}]})
    assert response.status_code == 422
    assert "'user' is not an object this webhook takes" in response.json()["detail"]
    assert response.json()["errors"] == [{"field": "object", "message": "unknown object"}]
    not_json = await wire.post_meta(client, b"{not json")
    assert not_json.status_code == 422
    assert await counts(await fresh(session)) == before


# Each product's messages


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    ("obj", "namespace", "account", "business"),
    [("page", "messenger", wire.PSID, wire.PAGE_ID), ("instagram", "instagram", wire.IGSID, wire.INSTAGRAM_ID)],
)
async def test_messenger_and_instagram_texts_are_contacts_of_their_accounts(
    client: httpx.AsyncClient, session: AsyncSession, obj: str, namespace: str, account: str, business: str
) -> None:
    mid = wire.mid()
    response = await wire.post_meta(client, wire.messaging(obj, {"mid": mid, "text": "Is the pool open today?"}))
    assert response.status_code == 200, response.text
    echo = wire.messaging(obj, {"mid": wire.mid(), "text": "Our own reply", "is_echo": True, "app_id": 1})
    assert (await wire.post_meta(client, echo)).json()["ignored"] == 1  # our own send, coming back
    (recorded,) = await inbound(session)
    assert recorded.external_id == f"{namespace}:{mid}"
    assert recorded.body == "Is the pool open today?"
    assert recorded.payload["to"] == business
    identity = await session.get_one(Identity, recorded.identity_id)
    assert (identity.namespace, identity.value) == (namespace, account)
    work = select(WorkItem.channel).where(WorkItem.conversation_id == recorded.conversation_id)
    assert await session.scalar(work) == "social"


@pytest.mark.usefixtures("agency")
async def test_a_whatsapp_photo_is_fetched_through_the_graph_api_with_the_token(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, graph: FakeGraph
) -> None:
    photo = b"\xff\xd8\xff\xe0" + b"pothole" * 200
    media_id = graph.keep(photo, "image/jpeg")
    response = await wire.post_meta(client, wire.whatsapp(wire.wa_image(media_id, caption="This one")))
    assert response.status_code == 200, response.text
    (recorded,) = await inbound(session)
    assert recorded.body == "This one"
    await runtime.worker.drain()
    await fresh(session)
    (attachment,) = (await session.execute(select(Attachment))).scalars().all()
    assert attachment.source_url == f"{wire.GRAPH_BASE}/v25.0/{media_id}"
    assert attachment.filename == "image.jpg"
    assert attachment.sha256 is not None
    assert runtime.pipeline.store.read(attachment.sha256) == photo
    asked = [r for r in graph.requests if r["method"] == "GET"]
    assert [r["path"] for r in asked] == [f"/simulator/meta/graph/v25.0/{media_id}"]


@pytest.mark.usefixtures("agency")
async def test_a_messenger_photo_is_fetched_from_its_address_without_a_token(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, graph: FakeGraph
) -> None:
    media_id = graph.keep(b"\x89PNG\r\n\x1a\n" + b"bin" * 50, "image/png")
    url = f"http://graph.test/simulator/meta/cdn/{media_id}"
    message = {"mid": wire.mid(), "attachments": [{"type": "image", "payload": {"url": url}}]}
    assert (await wire.post_meta(client, wire.messaging("page", message))).status_code == 200
    await runtime.worker.drain()
    await fresh(session)
    (attachment,) = (await session.execute(select(Attachment))).scalars().all()
    assert (attachment.source_url, attachment.content_type) == (url, "image/jpeg")  # Meta's address names no type
    assert attachment.sha256 is not None  # served as image/png, an accepted type
    assert [r for r in graph.requests if r["method"] == "GET"] == []  # the file is not the Graph API's


@pytest.mark.usefixtures("agency")
async def test_a_shared_location_is_the_messages_location(client: httpx.AsyncClient, session: AsyncSession) -> None:
    shared = wire.wa_location(45.4215, -75.6972, name="Parliament Hill", address="111 Wellington St")
    assert (await wire.post_meta(client, wire.whatsapp(shared))).status_code == 200
    bare = wire.wa_location(45.0, -75.5)
    assert (await wire.post_meta(client, wire.whatsapp(bare))).status_code == 200
    named, plain = await inbound(session)
    assert named.payload["location"] == {
        "lat": 45.4215,
        "long": -75.6972,
        "address_string": "Parliament Hill, 111 Wellington St",
    }
    assert named.body == "Parliament Hill, 111 Wellington St"
    assert plain.payload["location"] == {"lat": 45.0, "long": -75.5}
    assert plain.body == "45.000000, -75.500000"
    nowhere = wire.wa_location(91.0, 0.0)
    assert (await wire.post_meta(client, wire.whatsapp(nowhere))).status_code == 422


@pytest.mark.usefixtures("agency")
async def test_each_message_of_a_delivery_is_its_own_contact_and_a_refused_one_is_answered(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    program = wire.wa_image("1234567890", mime_type="application/x-msdownload")
    program["type"], program["document"] = "document", program.pop("image")
    payload = wire.whatsapp(wire.wa_text("First"), program, wire.wa_text("Third"))
    response = await wire.post_meta(client, payload)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["messages"] == 2
    assert [r["status"] for r in result["refused"]] == [415]
    assert [i.body for i in await inbound(session)] == ["First", "Third"]
    refusals = select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("meta-refusal:"))
    polite = (await session.execute(refusals)).scalars().all()
    assert [p.payload["text"] for p in polite] == [
        "Sorry, we can only accept photos, PDF documents, audio and video. Please send it again without that file."
    ]
    assert polite[0].recipient == wire.WA_ID
    assert polite[0].payload["from"] == wire.PHONE_NUMBER_ID
    again = await wire.post_meta(client, payload)  # Meta delivers it again: told once, recorded once
    assert again.json()["duplicates"] == 2
    await fresh(session)
    sent = (await session.execute(select(OutboxMessage.payload))).scalars().all()
    assert [p["text"][:6] for p in sent] == ["Thanks", "Sorry,"]  # the new conversation thanked for, once


async def test_a_message_goes_to_the_agency_owning_the_page_it_was_written_to(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_agency(session, slug="city-works")
    parks = (await create_agency(session, slug="parks", name="Parks", contact=("social", wire.PAGE_ID))).id
    await session.commit()
    message = {"mid": wire.mid(), "text": "The playground swing is broken"}
    assert (await wire.post_meta(client, wire.messaging("page", message))).status_code == 200
    await fresh(session)
    assert await session.scalar(select(WorkItem.agency_id)) == parks


@pytest.mark.usefixtures("agency")
async def test_a_delivery_over_the_doors_limit_is_refused_unread(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    before = await counts(session)
    huge = json.dumps({"object": "page", "entry": [], "pad": "x" * 1_000_000}).encode()
    response = await wire.post_meta(client, huge)
    assert response.status_code == 413
    assert await counts(await fresh(session)) == before
