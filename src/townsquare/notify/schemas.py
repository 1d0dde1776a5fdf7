"""API shapes of notifications, GOV.UK Notify's in spirit: a message type to a person, its status, its attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from townsquare.notify.models import AttemptOutcome, MessageType, NotificationStatus


class NotificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: MessageType = Field(description="The message type; its words are the templates for each channel")
    citizen_id: uuid.UUID | None = Field(default=None, description="The person; or give an email or phone instead")
    email_address: str | None = Field(default=None, max_length=320)
    phone_number: str | None = Field(default=None, max_length=32)
    case_reference: str | None = Field(default=None, max_length=40, description="A case of your agency it is about")
    personalisation: dict[str, StrictStr | StrictInt] = Field(
        default_factory=dict, max_length=30, description="A value for each ((placeholder)) the platform does not fill"
    )
    reference: str | None = Field(default=None, max_length=100, description="Your own reference, returned as given")
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=120, description="Sending the same key again returns the first one"
    )
    urgent: bool = Field(default=False, description="Sent in the person's quiet hours too")
    ack_wait_seconds: int | None = Field(default=None, ge=60, le=7 * 24 * 3600)


class AttemptOut(BaseModel):
    channel: str
    outcome: AttemptOutcome
    delivery_status: str | None
    interaction_id: uuid.UUID
    created_at: datetime
    finished_at: datetime | None


class NotificationOut(BaseModel):
    id: uuid.UUID
    template: MessageType
    citizen_id: uuid.UUID
    case_reference: str | None
    reference: str | None
    status: NotificationStatus
    channels: list[str] = Field(description="The channels it will try, in order")
    attempts: list[AttemptOut]
    created_at: datetime
    completed_at: datetime | None
