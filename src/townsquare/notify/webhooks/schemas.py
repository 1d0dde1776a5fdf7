"""API shapes of webhook endpoints and their deliveries (the secret appears only in `WebhookCreated`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from townsquare.notify.webhooks.catalogue import EVENT_TYPES
from townsquare.notify.webhooks.models import WebhookStatus

CATALOGUE_TEXT = "; ".join(f"`{name}`: {meaning}" for name, meaning in EVENT_TYPES.items())


class WebhookIn(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="Where deliveries are posted; https (plain http only to loopback in development and tests)",
    )
    event_types: list[str] = Field(
        min_length=1, max_length=len(EVENT_TYPES) * 2, description=f"The events to hear. {CATALOGUE_TEXT}"
    )


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    event_types: list[str]
    agency_id: uuid.UUID | None = Field(description="The key's agency: events of other agencies are not sent")
    active: bool
    created_at: datetime
    disabled_at: datetime | None


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every delivery (Townsquare-Signature); shown once, store it now")


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="Sent as Townsquare-Delivery")
    event_id: uuid.UUID = Field(description="The payload's `id`: the same on every endpoint and on a replay")
    event_type: str
    status: WebhookStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the next try is due, while pending")
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    replay_of_id: uuid.UUID | None = Field(description="The delivery an administrator replayed, if one was")


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDeliveryOut]
    total: int
    limit: int
    offset: int
