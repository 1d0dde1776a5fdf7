"""Generalising places: streets without civic numbers, postal areas, grid cells, and the register's density rule."""

from __future__ import annotations

import math

import pytest

from townsquare.analytics.open_data.fields import GRID_M, MIN_ADDRESSES
from townsquare.analytics.open_data.generalise import (
    METRES_PER_DEGREE,
    Register,
    cell_centre,
    cell_of,
    postal_area,
    street_of,
)


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("120 Main St, Toronto", "Main St"),
        ("4-120 Main St", "Main St"),  # unit 4 at 120
        ("12A King St W", "King St W"),
        ("12-14 King St W", "King St W"),
        ("12, rue Principale", "rue Principale"),
        ("Unit 4, 120 Main St", "Main St"),
        ("120 Main St Apt 4", "Main St"),
        ("#5 22 Queen St", "Queen St"),
        ("123 5th Avenue", "5th Avenue"),
        ("City Hall", "City Hall"),  # no civic number: a place, kept
        ("120", ""),
        ("", ""),
    ],
)
def test_a_street_keeps_no_civic_number(address: str, street: str) -> None:
    assert street_of(address) == street


@pytest.mark.parametrize(
    ("code", "area"),
    [("M5V 2T6", "M5V"), ("m5v2t6", "M5V"), ("10001-1234", "100"), ("Bob Smith", ""), ("12", ""), (None, "")],
)
def test_a_postal_code_becomes_its_area(code: str | None, area: str) -> None:
    assert postal_area(code) == area


@pytest.mark.parametrize(("lat", "long"), [(43.6535, -79.3841), (45.5017, -73.5673), (-33.8688, 151.2093), (0.0, 0.0)])
def test_a_point_moves_to_its_cell_centre_within_the_cell(lat: float, long: float) -> None:
    centre_lat, centre_long = cell_centre(cell_of(lat, long))
    north_m = abs(centre_lat - lat) * METRES_PER_DEGREE
    east_m = abs(centre_long - long) * METRES_PER_DEGREE * math.cos(math.radians(lat))
    assert north_m <= GRID_M / 2 + 1
    assert east_m <= GRID_M / 2 + 1
    assert cell_of(centre_lat, centre_long) == cell_of(lat, long)  # every point of a cell gives the same centre


def test_a_street_or_cell_with_few_addresses_is_not_published() -> None:
    register = Register()
    for n in range(MIN_ADDRESSES - 1):
        register.add(f"{n + 1} Short Lane", 43.70001, -79.40001)
    assert register.street("1 Short Lane") == ""
    assert register.point(43.70001, -79.40001) == (None, None)
    register.add("9 Short Ln", 43.70002, -79.40002)  # the same street, written short
    assert register.street("1 Short Lane") == "Short Lane"
    assert register.point(43.70001, -79.40001) == cell_centre(cell_of(43.70001, -79.40001))
    assert register.street(None) == ""
    assert register.point(None, -79.4) == (None, None)
