"""The demo city's own data, read from `demo/content/city.toml`: its staff, its streets, the Open311 app and
street reports on its map, and what its residents say. The catalogue and knowledge base are beside it, in the
formats any city imports (`content/catalogue/`, `content/knowledge/`).

Demo data only: reads files, writes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from townsquare.cases.models import CaseStatus
from townsquare.interactions.models import Channel

CONTENT = Path(__file__).parent / "content"
CATALOGUE_DIR = CONTENT / "catalogue"
KNOWLEDGE_DIR = CONTENT / "knowledge"
NOTIFICATIONS_DIR = CONTENT / "notifications"


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    role: str
    agencies: tuple[str, ...]


@dataclass(frozen=True)
class Street:
    name: str
    start: tuple[float, float]  # (east, north) metres on the grid from the centre, where numbering begins
    end: tuple[float, float]
    first: int  # the first even civic number; the odd side starts one higher
    per_side: int
    fsa: str  # the postal code's first half for the street


@dataclass(frozen=True)
class DemoReport:
    code: str
    address: str  # a register address; the report is placed there, moved `shift_m` metres north-east
    description: str
    channel: Channel  # api: through the demo city app (Open311); web: the portal
    hours_ago: float
    shift_m: float = 0.0
    steps: tuple[tuple[CaseStatus, str, float], ...] = ()  # (status, note, hours after the report)


@dataclass(frozen=True)
class Phrases:
    openers: dict[str, dict[str, list[str]]]  # service code → language → first messages
    follow_ups: dict[str, list[str]]  # language → later messages ({ref}: the case reference)
    replies: dict[str, list[str]]  # language → staff answers
    handoffs: dict[str, list[str]]  # language → the assistant passing the person to staff
    helped: dict[str, list[str]]  # language → staff answers that need no case


@dataclass(frozen=True)
class City:
    password: str
    admin_mfa_key: str  # the administrators' authenticator (TOTP) key, base32
    staff: tuple[StaffMember, ...]
    centre: tuple[float, float]
    grid_rotation_deg: float
    streets: tuple[Street, ...]
    open311_key: str
    open311_app: str
    open311_contact: str
    reports: tuple[DemoReport, ...]
    phrases: Phrases


def _pair(value: Any) -> tuple[float, float]:
    return float(value[0]), float(value[1])


def _report(raw: dict[str, Any]) -> DemoReport:
    return DemoReport(
        code=raw["service"],
        address=raw["address"],
        description=raw["description"],
        channel=Channel(raw["channel"]),
        hours_ago=float(raw["hours_ago"]),
        shift_m=float(raw.get("shift_m", 0.0)),
        steps=tuple((CaseStatus(s["status"]), s["note"], float(s["hours_after"])) for s in raw.get("steps", [])),
    )


@cache
def city() -> City:
    """The demo city, read once per process."""
    raw = tomllib.loads((CONTENT / "city.toml").read_text(encoding="utf-8"))
    register, open311, phrases = raw["register"], raw["open311"], raw["phrases"]
    return City(
        password=raw["password"],
        admin_mfa_key=raw["admin_mfa_key"],
        staff=tuple(StaffMember(s["email"], s["name"], s["role"], tuple(s.get("agencies", []))) for s in raw["staff"]),
        centre=_pair(register["centre"]),
        grid_rotation_deg=float(register["grid_rotation_deg"]),
        streets=tuple(
            Street(s["name"], _pair(s["start"]), _pair(s["end"]), int(s["first"]), int(s["per_side"]), s["fsa"])
            for s in register["streets"]
        ),
        open311_key=open311["key"],
        open311_app=open311["app"],
        open311_contact=open311["contact"],
        reports=tuple(_report(r) for r in raw["reports"]),
        phrases=Phrases(
            phrases["openers"], phrases["follow_ups"], phrases["replies"], phrases["handoffs"], phrases["helped"]
        ),
    )
