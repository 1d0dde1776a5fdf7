"""API shapes of agencies and the service catalogue."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict

from townsquare.agencies.models import AttributeDatatype, ServiceType


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    description: str
    email: str | None
    phone: str | None
    timezone: str


class ServiceAttributeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    order: int
    datatype: AttributeDatatype
    required: bool
    variable: bool
    description: str
    datatype_description: str
    values: list[dict[str, Any]]


class ServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    description: str
    agency_id: uuid.UUID
    keywords: list[str]
    group: str
    type: ServiceType
    sla_target_hours: int | None
    attributes: list[ServiceAttributeOut]
