"""Emitting: one delivery per subscribed, active endpoint whose scope covers the agency, written in the caller's
transaction; the platform's own case and delivery events become deliveries as they commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service
from tests.notify.webhooks.conftest import endpoint, receiver
from tests.notify.webhooks.receivers import Receiver
from townsquare.app import Runtime
from townsquare.cases import service as cases_service
from townsquare.cases.models import CaseStatus
from townsquare.casework import cases as casework
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions.models import Channel
from townsquare.notify.kinds import MessageType
from townsquare.notify.notifications import Notifier, Request
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import CASE_CREATED, CASE_STATUS_CHANGED, NOTIFICATION_STATUS_CHANGED
from townsquare.notify.webhooks.models import WebhookDelivery
from townsquare.notify.webhooks.worker import WebhookWorker
from townsquare.staff import service as staff
from townsquare.staff.auth import Principal

from .conftest import WorkerClock


async def _deliveries(runtime: Runtime) -> list[WebhookDelivery]:
    async with runtime.db.session() as s:
        stmt = select(WebhookDelivery).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        return list((await s.execute(stmt)).scalars())


async def test_one_delivery_per_subscribed_endpoint_whose_scope_covers_the_agency(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    of_roads = await endpoint(session, receiver(receivers, clock, up=False), agency=roads)
    await endpoint(session, receiver(receivers, clock, up=False), agency=parks)
    everyone = await endpoint(session, receiver(receivers, clock, up=False))
    await endpoint(session, receiver(receivers, clock, up=False), events=[NOTIFICATION_STATUS_CHANGED])

    async with runtime.db.session() as s:
        n = await webhooks.emit(s, event_type=CASE_CREATED, data={"reference": "TS-1"}, agency_id=roads.id)
        await s.commit()
    assert n == 2
    rows = await _deliveries(runtime)
    assert {r.endpoint_id for r in rows} == {of_roads.id, everyone.id}
    assert len({r.event_id for r in rows}) == 1  # one event, told to two endpoints
    payload = rows[0].payload
    assert payload["id"] == str(rows[0].event_id)
    assert payload["type"] == CASE_CREATED
    assert payload["data"] == {"reference": "TS-1"}
    assert payload["created_at"].endswith("Z")

    async with runtime.db.session() as s:  # an event no agency owns reaches only keys of every agency
        assert await webhooks.emit(s, event_type=CASE_CREATED, data={}, agency_id=None) == 1
        await s.commit()


async def test_removed_endpoints_and_revoked_keys_hear_nothing(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    removed = await endpoint(session, receiver(receivers, clock, up=False))
    revoked = await endpoint(session, receiver(receivers, clock, up=False))
    async with runtime.db.session() as s:
        await webhooks.remove(s, endpoint=await s.get_one(type(removed), removed.id))
        await staff.revoke_api_key(s, key_id=revoked.api_key_id)
        await s.commit()
    async with runtime.db.session() as s:
        assert await webhooks.emit(s, event_type=CASE_CREATED, data={}, agency_id=None) == 0
        await s.commit()
    assert await _deliveries(runtime) == []


async def test_the_senders_transaction_rolled_back_delivers_nothing(
    session: AsyncSession,
    runtime: Runtime,
    receivers: list[Receiver],
    clock: WorkerClock,
    worker: WebhookWorker,
) -> None:
    r = receiver(receivers, clock)
    await endpoint(session, r)
    async with runtime.db.session() as s:
        assert await webhooks.emit(s, event_type=CASE_CREATED, data={}, agency_id=None) == 1
        await s.rollback()
    assert await worker.drain() == 0
    assert await _deliveries(runtime) == []
    assert r.received == []


async def _case_of(session: AsyncSession, runtime: Runtime) -> tuple[Principal, str]:
    roads = await create_agency(session, slug="roads", name="Roads")
    await create_service(session, agency=roads, code="POTHOLE")
    _, key = await staff.create_api_key(session, name="crm", agency_id=roads.id)
    await session.commit()
    actor = Principal("api_key", key.id, "crm", None, frozenset({roads.id}))
    async with runtime.db.session() as s:
        case = await casework.open_case(
            s,
            settings=runtime.settings,
            actor=actor,
            service_code="POTHOLE",
            channel=Channel.api,
            title="Pothole at my door",
        )
        await s.commit()
        return actor, case.reference


async def test_opening_and_moving_a_case_tells_the_agencys_integrators_and_no_other(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    roads = await create_agency(session, slug="roads-x", name="Roads X")  # another agency with its own endpoint
    elsewhere = await endpoint(session, receiver(receivers, clock, up=False), agency=roads)
    everyone = await endpoint(session, receiver(receivers, clock, up=False))
    actor, reference = await _case_of(session, runtime)
    async with runtime.db.session() as s:
        case = await cases_service.get_by_reference(s, reference=reference)
        assert case is not None
        await casework.change_status(
            s, settings=runtime.settings, actor=actor, case=case, status=CaseStatus.in_progress
        )
        await s.commit()

    rows = await _deliveries(runtime)
    assert [r.event_type for r in rows] == [CASE_CREATED, CASE_STATUS_CHANGED]
    assert {r.endpoint_id for r in rows} == {everyone.id} != {elsewhere.id}
    created, moved = (r.payload["data"] for r in rows)
    assert created["reference"] == reference
    assert created["agency"] == "roads"
    assert created["service_code"] == "POTHOLE"
    assert created["status"] == "new"
    assert "Pothole at my door" not in str(rows[0].payload)  # what a person wrote never leaves
    assert moved["from_status"] == "new"
    assert moved["status"] == "in_progress"


async def test_a_notification_gives_the_integrator_signed_delivery_receipts(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    crm = receiver(receivers, clock)
    await endpoint(session, crm, events=[NOTIFICATION_STATUS_CHANGED])
    _, reference = await _case_of(session, runtime)
    async with runtime.db.session() as s:
        await import_notification_templates(s, NOTIFICATIONS_DIR)
        case = await cases_service.get_by_reference(s, reference=reference)
        assert case is not None
        citizen = await create_citizen(s, phone="+16135550142")
        case.citizen_id = citizen.id
        sent = await Notifier(runtime.settings).send(
            s,
            Request(
                citizen_id=citizen.id,
                message_type=MessageType.status_change,
                case_id=case.id,
                personalisation={"note": "Your crew is booked"},
                reference="CRM-77",
            ),
        )
        await s.commit()
    assert await runtime.worker.drain() == 1
    await runtime.bus.wait_idle()
    await runtime.notices.drain()

    rows = [r for r in await _deliveries(runtime) if r.event_type == NOTIFICATION_STATUS_CHANGED]
    assert [r.payload["data"]["status"] for r in rows] == ["sending", "sent"]
    data = rows[-1].payload["data"]
    assert data["notification_id"] == str(sent.id)
    assert (data["reference"], data["case_reference"]) == ("CRM-77", reference)
    assert data["channel"] is None or data["channel"] == "sms"
    assert rows[0].payload["data"]["channel"] == "sms"
    assert rows[0].payload["data"]["attempt"] == 1
    assert "crew" not in str(rows[-1].payload)
    assert "6135550142" not in str(rows[-1].payload)
