"""Email: an SMTP server for agency addresses, an HTTP endpoint for raw forwarded mail, and the SMTP relay."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.db import Database
from townsquare.engagement.pipeline import Pipeline
from townsquare.notify.providers import Provider
from townsquare.settings import Settings

router = APIRouter(prefix="/channels/email", tags=["channels"])


def provider(settings: Settings) -> Provider | None:
    """The outbound email provider these settings configure, or None for the recording provider."""
    return None


class SmtpServer:
    """The inbound SMTP server on TOWNSQUARE_SMTP_PORT."""

    def __init__(self, settings: Settings, db: Database, pipeline: Pipeline) -> None:
        self.settings = settings
        self.db = db
        self.pipeline = pipeline

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
