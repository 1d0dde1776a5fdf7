"""The demo city's address register: a few hundred address points along straight streets around the map centre.

Generated, not surveyed: civic numbers run along each street, even on one side and odd on the other, with
coordinates interpolated between the street's ends. Deterministic: the same register every time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from townsquare.demo.city import city

SIDE_OFFSET_M = 12.0  # address points sit this far from the centre line, on either side
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
# The streets (and the grid's turn from true north: "north" below means up the grid) are in demo/content/city.toml.
CENTRE = city().centre


@dataclass(frozen=True)
class AddressPoint:
    address_id: str
    address: str
    lat: float
    long: float
    zipcode: str


def _to_lat_long(east: float, north: float) -> tuple[float, float]:
    """A point on the grid to latitude and longitude (flat-earth: the streets are short)."""
    turn = math.radians(city().grid_rotation_deg)
    true_east = east * math.cos(turn) - north * math.sin(turn)
    true_north = east * math.sin(turn) + north * math.cos(turn)
    lat0, long0 = CENTRE
    per_lat = 111_132.0
    per_long = 111_320.0 * math.cos(math.radians(lat0))
    return round(lat0 + true_north / per_lat, 7), round(long0 + true_east / per_long, 7)


def _postal_code(fsa: str, street_index: int, number: int) -> str:
    block = number // 20
    seed = street_index * 31 + block * 7
    return f"{fsa} {1 + seed % 9}{POSTAL_LETTERS[seed % len(POSTAL_LETTERS)]}{(seed // 3) % 10}"


def address_points() -> list[AddressPoint]:
    """Every address point of the demo register, street by street, in civic-number order."""
    points: list[AddressPoint] = []
    for index, street in enumerate(city().streets):
        (x0, y0), (x1, y1) = street.start, street.end
        length = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        last = street.first + 2 * (street.per_side - 1)
        for number in range(street.first, last + 2):
            step = (number - street.first) // 2
            along = length * (step + 0.5 * (number % 2)) / street.per_side
            side = SIDE_OFFSET_M if number % 2 == 0 else -SIDE_OFFSET_M  # evens on the left, going up
            east, north = x0 + ux * along - uy * side, y0 + uy * along + ux * side
            lat, long = _to_lat_long(east, north)
            points.append(
                AddressPoint(
                    address_id=str(7_100_000 + len(points) + 1),
                    address=f"{number} {street.name}",
                    lat=lat,
                    long=long,
                    zipcode=_postal_code(street.fsa, index, number),
                )
            )
    return points


def register_rows() -> list[dict[str, str]]:
    """The register as `places.service.import_rows` takes it (the same columns as the CSV import)."""
    return [
        {"address_id": p.address_id, "address": p.address, "lat": str(p.lat), "long": str(p.long), "zipcode": p.zipcode}
        for p in address_points()
    ]
