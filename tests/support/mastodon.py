"""Mastodon for tests: settings pointing the platform at the simulator's stand-in server, wired in-process.

The poller and the provider reach the stand-in over HTTP through the app itself (an ASGI transport), so what a
test reads in `fake.requests` is what a real Mastodon server would have been sent.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.app import Runtime
from townsquare.channels.mastodon_poll import MastodonPoller
from townsquare.channels.mastodon_rest import MastodonProvider
from townsquare.engagement import mastodon, media
from townsquare.interactions.models import Channel, Direction, Interaction
from townsquare.settings import Settings
from townsquare.web.simulator.mastodon_fake import FakeMastodon

TOKEN = "mastodon-test-token"
BASE = "http://testserver/simulator/mastodon"


def mastodon_settings(settings: Settings, **extra: object) -> Settings:
    """The simulator on, and the city's Mastodon account on the stand-in server."""
    return settings.model_copy(
        update={"simulator": True, "mastodon_base_url": BASE, "mastodon_access_token": TOKEN, **extra}
    )


async def opened(app: FastAPI, runtime: Runtime) -> FakeMastodon:
    """Wired, and the door opened: the poller's first read has placed its cursor at the (empty) server's start."""
    fake = wire(app, runtime)
    assert runtime.mastodon is not None
    await runtime.mastodon.run_once()
    fake.requests.clear()
    return fake


def wire(app: FastAPI, runtime: Runtime) -> FakeMastodon:
    """Point the poller, the provider and media fetching at the app itself (no socket); the stand-in lives on
    the app."""
    transport = httpx.ASGITransport(app=app)
    poller = runtime.mastodon
    provider = runtime.providers.by_channel[mastodon.OUTBOX]
    fetcher = runtime.providers.by_channel[media.CHANNEL]
    assert isinstance(poller, MastodonPoller)
    assert isinstance(provider, MastodonProvider)
    assert isinstance(fetcher, media.MediaFetcher)
    poller.transport = provider.transport = fetcher.transport = transport
    fake = FakeMastodon(app.state.settings, first_notification_id=95, first_status_id=110_000_000_000_000_001)
    app.state.fake_mastodon = fake
    return fake


async def social(session: AsyncSession, *, direction: Direction | None = None) -> list[Interaction]:
    """Every Mastodon interaction on record, oldest first (a fresh read)."""
    await session.rollback()  # a new snapshot: what the poller and the outbox committed since
    session.expire_all()
    stmt = select(Interaction).where(Interaction.channel == Channel.social)
    if direction is not None:
        stmt = stmt.where(Interaction.direction == direction)
    rows = await session.execute(stmt.order_by(Interaction.occurred_at, Interaction.id))
    return list(rows.scalars())
