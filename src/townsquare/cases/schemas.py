"""API shapes of cases and status changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from townsquare.cases.models import CaseStatus, Priority


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    title: str
    description: str
    status: CaseStatus
    priority: Priority
    agency_id: uuid.UUID
    service_id: uuid.UUID | None
    citizen_id: uuid.UUID | None
    lat: float | None
    long: float | None
    address_string: str | None
    address_id: str | None
    attributes: dict[str, Any]
    sla_due_at: datetime | None
    opened_channel: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class CasePage(BaseModel):
    """A page of cases, newest first."""

    items: list[CaseOut]
    total: int = Field(description="How many cases match, counted up to 10,000")
    total_capped: bool = Field(description="True when more cases match than `total` says")
    limit: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class Location(BaseModel):
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=500)
    address_id: str | None = Field(default=None, max_length=100)
    zipcode: str | None = Field(default=None, max_length=16)


class CaseIn(BaseModel):
    service_code: str = Field(min_length=1, max_length=64)
    title: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=20_000)
    citizen_id: uuid.UUID | None = None
    priority: Priority = Priority.normal
    channel: str = Field(default="api", pattern=r"^(web|mobile|voice|sms|email|chat|social|counter|mail|api)$")
    location: Location | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class StatusChangeIn(BaseModel):
    status: CaseStatus
    note: str = Field(default="", max_length=2000)
