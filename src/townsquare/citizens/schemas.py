"""API shapes of citizens, identities and preferences."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from pydantic import BaseModel, ConfigDict, Field

from townsquare.citizens.models import CitizenStatus, IdentityKind, VerificationMethod


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: IdentityKind
    namespace: str
    value: str
    verified: bool
    verification_method: VerificationMethod | None
    verified_at: datetime | None
    last_seen_at: datetime | None


class CitizenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    display_name: str | None
    given_name: str | None
    family_name: str | None
    status: CitizenStatus
    language: str
    preferred_channels: list[str]
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    created_at: datetime
    identities: list[IdentityOut]


class IdentityIn(BaseModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)
    namespace: str = Field(default="", max_length=200)
    verified_by: VerificationMethod | None = Field(
        default=None, description="How the identity was verified, if it was; leave out when it was not."
    )


class CitizenIn(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class PreferencesIn(BaseModel):
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    preferred_channels: list[str] | None = Field(default=None, max_length=10)
    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None
