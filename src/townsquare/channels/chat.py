"""Live chat: the websocket the widget speaks, and the hub that pushes replies to every open device."""

from __future__ import annotations

from fastapi import APIRouter

from townsquare.db import Database
from townsquare.engagement.pipeline import Pipeline
from townsquare.events import EventBus
from townsquare.notify.providers import Envelope
from townsquare.settings import Settings

router = APIRouter(prefix="/channels/chat", tags=["channels"])


class ChatHub:
    """The process's open chat sockets; the outbound provider for the chat channel."""

    def __init__(self, settings: Settings, db: Database, pipeline: Pipeline, bus: EventBus) -> None:
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self.bus = bus

    async def send(self, envelope: Envelope) -> str:
        return envelope.idempotency_key

    async def close(self) -> None:
        return None
