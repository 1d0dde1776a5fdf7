"""A notification's fallback driven by the providers' own receipts: Twilio's status callback, an SMTP bounce."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import post_twilio
from tests.factories import create_agency, create_citizen
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions.models import Interaction
from townsquare.notify.models import MessageType, Notification, NotificationAttempt, NotificationStatus
from townsquare.notify.notifications import Notifier, Request
from townsquare.settings import Settings


async def test_an_undelivered_sms_receipt_sends_the_notification_by_email(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings
) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    agency = await create_agency(session)
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org")
    citizen.preferred_channels = ["sms", "email"]
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Permit", channel="web", citizen_id=citizen.id
    )
    await Notifier(settings).send(
        session,
        Request(
            citizen_id=citizen.id,
            message_type=MessageType.status_change,
            case_id=case.id,
            personalisation={"note": "Approved; it will be mailed to you."},
        ),
    )
    await session.commit()
    await runtime.worker.drain()
    [sms] = runtime.recording.sent
    async with runtime.db.session() as s:
        sent = (await s.execute(select(Interaction).where(Interaction.channel == "sms"))).scalar_one()
        assert sent.external_id is not None  # the provider's id, which its receipts name

    receipt = {"MessageSid": sent.external_id, "MessageStatus": "undelivered", "ErrorCode": "30005"}
    assert (await post_twilio(client, "/channels/sms/twilio/status", receipt)).status_code == 200
    await runtime.bus.wait_idle()
    assert await runtime.notices.drain() == 1
    await runtime.worker.drain()
    assert [e.channel for e in runtime.recording.sent] == ["sms", "email"]
    assert "Approved; it will be mailed to you." in runtime.recording.sent[-1].payload["text"]
    async with runtime.db.session() as s:
        outcomes = [a.outcome.value for a in (await s.execute(select(NotificationAttempt))).scalars()]
        notification = (await s.execute(select(Notification))).scalar_one()
    assert sorted(outcomes) == ["failed", "trying"]
    assert notification.status is NotificationStatus.sending
    assert sms.payload["notification_id"] == str(notification.id)
