"""The staff file of a catalogue directory: `[[staff]]` entries instead of an `[agency]` table — who works on the
desk, in which role and agencies, and how routing offers them work.

Only describes and checks. Never holds a password, an MFA secret or a session: accounts made from it sign in
through the organisation's identity provider, or set a password with a reset link.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from townsquare.content.catalogue_files import LANGUAGE, SLUG, Strict, Text
from townsquare.routing.models import CapacityClass
from townsquare.staff.models import StaffRole

STAFF_FILE = "staff.toml"  # the name the export gives it; import knows it by its `[[staff]]` entries
Level = Annotated[int, Field(ge=1, le=5)]


class RoutingIn(Strict):
    """How routing offers the person work: the languages they answer in, how much they hold at once, their skills."""

    languages: list[Annotated[str, Field(pattern=LANGUAGE)]] = Field(default_factory=lambda: ["en"])
    capacity: dict[CapacityClass, Annotated[int, Field(ge=0, le=50)]] = Field(default_factory=dict)
    skills: dict[Annotated[str, Field(min_length=1, max_length=64)], Level] = Field(default_factory=dict)


class StaffIn(Strict):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)
    name: Text
    role: StaffRole = StaffRole.agent
    agencies: list[Annotated[str, Field(pattern=SLUG)]] = Field(default_factory=list)
    active: bool = True
    routing: RoutingIn = Field(default_factory=RoutingIn)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class StaffFile(Strict):
    """Everyone on staff, one entry each."""

    staff: list[StaffIn] = Field(default_factory=list)

    @field_validator("staff")
    @classmethod
    def _distinct(cls, value: list[StaffIn]) -> list[StaffIn]:
        emails = [s.email for s in value]
        twice = sorted({e for e in emails if emails.count(e) > 1})
        if twice:
            raise ValueError(f"each person once: {', '.join(twice)} given twice")
        return value
