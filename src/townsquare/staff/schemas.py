"""API shapes of staff accounts and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from townsquare.staff.models import ApiKeyScope, StaffRole


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    agency_slug: str | None = Field(default=None, description="Limit the key to one agency's data")
    scope: ApiKeyScope = Field(
        default=ApiKeyScope.api,
        description="`api`: the REST API; `open311`: an Open311 integrator, who may only submit requests and updates",
    )
    contact: str = Field(default="", max_length=320, description="Who runs the integration (email or name)")
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=100_000, description="Requests a minute for this key; empty for the setting's default"
    )


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    agency_id: uuid.UUID | None
    scope: ApiKeyScope
    contact: str
    rate_limit_per_minute: int | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself; shown once, store it now")


class StaffAccountOut(BaseModel):
    """A staff account as administrators see it: never its password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: StaffRole
    active: bool
    last_sign_in_at: datetime | None
    locked_at: datetime | None = Field(description="When repeated failed sign-ins locked it; null when unlocked")
    failed_sign_ins: int = Field(description="Failed sign-ins in a row since the last success or unlock")
