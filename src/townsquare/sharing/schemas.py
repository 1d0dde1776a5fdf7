"""What the agency-records and Person APIs take and give."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from townsquare.citizens.kinds import IdentityKind


class IdentifierIn(BaseModel):
    kind: IdentityKind = Field(description="phone, email or agency_record (the agency's record number given)")
    value: str = Field(min_length=1, max_length=320)


class DatedValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    last_updated: datetime | None = Field(None, description="When this value last changed, if not the record's time")


class AgencyRecordIn(BaseModel):
    """A person's record in the agency's own system, sent whole: values left out are removed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "identifiers": [{"kind": "email", "value": "pat@example.org"}],
                    "last_updated": "2026-11-30T09:00:00-05:00",
                    "values": {"household_income": 41200, "mailing_address": "12 Elm St\nToronto ON  M5V 1A1"},
                }
            ]
        },
    )

    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    last_updated: datetime = Field(description="When the agency's system last changed the record (with offset)")
    values: dict[str, DatedValueIn | int | float | str] = Field(default_factory=dict, max_length=200)
    source: str | None = Field(None, max_length=200, description="The sending system, if not the key's name")


class AgencyRecordOut(BaseModel):
    record_id: uuid.UUID
    agency: str
    external_id: str
    citizen_id: uuid.UUID | None = Field(description="The person it is linked to; null while none or several match")
    link: str = Field(description="linked, unmatched (no person proved these identifiers) or ambiguous")
    created: bool


class ImportOut(BaseModel):
    created: int
    updated: int
    linked: int
    unmatched: int
    ambiguous: int


class SharedValueOut(BaseModel):
    """One value, with where it comes from."""

    attribute: str = Field(description="agency.code")
    name: str
    value: Any = Field(description="null when the provider holds no value for this person")
    source_agency: str
    classification: str
    verified: bool
    last_updated: datetime | None
    agreement: str = Field(description="The data-sharing agreement version the read relied on")
    consent_id: uuid.UUID | None = Field(description="The person's consent it relied on; null for a consent-free use")


class PersonOut(BaseModel):
    person_id: uuid.UUID
    purpose: str
    reader_agency: str
    attributes: list[SharedValueOut]
