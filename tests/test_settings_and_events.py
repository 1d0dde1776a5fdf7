"""Settings refuse unsafe production configuration; events wait for the commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from townsquare.app import Runtime
from townsquare.cli import demo_settings
from townsquare.events import Event, publish_after_commit
from townsquare.settings import Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings(env="production").check_safe()
    Settings(env="production", secret_key="x" * 40).check_safe()


def test_settings_come_from_townsquare_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOWNSQUARE_DEFAULT_REGION", "FR")
    monkeypatch.setenv("TOWNSQUARE_MAX_ATTACHMENTS", "3")
    settings = Settings()
    assert (settings.default_region, settings.max_attachments) == ("FR", 3)


@dataclass(frozen=True)
class Probe(Event):
    name: ClassVar[str] = "test.probe"
    n: str


async def test_events_are_dropped_on_rollback_and_dispatched_on_commit(runtime: Runtime) -> None:
    seen: list[str | None] = []

    async def listener(event: Probe) -> None:
        seen.append(event.n)

    runtime.bus.subscribe(Probe, listener)
    async with runtime.db.session() as s:
        publish_after_commit(s, Probe(n="rolled back"))
        await s.rollback()
        publish_after_commit(s, Probe(n="committed"))
        await runtime.bus.wait_idle()
        assert seen == []
        await s.commit()
    await runtime.bus.wait_idle()
    assert seen == ["committed"]


def test_production_refuses_the_channel_simulator() -> None:
    with pytest.raises(RuntimeError, match="SIMULATOR"):
        Settings(env="production", secret_key="x" * 40, simulator=True).check_safe()
    Settings(env="production", secret_key="x" * 40).check_safe()


def test_the_demo_turns_channels_on_without_overriding_what_the_environment_set() -> None:
    chosen = demo_settings(Settings(smtp_port=2600, twilio_auth_token="real-token"))
    assert (chosen.simulator, chosen.smtp_port, chosen.twilio_auth_token) == (True, 2600, "real-token")
    assert chosen.email_inbound_token
    assert demo_settings(Settings()).smtp_port == 2525
