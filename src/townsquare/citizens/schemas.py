"""API shapes of citizens, identities and preferences.

Quiet hours are local wall-clock times (no UTC offset), written and read as "HH:MM:SS" strings that match the
schema they declare; preferred channels are channels a reply can reach a person on, each once.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from townsquare.citizens.models import CitizenStatus, IdentityKind, VerificationMethod

# The channels a reply can reach a person on (engagement.replies.REPLYABLE; a test keeps the two equal).
ContactChannel = Literal["sms", "voice", "email", "social", "chat", "web", "mobile", "push", "mail"]
_CLOCK_IN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$"
_CLOCK_OUT = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
_CLOCK_HINT = "a local wall-clock time of day in whole minutes, without a UTC offset, like 21:00"


def _clock(value: Any) -> Any:
    """A quiet-hours time exactly as the schema says: "HH:MM" or "HH:MM:00" (or a naive whole-minute time)."""
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise ValueError(f"must be {_CLOCK_HINT}")
        return value
    if not isinstance(value, str) or not re.fullmatch(_CLOCK_IN, value):
        raise ValueError(f"must be {_CLOCK_HINT}")
    return time.fromisoformat(value)


def _distinct(channels: list[str]) -> list[str]:
    for i, channel in enumerate(channels):
        if channel in channels[:i]:
            raise ValueError(f"lists {channel} more than once; give each channel once, in order of preference")
    return channels


WallClockIn = Annotated[
    time,
    BeforeValidator(_clock),
    WithJsonSchema({"type": "string", "pattern": _CLOCK_IN, "examples": ["21:00"], "description": _CLOCK_HINT}),
]
WallClockOut = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M:%S"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _CLOCK_OUT, "examples": ["21:00:00"], "description": "local time"}),
]


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
    preferred_channels: list[str]  # as stored: older records may hold names no longer offered
    quiet_hours_start: WallClockOut | None
    quiet_hours_end: WallClockOut | None
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
    preferred_channels: Annotated[list[ContactChannel], AfterValidator(_distinct)] | None = Field(
        default=None, max_length=10, description="Channels to reach the person on, most preferred first, each once"
    )
    quiet_hours_start: WallClockIn | None = None
    quiet_hours_end: WallClockIn | None = None
