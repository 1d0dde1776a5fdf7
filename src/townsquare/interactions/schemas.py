"""API shapes of interactions, conversations and the timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from townsquare.interactions.models import Channel, ConversationStatus, DeliveryStatus, Direction, InteractionKind


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str | None
    source_url: str | None


class InteractionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    citizen_id: uuid.UUID
    case_id: uuid.UUID | None
    channel: Channel
    direction: Direction
    kind: InteractionKind
    body: str
    payload: dict[str, Any]
    external_id: str | None
    staff_id: uuid.UUID | None
    delivery_status: DeliveryStatus | None
    duration_seconds: int | None
    occurred_at: datetime
    attachments: list[AttachmentOut]


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    citizen_id: uuid.UUID
    channel: Channel
    case_id: uuid.UUID | None
    subject: str | None
    status: ConversationStatus
    last_activity_at: datetime
    created_at: datetime


class TimelinePage(BaseModel):
    items: list[InteractionOut]
    next_cursor: str | None
