"""Two processes answering one guided report at once (PostgreSQL): two different YES texts reach two app
processes at the same moment. Their turns are taken one after the other (recording a text updates the
conversation's row, and the assistant's session row is read FOR UPDATE), so the second reads the step the first
left — the report already sent — and only one case is opened."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN
from tests.engagement.assistant_helpers import CITY, RESIDENT, Phone
from tests.engagement.report_helpers import report_city
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.channels.sms import inbound_message
from townsquare.engagement.messages import Outcome
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


@pytest.mark.postgres_only
async def test_two_yes_texts_at_once_open_one_case(client: httpx.AsyncClient, runtime: Runtime) -> None:
    async with runtime.db.session() as setup:
        await report_city(setup)
    phone = Phone(client)
    for said in ("streetlight out", "120 King St W", "skip"):
        await phone.text(said)

    async def deliver() -> Outcome:
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": RESIDENT, "To": CITY}
        async with runtime.db.session() as session:
            outcome = await runtime.pipeline.handle(session, inbound_message({**form, "Body": "YES"}, runtime.settings))
            await asyncio.sleep(0.05)  # hold what this turn locked while the other process tries
            await session.commit()
            return outcome

    first, second = await asyncio.gather(deliver(), deliver())
    sent = [o for o in (first, second) if o.replies and o.replies[0].text.startswith("Sent. Your report is")]
    assert len(sent) == 1
    async with runtime.db.session() as check:
        assert await check.scalar(select(func.count()).select_from(Case)) == 1
