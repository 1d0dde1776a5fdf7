"""The REST shapes of returned letters (`POST /api/v1/letters/returned`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ReturnedIn(BaseModel):
    """A letter the post brought back: its id or what its QR code holds (the case reference, or "L-<id>")."""

    model_config = ConfigDict(extra="forbid")

    letter_id: uuid.UUID | None = None
    reference: str | None = Field(default=None, min_length=1, max_length=60, description="As scanned from the QR")
    reason: str = Field(min_length=1, max_length=200, description="Why it came back, e.g. 'addressee unknown'")

    @model_validator(mode="after")
    def _one_way_to_name_it(self) -> ReturnedIn:
        if (self.letter_id is None) == (self.reference is None):
            raise ValueError("give either letter_id or reference")
        return self

    @property
    def code(self) -> str:
        return str(self.letter_id) if self.letter_id is not None else str(self.reference)


class LetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    reference: str | None
    interaction_id: uuid.UUID | None
    printed_at: datetime | None
    returned_at: datetime | None
    return_reason: str | None
