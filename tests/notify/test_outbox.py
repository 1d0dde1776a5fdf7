"""The transactional outbox: nothing sent for a rolled-back change, exactly once across crashes, retries."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from townsquare.app import build_runtime
from townsquare.clock import utcnow
from townsquare.engagement.replies import reply
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Interaction
from townsquare.notify import worker as worker_module
from townsquare.notify.models import OutboxMessage, OutboxStatus
from townsquare.notify.providers import PermanentFailure, TemporaryFailure
from townsquare.notify.rendering import Content
from townsquare.settings import Settings


async def _conversation(session: AsyncSession) -> uuid.UUID:
    await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    conversation = await interactions.start_conversation(session, citizen_id=citizen.id, channel=Channel.sms)
    await session.commit()
    return conversation.id


async def test_an_outbox_row_written_in_a_rolled_back_transaction_is_never_delivered(settings: Settings) -> None:
    rt = build_runtime(settings)
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
    async with rt.db.session() as s:
        await reply(s, conversation_id=conversation_id, content=Content("Your crew is booked"))
        await s.rollback()
    assert await rt.worker.drain() == 0
    assert rt.recording.sent == []
    async with rt.db.session() as s:
        assert (await s.execute(select(OutboxMessage))).first() is None
        assert (await s.execute(select(Interaction))).first() is None
    await rt.db.dispose()


async def test_a_crash_between_commit_and_delivery_delivers_exactly_once_after_restart(settings: Settings) -> None:
    first = build_runtime(settings)  # worker off: the process "dies" before delivering
    async with first.db.session() as s:
        conversation_id = await _conversation(s)
        result = await reply(s, conversation_id=conversation_id, content=Content("Your crew is booked"))
        await s.commit()
    await first.bus.wait_idle()
    await first.db.dispose()
    assert first.recording.sent == []

    restarted = build_runtime(settings)
    assert await restarted.worker.drain() == 1
    assert await restarted.worker.drain() == 0
    assert [e.recipient for e in restarted.recording.sent] == ["+16135550142"]
    assert restarted.recording.sent[0].payload["body"] == "Your crew is booked"
    async with restarted.db.session() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        assert row.status is OutboxStatus.sent
        interaction = await s.get_one(Interaction, uuid.UUID(result.interaction_id))
        assert interaction.delivery_status is DeliveryStatus.sent
        assert interaction.external_id == row.provider_message_id
    await restarted.db.dispose()


async def test_a_crash_after_sending_but_before_recording_does_not_send_twice(settings: Settings) -> None:
    rt = build_runtime(settings)
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
        await reply(s, conversation_id=conversation_id, content=Content("hello"))
        await s.commit()
    # Worker A claims the row and the provider sends it, then A dies before writing the outcome.
    claimed = await rt.worker._claim()
    assert len(claimed) == 1
    envelope_key = claimed[0].idempotency_key
    from townsquare.notify.providers import Envelope

    await rt.recording.send(Envelope(claimed[0].channel, claimed[0].recipient, claimed[0].payload, envelope_key))
    # A's lease runs out; worker B picks the row up and sends again with the same idempotency key.
    async with rt.db.session() as s:
        await s.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
        await s.commit()
    assert await rt.worker.drain() == 1
    assert rt.recording.calls == 2
    assert len(rt.recording.sent) == 1  # the provider honoured the key: one message reached the citizen
    await rt.db.dispose()


async def test_a_database_away_while_the_outcome_is_written_does_not_send_twice(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The soak restarted PostgreSQL while a worker had just sent: the outcome was never written, the lease ran out
    and the message went to the provider again (a second WhatsApp message: Graph takes no idempotency key)."""
    rt = build_runtime(settings)
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
        await reply(s, conversation_id=conversation_id, content=Content("hello"))
        await s.commit()
    set_delivery = interactions.set_delivery
    away = [OperationalError("UPDATE interactions", {}, ConnectionResetError("restarted")) for _ in range(2)]

    async def database_back_later(*args: Any, **kwargs: Any) -> None:
        if away:
            raise away.pop()
        await set_delivery(*args, **kwargs)

    monkeypatch.setattr(interactions, "set_delivery", database_back_later)
    monkeypatch.setattr(worker_module, "RECORD_FIRST_WAIT", 0.01)
    assert await rt.worker.run_once() == 1
    async with rt.db.session() as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        assert (row.status, row.attempts) == (OutboxStatus.sent, 1)
        await s.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
        await s.commit()
    assert await rt.worker.drain() == 0
    assert rt.recording.calls == 1
    await rt.db.dispose()


async def test_temporary_failures_are_retried_with_backoff_then_delivered(settings: Settings) -> None:
    rt = build_runtime(settings.model_copy(update={"outbox_retry_base_seconds": 30.0}))
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
        await reply(s, conversation_id=conversation_id, content=Content("hello"), channel=Channel.email)
        await s.commit()
    rt.recording.fail_next(TemporaryFailure("carrier busy"), TemporaryFailure("carrier busy"))
    delays = []
    for attempt in (1, 2):
        before = utcnow()
        assert await rt.worker.run_once() == 1
        async with rt.db.session(deferred=True) as s:
            row = (await s.execute(select(OutboxMessage))).scalar_one()
            assert row.status is OutboxStatus.pending
            assert row.attempts == attempt
            assert row.last_error == "TemporaryFailure: carrier busy"
            delays.append((row.next_attempt_at - before).total_seconds())
        assert await rt.worker.run_once() == 0  # not due yet
        async with rt.db.session() as s:
            await s.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            await s.commit()
    assert 30 <= delays[0] < 40  # the base delay ...
    assert 60 <= delays[1] < 70  # ... doubling with each attempt
    await rt.worker.run_once()
    assert len(rt.recording.sent) == 1
    assert rt.recording.sent[0].payload["subject"] == "Your message to us"
    async with rt.db.session(deferred=True) as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        assert (row.status, row.attempts) == (OutboxStatus.sent, 3)
    await rt.db.dispose()


async def test_a_permanent_failure_marks_the_message_and_the_interaction_failed(settings: Settings) -> None:
    rt = build_runtime(settings)
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
        result = await reply(s, conversation_id=conversation_id, content=Content("hello"))
        await s.commit()
    rt.recording.fail_next(PermanentFailure("number unreachable"))
    await rt.worker.drain()
    async with rt.db.session(deferred=True) as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        assert row.status is OutboxStatus.dead
        interaction = await s.get_one(Interaction, uuid.UUID(result.interaction_id))
        assert interaction.delivery_status is DeliveryStatus.failed
    await rt.db.dispose()


async def test_the_worker_gives_up_after_the_last_attempt(settings: Settings) -> None:
    rt = build_runtime(settings.model_copy(update={"outbox_max_attempts": 2}))
    async with rt.db.session() as s:
        conversation_id = await _conversation(s)
        await reply(s, conversation_id=conversation_id, content=Content("hello"))
        await s.commit()
    rt.recording.fail_next(TemporaryFailure("down"), TemporaryFailure("down"))
    for _ in range(2):
        async with rt.db.session() as s:
            await s.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            await s.commit()
        await rt.worker.run_once()
    async with rt.db.session(deferred=True) as s:
        row = (await s.execute(select(OutboxMessage))).scalar_one()
        assert (row.status, row.attempts) == (OutboxStatus.dead, 2)
    await rt.db.dispose()


async def test_a_claimed_batch_leaves_in_the_order_it_fell_due(settings: Settings) -> None:
    rt = build_runtime(settings)
    now = utcnow()
    async with rt.db.session() as s:
        for n in (3, 2, 1):  # written latest-due first
            s.add(
                OutboxMessage(
                    idempotency_key=f"order:{n}",
                    channel="sms",
                    recipient="+16135550142",
                    payload={"text": f"part {n}"},
                    next_attempt_at=now - timedelta(seconds=10 - n),
                )
            )
            await s.flush()
        await s.commit()
    assert await rt.worker.drain() == 3
    assert [envelope.idempotency_key for envelope in rt.recording.sent] == ["order:1", "order:2", "order:3"]
    await rt.db.dispose()
