"""The engagement pipeline: dedupe, identify, thread, record, decide, publish."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, count, create_agency, create_citizen, create_service
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, CitizenStatus, Identity, IdentityKind
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.events import Event, InteractionRecorded
from townsquare.interactions.models import Channel, Conversation, Interaction
from townsquare.routing.models import WorkItem


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    await create_agency(session, slug="city-works", contact=("sms", "+16135550100"))
    h = await api_key_headers(session)
    await session.commit()
    return h


def sms(frm: str, text: str, sid: str | None = None, **extra: object) -> dict[str, object]:
    return {
        "channel": "sms",
        "external_id": sid or f"SM{uuid.uuid4().hex}",
        "from": {"kind": "phone", "value": frm},
        "to": "+16135550100",
        "text": text,
        **extra,
    }


async def test_the_same_webhook_delivered_twice_records_one_interaction(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    body = sms("+15550102030", "Pothole on Elm St", sid="SM0001")
    first = await client.post("/api/v1/interactions", json=body, headers=headers)
    second = await client.post("/api/v1/interactions", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["interaction_id"] == first.json()["interaction_id"]
    assert await count(session, Interaction) == 1
    assert await count(session, WorkItem) == 1


@pytest.mark.postgres_only
async def test_concurrent_deliveries_of_one_webhook_record_one_interaction(
    runtime: Runtime, headers: dict[str, str]
) -> None:
    message = InboundMessage(
        channel=Channel.sms, text="hello", sender=Sender(IdentityKind.phone, "+15550102030"), external_id="SM-race"
    )

    async def deliver() -> str:
        async with runtime.db.session() as s:
            return (await runtime.pipeline.ingest(s, message)).interaction_id

    ids = await asyncio.gather(*(deliver() for _ in range(4)))
    assert len(set(ids)) == 1
    async with runtime.db.session() as s:
        assert await count(s, Interaction) == 1
        assert await count(s, Citizen) == 1


@pytest.mark.postgres_only
async def test_concurrent_first_messages_from_one_new_sender_make_one_citizen(
    runtime: Runtime, headers: dict[str, str]
) -> None:
    async def deliver(n: int) -> str:
        message = InboundMessage(
            channel=Channel.sms,
            text=f"hello {n}",
            sender=Sender(IdentityKind.phone, "+15550102030"),
            external_id=f"SM{n}",
        )
        async with runtime.db.session() as s:
            return (await runtime.pipeline.ingest(s, message)).citizen_id

    citizen_ids = await asyncio.gather(*(deliver(n) for n in range(4)))
    assert len(set(citizen_ids)) == 1  # the losers of the race for the identity were placed again, as theirs
    async with runtime.db.session() as s:
        assert await count(s, Interaction) == 4
        assert await count(s, Identity) == 1
        assert await count(s, Citizen) == 1


async def test_a_new_senders_contact_takes_one_savepoint_on_postgresql(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        await s.commit()
    message = InboundMessage(channel=Channel.sms, text="hello", sender=Sender(IdentityKind.phone, "+15550102030"))
    async with runtime.db.session() as s:
        with record_statements(runtime.db.engine) as seen:
            await runtime.pipeline.ingest(s, message)
    savepoints = [q for q in seen if q.upper().startswith("SAVEPOINT")]
    assert len(savepoints) == (0 if runtime.db.dialect == "sqlite" else 1), seen


async def test_unknown_phone_makes_a_provisional_citizen_and_other_formats_join_it(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    first = (await client.post("/api/v1/interactions", json=sms("(555) 010-2030", "hi"), headers=headers)).json()
    second = (await client.post("/api/v1/interactions", json=sms("+15550102030", "again"), headers=headers)).json()
    assert first["citizen_created"] is True
    assert second["citizen_created"] is False
    assert second["citizen_id"] == first["citizen_id"]
    assert second["conversation_id"] == first["conversation_id"]
    citizen = await session.get_one(Citizen, uuid.UUID(first["citizen_id"]))
    assert citizen.status is CitizenStatus.provisional
    identity = (await session.execute(select(Identity))).scalar_one()
    assert identity.value == "+15550102030"
    assert identity.verified is False
    # Both messages are on one work item, counted twice, not two items in the queue.
    item = (await session.execute(select(WorkItem))).scalar_one()
    assert item.interaction_count == 2


async def test_a_message_quoting_a_case_reference_joins_that_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    agency = await create_agency(session, slug="revenue", name="Revenue")
    await create_service(session, agency=agency, code="PROP-TAX", name="Property tax")
    citizen = await create_citizen(session, phone="+15550102030")
    await session.commit()
    opened = await client.post(
        "/api/v1/cases",
        json={"service_code": "PROP-TAX", "citizen_id": str(citizen.id), "channel": "web"},
        headers=headers,
    )
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    result = (
        await client.post(
            "/api/v1/interactions", json=sms("+1 555 010 2030", f"any news on {ref.lower()}?"), headers=headers
        )
    ).json()
    assert result["case_reference"] == ref
    interaction = await session.get_one(Interaction, uuid.UUID(result["interaction_id"]))
    assert str(interaction.case_id) == opened.json()["id"]
    conversation = await session.get_one(Conversation, interaction.conversation_id)
    assert str(conversation.case_id) == opened.json()["id"]
    # Work lands in the agency that owns the case, not the one that owns the SMS number.
    item = (await session.execute(select(WorkItem).where(WorkItem.conversation_id == conversation.id))).scalar_one()
    assert item.agency_id == agency.id


async def test_an_explicit_unknown_case_reference_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    response = await client.post(
        "/api/v1/interactions", json=sms("+15550102030", "hi", case_reference="TS-2026-999999"), headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "case_reference"
    assert await count(session, Interaction) == 0
    assert await count(session, Citizen) == 0


async def test_email_replies_thread_by_message_id(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    def email(mid: str, refs: list[str], sender: str = "maria@example.org") -> dict[str, object]:
        return {
            "channel": "email",
            "external_id": mid,
            "from": {"kind": "email", "value": sender},
            "text": "text",
            "subject": "Streetlight",
            "thread_refs": refs,
        }

    first = (await client.post("/api/v1/interactions", json=email("<a@x>", []), headers=headers)).json()
    reply = (await client.post("/api/v1/interactions", json=email("<b@x>", ["<a@x>"]), headers=headers)).json()
    stranger = (
        await client.post("/api/v1/interactions", json=email("<c@x>", ["<a@x>"], "other@example.org"), headers=headers)
    ).json()
    assert reply["conversation_id"] == first["conversation_id"]
    assert stranger["conversation_id"] != first["conversation_id"]  # never threaded into someone else's conversation


async def test_a_form_submission_for_a_service_opens_a_case_in_its_agency(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    agency = await create_agency(session, slug="transport", name="Transport")
    await create_service(session, agency=agency, code="DL-RENEW", name="Renew a licence", sla_target_hours=240)
    await session.commit()
    body = {
        "channel": "web",
        "kind": "form_submission",
        "service_code": "DL-RENEW",
        "from": {"kind": "email", "value": "Maria@Example.org"},
        "text": "Please renew",
    }
    result = (await client.post("/api/v1/interactions", json=body, headers=headers)).json()
    case = (await session.execute(select(Case))).scalar_one()
    assert result["case_reference"] == case.reference
    assert case.agency_id == agency.id
    assert case.sla_due_at is not None


async def test_a_second_application_soon_after_the_first_opens_its_own_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    agency = await create_agency(session, slug="transport", name="Transport")
    await create_service(session, agency=agency, code="DL-RENEW", name="Renew a licence")
    await create_service(session, agency=agency, code="PARK-PERMIT", name="Parking permit")
    await session.commit()
    sender = {"kind": "email", "value": "maria@example.org"}
    licence = {"channel": "web", "kind": "form_submission", "service_code": "DL-RENEW", "from": sender, "text": "a"}
    permit = licence | {"service_code": "PARK-PERMIT", "text": "b"}
    first = (await client.post("/api/v1/interactions", json=licence, headers=headers)).json()
    question = {"channel": "email", "from": sender, "text": "Any news?", "subject": "My licence"}
    asked = (await client.post("/api/v1/interactions", json=question, headers=headers)).json()
    second = (await client.post("/api/v1/interactions", json=permit, headers=headers)).json()
    assert asked["case_reference"] == first["case_reference"]  # a message soon after joins the open conversation
    assert second["case_reference"] is not None
    assert second["case_reference"] != first["case_reference"]  # but a new application is new work
    assert second["conversation_id"] != first["conversation_id"]
    assert await count(session, Case) == 2


async def test_events_are_published_only_after_commit(runtime: Runtime, headers: dict[str, str]) -> None:
    seen: list[Event] = []

    async def listener(event: Event) -> None:
        seen.append(event)

    runtime.bus.subscribe(InteractionRecorded, listener)
    async with runtime.db.session() as s:
        await runtime.pipeline.ingest(
            s, InboundMessage(channel=Channel.chat, text="hi", sender=Sender(IdentityKind.device, "dev-1"))
        )
    await runtime.bus.wait_idle()
    assert [e.name for e in seen] == ["interaction.recorded"]
    assert "hi" not in str(seen[0].data)  # events carry ids, not what people said
