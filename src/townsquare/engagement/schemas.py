"""API shapes of the engagement door: a contact from any channel in, a reply out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field

from townsquare.citizens.models import IdentityKind
from townsquare.hygiene import MAX_INTEGER, safe_filename
from townsquare.interactions.models import Channel, InteractionKind


def _written_time(value: Any) -> Any:
    """A time as the schema says (an RFC 3339 string), not a number Pydantic would read as seconds since 1970."""
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date and time with its UTC offset, like 2026-03-01T09:30:00Z")
    return value


class SenderIn(BaseModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)
    namespace: str = Field(default="", max_length=200)
    display_name: str | None = Field(default=None, max_length=200)


class AttachmentIn(BaseModel):
    filename: Annotated[str, AfterValidator(safe_filename)] = Field(
        min_length=1, max_length=255, description="Kept as its last path segment, without control characters"
    )
    content_type: str = Field(min_length=3, max_length=100)
    content_base64: str | None = Field(default=None, description="The file itself, base64-encoded")
    url: str | None = Field(default=None, max_length=2000, description="Where the provider keeps the file")
    size_bytes: int | None = Field(default=None, ge=0, le=MAX_INTEGER, strict=True)


class InboundIn(BaseModel):
    """A contact from any channel, for integrations that speak no provider format of their own."""

    channel: Channel
    external_id: str | None = Field(default=None, max_length=255, description="The sender's id; retries reuse it")
    sender: SenderIn | None = Field(default=None, alias="from")
    to: str | None = Field(default=None, max_length=320)
    text: str = ""
    subject: str | None = Field(default=None, max_length=998)
    kind: InteractionKind = InteractionKind.message
    case_reference: str | None = Field(default=None, max_length=32)
    thread_refs: list[str] = Field(default_factory=list, max_length=50)
    service_code: str | None = Field(default=None, max_length=64)
    attachments: list[AttachmentIn] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    received_at: Annotated[AwareDatetime, BeforeValidator(_written_time)] | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=MAX_INTEGER, strict=True)

    model_config = {"populate_by_name": True}


class IngestOut(BaseModel):
    interaction_id: uuid.UUID
    citizen_id: uuid.UUID
    conversation_id: uuid.UUID
    case_id: uuid.UUID | None
    case_reference: str | None
    work_item_id: uuid.UUID | None
    duplicate: bool
    citizen_created: bool


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    subject: str | None = Field(default=None, max_length=998)
    link: str | None = Field(default=None, max_length=2000)
    channel: Channel | None = Field(default=None, description="Defaults to where the citizen last wrote from")


class ReplyOut(BaseModel):
    interaction_id: uuid.UUID
    outbox_id: uuid.UUID
    channel: Channel
    rendered: dict[str, Any]
    queued_at: datetime
