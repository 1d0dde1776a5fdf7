"""Survey tests talk to the real doors: Twilio's webhooks are signed with the channel tests' token."""

from __future__ import annotations

import pytest

from tests.channels.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})
