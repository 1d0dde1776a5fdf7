"""API shapes of staff accounts and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    agency_slug: str | None = Field(default=None, description="Limit the key to one agency's data")


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    agency_id: uuid.UUID | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself; shown once, store it now")
