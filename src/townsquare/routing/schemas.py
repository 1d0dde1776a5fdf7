"""API shapes for the universal queue: work items, agents and queues."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from townsquare.routing.agents import MAX_CAPACITY, MAX_LEVEL
from townsquare.routing.models import CapacityClass, Presence, WorkItemStatus

Capacity = Annotated[int, Field(ge=0, le=MAX_CAPACITY, strict=True)]  # items of one class an agent may hold at once
SkillLevel = Annotated[int, Field(ge=1, le=MAX_LEVEL, strict=True)]


class WorkItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    channel: str
    kind: str
    status: WorkItemStatus
    agency_id: uuid.UUID
    queue_id: uuid.UUID | None
    case_id: uuid.UUID | None
    citizen_id: uuid.UUID | None
    capacity_class: CapacityClass
    language: str
    priority: int
    created_at: datetime
    sla_due_at: datetime | None
    first_answered_at: datetime | None
    assigned_to_id: uuid.UUID | None
    not_before: datetime | None
    wrap_up_code: str | None
    context: dict[str, Any]


class WorkItemPage(BaseModel):
    items: list[WorkItemOut]
    total: int
    limit: int
    offset: int


class AgentOut(BaseModel):
    staff_id: uuid.UUID
    name: str
    presence: Presence
    presence_since: datetime
    capacity: dict[str, int]
    languages: list[str]
    skills: dict[str, int]
    wrap_up_seconds: int


class AgentIn(BaseModel):
    """Fields left out stay as they are."""

    capacity: dict[str, Capacity] | None = Field(default=None, examples=[{"voice": 1, "chat": 3, "async": 5}])
    languages: list[str] | None = Field(default=None, max_length=20, examples=[["en", "fr"]])
    skills: dict[str, SkillLevel] | None = Field(default=None, examples=[{"pothole": 4, "accessibility": 2}])
    wrap_up_seconds: int | None = Field(default=None, ge=0, le=3600)


class QueueIn(BaseModel):
    agency_slug: str
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    channels: list[str] = Field(default_factory=list)
    service_codes: list[str] = Field(default_factory=list)
    required_skills: dict[str, SkillLevel] = Field(default_factory=dict)
    priority_boost: int = Field(default=0, ge=0, le=50)


class QueueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agency_id: uuid.UUID
    slug: str
    name: str
    team_id: uuid.UUID | None
    channels: list[str]
    service_codes: list[str]
    required_skills: dict[str, Any]
    priority_boost: int
    active: bool


class TaskIn(BaseModel):
    """An internal task for the queue: follow up, check a site, call someone back about a letter."""

    agency_slug: str
    title: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=5000)
    citizen_id: uuid.UUID | None = None
    case_reference: str | None = Field(default=None, max_length=32)
    priority: int = Field(default=50, ge=0, le=100)
    due_at: datetime | None = Field(default=None, description="when it must be done; default the agency's SLA")
    not_before: datetime | None = Field(default=None, description="hold it out of the queue until then")
    language: str = Field(default="en", max_length=8)
