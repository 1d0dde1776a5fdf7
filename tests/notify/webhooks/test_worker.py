"""The worker against real receivers on loopback: signed deliveries that verify, a receiver down for a while that
still gets every event once, one that never returns marked failed, and a slow one that holds up nobody else."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.notify.webhooks.conftest import WorkerClock, drive, endpoint, receiver
from tests.notify.webhooks.receivers import Receiver
from townsquare.app import Runtime, build_runtime
from townsquare.clock import utcnow
from townsquare.notify.webhooks import service as webhooks
from townsquare.notify.webhooks.catalogue import CASE_CREATED, CASE_STATUS_CHANGED
from townsquare.notify.webhooks.models import WebhookDelivery, WebhookStatus
from townsquare.notify.webhooks.worker import WebhookConfig, WebhookWorker
from townsquare.settings import Settings

WAIT_POLLS = 100  # a bound on waiting for a condition (a minute at most), never a measure of speed


async def _emit(runtime: Runtime, clock: WorkerClock, n: int, event_type: str = CASE_CREATED) -> list[str]:
    """`n` events, each in its own committed transaction, due on the worker's clock; their ids."""
    ids = []
    for i in range(n):
        async with runtime.db.session() as s:
            await webhooks.emit(s, event_type=event_type, data={"reference": f"TS-2026-{i:06d}"}, agency_id=None)
            await s.commit()
        async with runtime.db.session() as s:
            newest = select(WebhookDelivery.event_id).order_by(WebhookDelivery.created_at.desc()).limit(1)
            ids.append(str(await s.scalar(newest)))
    clock.catch_up()
    return ids


async def _rows(runtime: Runtime) -> list[WebhookDelivery]:
    async with runtime.db.session() as s:
        return list((await s.execute(select(WebhookDelivery).order_by(WebhookDelivery.created_at))).scalars())


async def test_a_delivery_arrives_signed_and_verifiable_with_its_headers(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    r = receiver(receivers, clock)
    await endpoint(session, r)
    [event_id] = await _emit(runtime, clock, 1, CASE_STATUS_CHANGED)
    assert await worker.drain() == 1

    [got] = r.received
    assert got.verified
    assert got.event_type == CASE_STATUS_CHANGED
    assert got.payload["id"] == event_id
    assert got.payload["data"] == {"reference": "TS-2026-000000"}
    [row] = await _rows(runtime)
    assert got.delivery_id == str(row.id)
    assert row.status is WebhookStatus.delivered
    assert (row.attempts, row.last_status_code, row.last_error) == (1, 200, None)
    assert row.delivered_at == clock.now()


async def test_a_receiver_with_another_secret_cannot_verify(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    r = receiver(receivers, clock)
    await endpoint(session, r)
    r.secret = "whsec_not-the-one"
    await _emit(runtime, clock, 1)
    await worker.drain()
    assert [x.verified for x in r.received] == [False]


async def test_a_receiver_down_for_a_while_gets_every_event_once_when_it_returns(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    r = receiver(receivers, clock, up=False)  # the port is closed
    await endpoint(session, r)
    emitted = await _emit(runtime, clock, 3)

    await worker.drain()
    await worker.drain()  # nothing is due again until the clock moves: no busy retrying
    rows = await _rows(runtime)
    assert [(x.status, x.attempts, x.last_status_code) for x in rows] == [(WebhookStatus.pending, 1, None)] * 3
    assert all(x.last_error is not None and "connect" in x.last_error for x in rows)

    clock.advance(10)
    await worker.drain()  # still down: the second attempt fails too, and the wait doubles
    assert {x.attempts for x in await _rows(runtime)} == {2}

    r.start()
    r.answers = [503, 503]  # back, but still unwell for two answers
    await drive(worker, clock, runtime)

    assert sorted(x.payload["id"] for x in r.accepted) == sorted(emitted)  # every event, once
    assert all(x.verified for x in r.received)
    rows = await _rows(runtime)
    assert {x.status for x in rows} == {WebhookStatus.delivered}
    assert sum(x.attempts for x in rows) == 3 * 2 + len(r.received)


async def test_backoff_doubles_from_the_base(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    r = receiver(receivers, clock)
    r.answers = [500] * 4
    await endpoint(session, r)
    await _emit(runtime, clock, 1)
    start = clock.now()
    waits = []
    for _ in range(4):
        await worker.drain()
        [row] = await _rows(runtime)
        waits.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.move_to(row.next_attempt_at)
    assert waits == [10, 20, 40, 80]
    await worker.drain()
    [row] = await _rows(runtime)
    assert row.status is WebhookStatus.delivered
    assert row.delivered_at is not None
    assert (row.delivered_at - start).total_seconds() == 150


@pytest.mark.parametrize(
    ("config", "attempts"),
    [
        (WebhookConfig(retry_base_seconds=10, max_attempts=4, max_age_seconds=24 * 3600), 4),
        (WebhookConfig(retry_base_seconds=10, max_attempts=50, max_age_seconds=60), 3),  # 0, 10, 30; 70 is too late
        (WebhookConfig(), 15),  # defaults: waits of 10 s, 20 s … up to 6 h; the 15th try at 23.4 h
    ],
    ids=["attempts", "age", "defaults"],
)
async def test_a_receiver_that_never_returns_is_marked_failed_after_the_limit(
    session: AsyncSession,
    runtime: Runtime,
    receivers: list[Receiver],
    clock: WorkerClock,
    config: WebhookConfig,
    attempts: int,
) -> None:
    r = receiver(receivers, clock)
    r.answers = [503] * 100
    await endpoint(session, r)
    await _emit(runtime, clock, 1)
    worker = WebhookWorker(runtime.db, config, now=clock.now)
    try:
        await drive(worker, clock, runtime)
    finally:
        await worker.close()
    [row] = await _rows(runtime)
    assert row.status is WebhookStatus.failed
    assert (row.attempts, row.last_status_code, row.delivered_at) == (attempts, 503, None)
    assert clock.now() - row.created_at <= timedelta(seconds=config.max_age_seconds)
    assert len(r.received) == attempts
    assert r.accepted == []


async def test_a_slow_receiver_holds_up_no_other_endpoint(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    slow, quick = receiver(receivers, clock), receiver(receivers, clock)
    slow_endpoint = await endpoint(session, slow, name="slow")
    await endpoint(session, quick, name="quick")
    slow.hold()  # answers nothing until the test lets it
    await _emit(runtime, clock, 2)
    worker = WebhookWorker(runtime.db, WebhookConfig(timeout_seconds=0.5), now=clock.now)
    try:
        assert await worker.run_once() == 4
    finally:
        slow.release.set()
        await worker.close()
    assert len(quick.accepted) == 2
    rows = await _rows(runtime)
    held = [x for x in rows if x.endpoint_id == slow_endpoint.id]
    assert {x.status for x in held} == {WebhookStatus.pending}
    assert {x.last_error for x in held} == {"no answer within 0.5 s"}
    assert {x.status for x in rows if x.endpoint_id != slow_endpoint.id} == {WebhookStatus.delivered}


async def test_a_delivery_claimed_by_another_worker_is_not_posted_twice(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock, worker: WebhookWorker
) -> None:
    r = receiver(receivers, clock)
    await endpoint(session, r)
    await _emit(runtime, clock, 1)
    other = WebhookWorker(runtime.db, WebhookConfig(), now=clock.now)
    claimed = await other._claim()  # another worker holds the lease
    assert len(claimed) == 1
    assert await worker.drain() == 0
    clock.advance(61)  # its lease ran out (the other worker died): the delivery is taken over
    assert await worker.drain() == 1
    await other._deliver(*claimed[0])  # the dead worker's late outcome is not recorded over ours
    await other.close()
    [row] = await _rows(runtime)
    assert (row.status, row.attempts) == (WebhookStatus.delivered, 1)
    assert uuid.UUID(r.received[0].delivery_id) == row.id


@pytest.mark.postgres_only
async def test_a_worker_passes_over_deliveries_another_is_claiming(
    session: AsyncSession, runtime: Runtime, receivers: list[Receiver], clock: WorkerClock
) -> None:
    await endpoint(session, receiver(receivers, clock, up=False))
    await _emit(runtime, clock, 10)
    async with runtime.db.session() as held:  # another worker in the middle of its claim: five rows locked
        oldest = select(WebhookDelivery.id).order_by(WebhookDelivery.next_attempt_at).limit(5).with_for_update()
        locked = set((await held.execute(oldest)).scalars())
        other = WebhookWorker(runtime.db, WebhookConfig(batch=10), now=clock.now)
        # SKIP LOCKED: the claim takes the five free rows at once instead of waiting on the held ones
        claimed = await asyncio.wait_for(other._claim(), timeout=60)
        await held.rollback()
    mine = {d.id for d, _ in claimed}
    assert len(mine) == 5
    assert not mine & locked


async def test_the_apps_worker_wakes_when_a_delivery_is_committed(
    settings: Settings, receivers: list[Receiver], clock: WorkerClock
) -> None:
    """As `app.build_runtime` wires it: polling once in ten minutes, the commit's wake-up alone brings the post."""
    rt = build_runtime(settings.model_copy(update={"webhook_poll_seconds": 600}))
    r = receiver(receivers, clock)
    r.now = lambda: utcnow().timestamp()  # this worker signs with real time
    stop = asyncio.Event()
    running = asyncio.create_task(rt.webhooks.run_forever(stop))
    try:
        async with rt.db.session() as s:
            await endpoint(s, r)
        async with rt.db.session() as s:
            await webhooks.emit(s, event_type=CASE_CREATED, data={"reference": "TS-1"}, agency_id=None)
            await s.commit()
        for _ in range(WAIT_POLLS):
            if r.accepted:
                break
            await asyncio.sleep(0.05)
        assert [x.verified for x in r.accepted] == [True]
    finally:
        stop.set()
        await running
        await rt.bus.wait_idle()
        await rt.db.dispose()
