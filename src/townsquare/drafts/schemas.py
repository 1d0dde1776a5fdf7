"""API shapes of application drafts, for the portal's JSON endpoint: a draft, a save and its outcome.

Limits are checked again by the service; these shapes only describe and bound what crosses the wire.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from townsquare.drafts.service import MAX_FIELD_NAME_CHARS, MAX_FIELDS, SaveResult
from townsquare.hygiene import MAX_INTEGER


class DraftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    service_id: uuid.UUID
    answers: dict[str, Any]
    version: int = Field(description="Send this back as `base_version` with the next save.")
    step: int
    updated_at: datetime
    submitted_at: datetime | None
    case_id: uuid.UUID | None


class SaveIn(BaseModel):
    base_version: int = Field(
        ge=0, le=MAX_INTEGER, strict=True, description="The draft version the device's copy came from."
    )
    changes: dict[str, Any] = Field(max_length=MAX_FIELDS, description="Only the fields the person changed.")
    step: int | None = Field(default=None, ge=0, le=MAX_INTEGER, strict=True)


class ResolveIn(BaseModel):
    field: str = Field(min_length=1, max_length=MAX_FIELD_NAME_CHARS)
    value: Any
    base_version: int = Field(
        ge=0, le=MAX_INTEGER, strict=True, description="The draft version shown alongside the conflict."
    )


class FieldConflictOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    field: str
    their_value: Any = Field(description="The value kept on the server, saved from elsewhere.")
    your_value: Any = Field(description="The value this device sent, not applied.")


class SaveOut(BaseModel):
    draft: DraftOut
    applied: list[str]
    conflicts: list[FieldConflictOut]

    @classmethod
    def of(cls, result: SaveResult) -> SaveOut:
        return cls(
            draft=DraftOut.model_validate(result.draft),
            applied=result.applied,
            conflicts=[FieldConflictOut.model_validate(c) for c in result.conflicts],
        )
