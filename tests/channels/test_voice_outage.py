"""A call arriving while the database is away a moment (a restart) is not hung up on and lost: the caller holds and
Twilio asks the first URL again, and the call is recorded once when the database is back. The soak found calls
answered with an apology and recorded nowhere.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.conftest import TWILIO_ACCOUNT, post_twilio
from tests.factories import count, create_agency
from townsquare.engagement.pipeline import Pipeline
from townsquare.interactions.models import Interaction

CITY = "+16135550100"
CALLER = "+16135550123"


def call_form(sid: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": TWILIO_ACCOUNT, "From": CALLER, "To": CITY, "CallStatus": "ringing"}


def parse(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


def away_for(app: FastAPI, monkeypatch: pytest.MonkeyPatch, tries: int) -> None:
    """The flow's first `tries` calls fail as a database that went away fails."""
    pipeline: Pipeline = app.state.pipeline
    real = pipeline.handle
    left = [tries]

    async def handle(session: AsyncSession, message: Any) -> Any:
        if left[0] > 0:
            left[0] -= 1
            raise OperationalError("SELECT 1", {}, ConnectionResetError("the database restarted"))
        return await real(session, message)

    monkeypatch.setattr(pipeline, "handle", handle)


@pytest.fixture
async def line(session: AsyncSession) -> None:
    await create_agency(session, slug="city-works", contact=("voice", CITY))
    await session.commit()


@pytest.mark.usefixtures("line")
async def test_the_caller_holds_and_the_call_is_recorded_once_the_database_is_back(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = "CA" + uuid.uuid4().hex
    away_for(app, monkeypatch, tries=2)
    path = "/channels/voice/twilio"
    for held in (1, 2):
        root = parse(await post_twilio(client, path, call_form(sid)))
        assert [el.tag for el in root] == ["Say", "Pause", "Redirect"]
        assert root.findtext("Say") == "One moment, please."
        redirect = root.find("Redirect")
        assert redirect is not None
        path = (redirect.text or "").removeprefix("http://testserver")
        assert path == f"/channels/voice/twilio?held={held}"
        assert await count(session, Interaction, Interaction.external_id == sid) == 0
    root = parse(await post_twilio(client, path, call_form(sid)))
    assert root.find("Gather") is not None  # the menu, as for any call
    await session.commit()  # a fresh read
    assert await count(session, Interaction, Interaction.external_id == sid) == 1


@pytest.mark.usefixtures("line")
async def test_after_the_last_try_the_caller_hears_the_apology(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    away_for(app, monkeypatch, tries=1)
    root = parse(await post_twilio(client, "/channels/voice/twilio?held=5", call_form("CA" + uuid.uuid4().hex)))
    assert "something went wrong" in " ".join(el.text or "" for el in root.iter("Say"))
    assert root.find("Hangup") is not None
    too_many = await post_twilio(client, "/channels/voice/twilio?held=6", call_form("CA" + uuid.uuid4().hex))
    assert too_many.status_code == 422
