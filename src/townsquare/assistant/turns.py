"""What one turn of the assistant works with (`Context`) and what it decides before anything is written (`Plan`).

Shared by the engine and the guided report (`reporting`), so each dialogue can live in its own module. Nothing
here reads or writes the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.assistant import phrases
from townsquare.assistant.intents import Detected
from townsquare.assistant.models import AssistantSession
from townsquare.citizens.models import Citizen, Identity
from townsquare.interactions.models import Interaction
from townsquare.knowledge.search import KnowledgeIndex
from townsquare.knowledge.service import LiveArticle
from townsquare.settings import Settings


@dataclass(frozen=True)
class Report:
    """A guided report the person confirmed: what the flow needs to open its case like a form submission."""

    service_code: str
    description: str
    location: dict[str, Any]  # as channels put it in metadata: address_string, address_id, lat, long
    attributes: dict[str, Any]  # answers to the service's form, by attribute code
    interaction_ids: tuple[uuid.UUID, ...]  # the person's messages in the report (a photo among them)


# Opens the case of a confirmed report in the caller's transaction and returns its reference (the flow's job).
ReportOpener = Callable[[Report], Awaitable[str]]


@dataclass
class Plan:
    """What one turn decided, before anything is written."""

    intent: str
    replies: list[str] = field(default_factory=list)
    handoff: str | None = None  # the reason
    kind: str | None = None  # work item kind, when not the channel's own
    details: dict[str, Any] = field(default_factory=dict)
    article: LiveArticle | None = None
    confidence: float | None = None
    awaiting: str | None = None
    miss: bool = False
    quick: tuple[str, ...] = ()  # suggested answers to the last reply (chat buttons)


@dataclass
class Context:
    """One contact the assistant answers, with what it knows of the person and the conversation."""

    session: AsyncSession
    settings: Settings
    index: KnowledgeIndex
    inbound: Interaction
    citizen: Citizen
    identity: Identity | None
    state: AssistantSession
    language: str
    spoken: bool
    render_channel: str
    text: str
    detected: Detected
    open_report: ReportOpener | None = None  # None: this door cannot open a reported case

    def say(self, key: str, **values: object) -> str:
        return phrases.say(self.language, key, spoken=self.spoken, **values)

    def url(self, path: str) -> str:
        return self.settings.public_url.rstrip("/") + path
