"""The simulator's push panel lists what the city pushed and acknowledges one as the device would."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen
from tests.notify.push.push_service import BrowserKeys
from townsquare.app import Runtime
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.interactions.models import DeliveryStatus, Interaction
from townsquare.notify.kinds import MessageType
from townsquare.notify.notifications import Notifier, Request
from townsquare.notify.push import service as push
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"simulator": True})


async def test_the_panel_lists_a_push_and_acknowledges_it_as_the_device(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime, settings: Settings
) -> None:
    await import_notification_templates(session, NOTIFICATIONS_DIR)
    await create_agency(session)
    citizen = await create_citizen(session, email="maria@example.org")
    subscription = await push.subscribe(
        session,
        citizen_id=citizen.id,
        subscription_json=BrowserKeys().subscription("http://127.0.0.1:9/push/phone"),
        device="phone",
        settings=settings,
    )
    personalisation = {"subject": "Water main break", "message": "Avoid Bank St until 6 pm."}
    await Notifier(settings).send(
        session, Request(citizen_id=citizen.id, message_type=MessageType.general, personalisation=personalisation)
    )
    await session.commit()
    await runtime.worker.drain()

    panel = await client.get("/simulator/push")
    assert panel.status_code == 200
    assert "Water main break" in panel.text
    assert "Avoid Bank St until 6 pm." in panel.text
    interaction_id = (await session.execute(select(Interaction.id).where(Interaction.channel == "push"))).scalar_one()
    query = {"interaction_id": str(interaction_id), "subscription_id": str(subscription)}
    done = await client.post("/simulator/push/acknowledge", params=query, headers={"origin": "http://testserver"})
    assert done.status_code == 303
    assert "acknowledged" in (await client.get("/simulator/push")).text
    await session.commit()
    status = (
        await session.execute(select(Interaction.delivery_status).where(Interaction.id == interaction_id))
    ).scalar_one()
    assert status is DeliveryStatus.delivered
