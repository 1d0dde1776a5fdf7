"""Calls that connect, for tests: a city with a phone line and agents, callers put in the queue through the real
signed voice webhooks, and the simulator's stand-in for Twilio (its REST API and conferences) wired in-process.

The platform's call control and media fetching reach the stand-in over HTTP, through the app itself (an ASGI
transport), so what a test reads in `fake.requests` is the wire format Twilio would have been sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator

from tests.factories import create_agency, create_agent, create_citizen
from townsquare.app import Runtime
from townsquare.channels.voice_rest import TwilioCallControl
from townsquare.engagement import connecting, media
from townsquare.settings import Settings
from townsquare.web.simulator.twilio_fake import FakeTwilio

TOKEN = "calls-twilio-auth-token-32-bytes-or-more"  # it also signs the demo softphone's tokens
ACCOUNT = "AC" + "3" * 32
CITY = "+16135550100"
MARIA = "+16135550123"
JEAN = "+16135550177"


def call_settings(settings: Settings, public_url: str = "http://testserver", **extra: object) -> Settings:
    """Voice on, with call control going to the simulator's stand-in for Twilio at `public_url`."""
    return settings.model_copy(
        update={
            "simulator": True,
            "twilio_auth_token": TOKEN,
            "twilio_account_sid": ACCOUNT,
            "twilio_api_base_url": public_url.rstrip("/") + "/simulator/twilio",
            "voice_softphone": "demo",
            **extra,
        }
    )


def wire_in_process(app: FastAPI, runtime: Runtime) -> FakeTwilio:
    """Point call control, media fetching and the stand-in's callbacks at the app itself (no socket)."""
    transport = httpx.ASGITransport(app=app)
    control = runtime.providers.by_channel[connecting.CHANNEL]
    fetcher = runtime.providers.by_channel[media.CHANNEL]
    assert isinstance(control, TwilioCallControl)
    assert isinstance(fetcher, media.MediaFetcher)
    control.transport = fetcher.transport = transport
    fake = FakeTwilio(app.state.settings, transport=transport)
    app.state.fake_twilio = fake
    return fake


@dataclass
class CityLine:
    agency_id: uuid.UUID
    wren_id: uuid.UUID
    bob_id: uuid.UUID


async def city_line(session: AsyncSession) -> CityLine:
    """An agency answering CITY, two available agents (Wren and Bob) and two residents who call."""
    agency = await create_agency(session, slug="city-works", contact=("voice", CITY))
    wren = await create_agent(session, email="wren@city.example", agencies=[agency])
    bob = await create_agent(session, email="bob@city.example", agencies=[agency], presence="away")
    await create_citizen(session, name="Maria Lopez", phone=MARIA, phone_verified=True)
    await create_citizen(session, name="Jean Roy", phone=JEAN, phone_verified=True)
    await session.commit()
    return CityLine(agency.id, wren.id, bob.id)


async def signed_post(
    client: httpx.AsyncClient, path: str, form: dict[str, str], public_url: str = "http://testserver"
) -> httpx.Response:
    """A voice webhook signed as Twilio signs it."""
    signature = RequestValidator(TOKEN).compute_signature(public_url.rstrip("/") + path, form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def call_form(sid: str, frm: str, **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": ACCOUNT, "From": frm, "To": CITY, "CallStatus": "in-progress", **extra}


async def call_and_wait(client: httpx.AsyncClient, fake: FakeTwilio, frm: str) -> str:
    """A resident calls, presses 0 for a person and waits in the queue; the call's sid."""
    sid = "CA" + uuid.uuid4().hex
    fake.ring(sid)
    first = await signed_post(client, "/channels/voice/twilio", call_form(sid, frm, CallStatus="ringing"))
    assert first.status_code == 200, first.text
    queued = await signed_post(client, "/channels/voice/twilio/choice?lang=en&tries=0", call_form(sid, frm, Digits="0"))
    assert "<Enqueue" in queued.text, queued.text
    return sid
