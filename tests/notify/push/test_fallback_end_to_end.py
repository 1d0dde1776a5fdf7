"""The must-show fallback, end to end with the real push provider (pywebpush, VAPID, aes128gcm) against a
recording push service on loopback: a status change reaches a resident who prefers push by push, acknowledged
through /push/ack; unacknowledged, the SMS goes after the service's wait; that failing, the email."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from tests.notify.push.push_service import BrowserKeys, RecordingPushService
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.clock import utcnow
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification, NotificationAttempt, NotificationStatus
from townsquare.notify.notifications import Notifier, Request
from townsquare.notify.progress import NotificationWorker
from townsquare.notify.providers import PermanentFailure
from townsquare.notify.push import service as push
from townsquare.notify.push import vapid
from townsquare.notify.push.provider import PushProvider
from townsquare.settings import Settings


@pytest.fixture
async def resident(
    session: AsyncSession, settings: Settings, push_service: RecordingPushService
) -> tuple[BrowserKeys, Case]:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    agency = await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    citizen.preferred_channels = ["push", "sms", "email"]
    browser = BrowserKeys()
    await push.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=browser.subscription(push_service.endpoint()),
        device="phone",
        settings=settings,
    )
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Permit", channel="web", citizen_id=citizen.id
    )
    await cases.change_status(session, case=case, status=CaseStatus.in_progress)
    await Notifier(settings).send(
        session,
        Request(
            citizen_id=citizen.id,
            message_type=MessageType.status_change,
            case_id=case.id,
            personalisation={"note": "Permit approved; it will be mailed to you."},
        ),
    )
    await session.commit()
    return browser, case


@pytest.fixture
def real_push(runtime: Runtime, settings: Settings) -> PushProvider:
    keys = vapid.load(settings)
    assert keys is not None
    provider = PushProvider(runtime.db, keys, settings)
    runtime.providers.by_channel["push"] = provider
    return provider


async def _attempts(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.db.session() as s:
        rows = await s.execute(
            select(NotificationAttempt.channel, NotificationAttempt.outcome).order_by(NotificationAttempt.number)
        )
        return [(c, o.value) for c, o in rows.all()]


async def _status(runtime: Runtime) -> NotificationStatus:
    async with runtime.db.session() as s:
        return (await s.execute(select(Notification.status))).scalar_one()


@pytest.mark.usefixtures("real_push")
async def test_a_push_shown_and_acknowledged_delivers_the_status_change(
    client: httpx.AsyncClient,
    runtime: Runtime,
    push_service: RecordingPushService,
    resident: tuple[BrowserKeys, Case],
) -> None:
    browser, case = resident
    assert await runtime.worker.drain() == 1
    [message] = push_service.received
    shown = browser.decrypt(message.body)
    assert shown["title"] == f"Your request {case.reference} is in progress"
    assert "Permit approved; it will be mailed to you." in shown["body"]
    assert shown["url"] == f"/account/cases/{case.reference}"
    acked = await client.post("/push/ack", json={"token": shown["ack"]})
    assert acked.status_code == 204
    await runtime.bus.wait_idle()
    await runtime.notices.drain()
    assert await _status(runtime) is NotificationStatus.delivered
    assert await _attempts(runtime) == [("push", "delivered")]
    assert runtime.recording.sent == []  # nothing else was sent


@pytest.mark.usefixtures("real_push", "resident")
async def test_unacknowledged_the_sms_goes_after_the_wait_and_failing_the_email(
    runtime: Runtime, settings: Settings, push_service: RecordingPushService
) -> None:
    assert await runtime.worker.drain() == 1
    assert len(push_service.received) == 1
    later = NotificationWorker(
        runtime.db, Notifier(settings, clock=lambda: utcnow() + timedelta(seconds=settings.notify_push_ack_seconds + 1))
    )
    runtime.recording.fail_next(PermanentFailure("30003: unreachable handset"))
    await later.drain()  # the wait is over: the SMS is queued
    await runtime.worker.drain()  # and refused by the provider
    await later.drain()  # so the email is queued
    await runtime.worker.drain()
    assert [e.channel for e in runtime.recording.sent] == ["email"]
    assert "Permit approved" in runtime.recording.sent[0].payload["text"]
    assert await _attempts(runtime) == [("push", "unacknowledged"), ("sms", "failed"), ("email", "trying")]
    await later.drain()
    assert await _status(runtime) is NotificationStatus.sent
