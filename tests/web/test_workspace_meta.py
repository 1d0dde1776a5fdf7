"""Replying on WhatsApp from the workspace: the agent hears, in their language, why a reply cannot go free-form,
and the thread says when one went as the approved template."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent
from tests.support import meta as wire
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.engagement import social
from townsquare.notify.models import OutboxMessage
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings
from townsquare.web.i18n import LANGUAGE_COOKIE

EMAIL = "wren@city.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return wire.meta_settings(settings)


async def held_whatsapp_work(client: httpx.AsyncClient, session: AsyncSession) -> str:
    """A WhatsApp message the person sent 26 hours ago, its work in the agent's hands; the work item's id."""
    agency = await create_agency(session)
    agent = await create_agent(session, email=EMAIL, agencies=[agency])
    agent_id = agent.id
    await session.commit()
    sent_at = str(int((utcnow() - timedelta(hours=26)).timestamp()))
    response = await wire.post_meta(client, wire.whatsapp(wire.wa_text("Is my bin day moving?", timestamp=sent_at)))
    assert response.status_code == 200, response.text
    await fresh(session)
    item = (await session.execute(select(WorkItem))).scalar_one()
    item.status, item.assigned_to_id = WorkItemStatus.assigned, agent_id
    item_id = str(item.id)
    await session.commit()
    return item_id


async def test_a_whatsapp_reply_after_24_hours_is_refused_with_the_reason_in_the_agents_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    item = await held_whatsapp_work(client, session)
    await sign_in_staff(client, EMAIL)
    refused = await client.post(f"/desk/work/{item}/reply", data={"body": "Yes, to Tuesday.", "channel": "social"})
    assert refused.status_code == 422
    assert social.WHATSAPP_TEMPLATE_MISSING.replace("'", "&#39;") in refused.text
    assert "Yes, to Tuesday." in refused.text  # what the agent typed is kept
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    french = await client.post(f"/desk/work/{item}/reply", data={"body": "Oui, mardi.", "channel": "social"})
    assert "un modèle de message approuvé : aucun n" in french.text
    await fresh(session)
    (thanks,) = (await session.execute(select(OutboxMessage))).scalars()  # what the first message was told; no reply
    assert thanks.payload["text"].startswith("Thanks, we have your message")


async def test_with_a_template_the_reply_goes_and_the_thread_says_how(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    runtime.settings.meta_whatsapp_template = "townsquare_reply"
    item = await held_whatsapp_work(client, session)
    await sign_in_staff(client, EMAIL)
    sent = await client.post(f"/desk/work/{item}/reply", data={"body": "Yes, to Tuesday.", "channel": "social"})
    assert sent.status_code == 303, sent.text
    page = await client.get(f"/desk/work/{item}")
    assert "Sent as the approved WhatsApp template: more than 24 hours after their last message" in page.text
    await fresh(session)
    thanks, queued = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars()
    assert thanks.payload["sent_as"] == "free_form"  # the new conversation thanked for, at the time
    assert (queued.channel, queued.recipient) == ("meta", wire.WA_ID)
    assert queued.payload["template"] == "townsquare_reply"
