"""Replay: a failed (or any) delivery sent again as a new delivery of the same event to the same endpoint, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from tests.notify.webhooks.conftest import WorkerClock, drive, endpoint, receiver
from tests.notify.webhooks.receivers import Receiver
from townsquare.app import Runtime
from townsquare.errors import Problem
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import CASE_CREATED
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from townsquare.notify.webhooks.worker import WebhookConfig, WebhookWorker
from townsquare.staff.auth import Principal
from townsquare.staff.models import AuditEntry, StaffRole


async def _admin(session: AsyncSession) -> Principal:
    account = await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()
    return Principal("staff", account.id, "Root", StaffRole.admin, None)


async def test_a_failed_delivery_replayed_reaches_the_receiver_once_it_is_back(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    me = await _admin(session)
    r = receiver(receivers, clock)
    r.answers = [503, 503]
    await endpoint(session, r)
    async with runtime.db.session() as s:
        await webhooks.emit(s, event_type=CASE_CREATED, data={"reference": "TS-9"}, agency_id=None)
        await s.commit()
    clock.catch_up()
    worker = WebhookWorker(runtime.db, WebhookConfig(max_attempts=2), now=clock.now)
    try:
        await drive(worker, clock, runtime)
        async with runtime.db.session() as s:
            failed = (await s.execute(select(WebhookDelivery))).scalar_one()
            assert failed.status is WebhookStatus.failed
            again = await webhooks.replay(s, me=me, delivery_id=failed.id)
            await s.commit()
        clock.catch_up()
        await drive(worker, clock, runtime)
    finally:
        await worker.close()

    [accepted] = r.accepted
    assert accepted.verified
    assert accepted.delivery_id == str(again.id)  # a new delivery id ...
    assert accepted.payload == failed.payload  # ... of the same event, word for word
    async with runtime.db.session() as s:
        rows = {d.id: d for d in (await s.execute(select(WebhookDelivery))).scalars()}
        assert rows[failed.id].status is WebhookStatus.failed  # the log keeps what happened
        assert rows[again.id].status is WebhookStatus.delivered
        assert rows[again.id].replay_of_id == failed.id
        audit = (await s.execute(select(AuditEntry).where(AuditEntry.action == "webhook.replay"))).scalar_one()
        assert (audit.actor_id, audit.subject_id) == (str(me.id), str(again.id))
        assert audit.detail["replay_of"] == str(failed.id)


async def test_an_unknown_delivery_or_a_removed_endpoint_cannot_be_replayed(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    me = await _admin(session)
    row = await endpoint(session, receiver(receivers, clock, up=False))
    async with runtime.db.session() as s:
        await webhooks.emit(s, event_type=CASE_CREATED, data={}, agency_id=None)
        await s.commit()
    async with runtime.db.session() as s:
        delivery = (await s.execute(select(WebhookDelivery))).scalar_one()
        with pytest.raises(Problem) as unknown:
            await webhooks.replay(s, me=me, delivery_id=row.id)
        assert unknown.value.status == 404
        await webhooks.remove(s, endpoint=await s.get_one(WebhookEndpoint, row.id))
        with pytest.raises(Problem) as removed:
            await webhooks.replay(s, me=me, delivery_id=delivery.id)
        assert removed.value.status == 409
