"""Channel test helpers: settings with a Twilio auth token, and requests signed the way Twilio signs them.

Signatures come from the `twilio` library's own RequestValidator, so a test passes only if the platform
checks exactly what Twilio sends.
"""

from __future__ import annotations

import httpx
import pytest
from twilio.request_validator import RequestValidator

from townsquare.settings import Settings

TWILIO_TOKEN = "test-twilio-auth-token"
TWILIO_ACCOUNT = "AC" + "1" * 32


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": TWILIO_TOKEN, "twilio_account_sid": TWILIO_ACCOUNT})


def twilio_signature(url: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return str(RequestValidator(token).compute_signature(url, form))


async def post_twilio(
    client: httpx.AsyncClient,
    path: str,
    form: dict[str, str],
    *,
    public_url: str = "http://testserver",
    signature: str | None = None,
) -> httpx.Response:
    """POST a webhook form signed for `public_url` + `path` (or with the given signature; "" sends none)."""
    sig = twilio_signature(public_url.rstrip("/") + path, form) if signature is None else signature
    headers = {"X-Twilio-Signature": sig} if sig else {}
    return await client.post(path, data=form, headers=headers)
