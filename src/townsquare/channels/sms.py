"""SMS on Twilio's wire format: inbound webhook, delivery-status callback, and the Twilio REST provider."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.notify.providers import Provider
from townsquare.settings import Settings

router = APIRouter(prefix="/channels/sms", tags=["channels"])


def provider(settings: Settings) -> Provider | None:
    """The outbound SMS provider these settings configure, or None for the recording provider."""
    return None
