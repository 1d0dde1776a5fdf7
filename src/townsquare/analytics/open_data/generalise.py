"""Generalising where a request is, so that no one's home is pinpointed: a point moves to the centre of its
100 m grid cell, a register address is reduced to its street, a postal code to its area, and a street or cell is
published only where the address register holds at least `MIN_ADDRESSES` addresses.

Works from the register (authoritative text), never from what a person typed: typed text may hold anything.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from townsquare.analytics.open_data.fields import GRID_M, MIN_ADDRESSES, POSTAL_AREA_CHARS
from townsquare.places.service import normalise

METRES_PER_DEGREE = 111_320.0
# A civic number, with a unit before it (Canada Post's 4-120), a letter after it (12A) or a range (12-14).
CIVIC = re.compile(r"^(?:[A-Za-z0-9]{1,6}\s*-\s*)?\d+[A-Za-z]?(?:\s*[-\u2013]\s*\d+[A-Za-z]?)?(?:\s+|$)")
UNIT = re.compile(
    r"(?i)\b(?:apt|apartment|app|appt|appartement|unit|suite|ste|bureau|room|rm|local)\.?\s*#?\s*\d\w*|#\s*\w+"
)
POSTAL_AREA = re.compile(r"^(?:[A-Z]\d[A-Z]|\d{3})")

Cell = tuple[int, int]


def cell_of(lat: float, long: float) -> Cell:
    """The grid cell (row, column) a point falls in: rows of `GRID_M` metres of latitude, columns of `GRID_M`
    metres of longitude at the row's centre."""
    step_lat = GRID_M / METRES_PER_DEGREE
    row = math.floor(lat / step_lat)
    return row, math.floor(long / _step_long(row))


def cell_centre(cell: Cell) -> tuple[float, float]:
    """The centre of a grid cell, to five decimals (about a metre: finer would only pretend)."""
    row, column = cell
    step_lat = GRID_M / METRES_PER_DEGREE
    return round((row + 0.5) * step_lat, 5), round((column + 0.5) * _step_long(row), 5)


def _step_long(row: int) -> float:
    centre_lat = (row + 0.5) * GRID_M / METRES_PER_DEGREE
    return GRID_M / (METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))


def street_of(address: str) -> str:
    """The street of an address without its civic number or unit: `4-120 Main St, Toronto` → `Main St`, `12, rue
    Principale` → `rue Principale`; a register entry without a number (a park, a corner) is kept as it is."""
    segments = [" ".join(UNIT.sub(" ", part).split()) for part in address.split(",")]
    segments = [s for s in segments if s]
    for i, segment in enumerate(segments):
        number = CIVIC.match(segment)
        if number is None:
            continue
        rest = segment[number.end() :].strip()
        if not rest:  # "12, rue Principale": the street is the next part
            rest = segments[i + 1] if i + 1 < len(segments) else ""
        return rest if any(c.isalpha() for c in rest) and not CIVIC.match(rest) else ""
    return segments[0] if segments else ""


def postal_area(code: str | None) -> str:
    """The area part of a postal code (a Canadian FSA `M5V`, a US ZIP's first three digits), else nothing: a
    value of any other shape is not a postal code and is not published."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", code or "").upper()
    found = POSTAL_AREA.match(cleaned[:POSTAL_AREA_CHARS])
    return found.group(0) if found and len(cleaned) >= POSTAL_AREA_CHARS else ""


@dataclass
class Register:
    """How many register addresses each street and grid cell holds: where there are few, a street or a cell
    would point at a house."""

    streets: Counter[str] = field(default_factory=Counter)
    cells: Counter[Cell] = field(default_factory=Counter)

    def add(self, address: str, lat: float, long: float) -> None:
        street = street_of(address)
        if street:
            self.streets[normalise(street)] += 1
        self.cells[cell_of(lat, long)] += 1

    def street(self, address: str | None) -> str:
        """The published street of a register address, or "" when too few addresses share it."""
        street = street_of(address or "")
        return street if street and self.streets[normalise(street)] >= MIN_ADDRESSES else ""

    def point(self, lat: float | None, long: float | None) -> tuple[float | None, float | None]:
        """The published point: its cell's centre, or nothing when too few addresses share the cell."""
        if lat is None or long is None:
            return None, None
        cell = cell_of(lat, long)
        if self.cells[cell] < MIN_ADDRESSES:
            return None, None
        return cell_centre(cell)
