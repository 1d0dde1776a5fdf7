"""The address register: normalising, matching typed addresses, autocomplete, nearest point, import."""

from __future__ import annotations

import pytest
from geopy.distance import geodesic
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import Problem
from townsquare.places import service as places
from townsquare.places.models import Place

CENTRE = (43.6535, -79.3841)


def _row(address_id: str, address: str, lat: float, long: float, zipcode: str = "") -> dict[str, str]:
    return {"address_id": address_id, "address": address, "lat": str(lat), "long": str(long), "zipcode": zipcode}


async def _register(session: AsyncSession) -> None:
    lat, long = CENTRE
    rows = [
        _row("1001", "120 Main Street", lat, long, "M5H 2N2"),
        _row("1002", "122 Main Street", lat + 0.0002, long),
        _row("1003", "120 Queen Street West", lat + 0.01, long),
        _row("1004", "120 Queen Street East", lat + 0.01, long + 0.02),
        _row("1005", "12 Main Street", lat - 0.001, long),
        _row("1006", "1200 rue Sainte-Catherine Ouest", lat + 0.02, long - 0.01),
        _row("1007", "45 St. Clair Ave. W.", lat + 0.03, long),
        _row("1008", "300 Bay Street", lat, long + 0.01),
        _row("1009", "300 Bay Street", lat + 0.05, long + 0.05),  # the same words in another part of town
    ]
    assert await places.import_rows(session, rows) == len(rows)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("120 Main St.", "120 main street"),
        ("120  MAIN   street", "120 main street"),
        ("120 Main St W", "120 main street west"),
        ("120 St. Clair Ave. W.", "120 saint clair avenue west"),
        ("45 Elm Rd N", "45 elm road north"),
        ("9 Oak Blvd", "9 oak boulevard"),
        ("9 Oak Dr. E", "9 oak drive east"),
        ("Apt 4, 120 Main St", "120 main street"),
        ("120 Main St, Unit 5B", "120 main street"),
        ("120 Main St #4", "120 main street"),
        ("4-120 Main St", "120 main street"),
        ("350 Bay Street Suite 200", "350 bay street"),
        ("1200 rue Ste-Catherine O", "1200 rue sainte catherine west"),
        ("1200, boul. René-Lévesque Est", "1200 boulevard rene levesque east"),
        ("10 av. du Parc", "10 avenue du parc"),
        ("3 ch. de la Côte-des-Neiges", "3 chemin de la cote des neiges"),
        ("12 O'Connor Dr", "12 oconnor drive"),
        ("120 Main St, Toronto ON M5H 2N2", "120 main street toronto on"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalise(typed: str, expected: str) -> None:
    assert places.normalise(typed) == expected


async def test_import_adds_then_updates_by_address_id(session: AsyncSession) -> None:
    await _register(session)
    place = await places.by_address_id(session, address_id="1001")
    assert place is not None
    assert (place.address, place.normalised, place.zipcode) == ("120 Main Street", "120 main street", "M5H 2N2")
    assert await places.by_address_id(session, address_id=" 1001 ") is place
    assert await places.by_address_id(session, address_id="nope") is None

    moved = [_row("1001", "120 Main St. W", 43.7, -79.4, "m5h 2n3"), _row("2000", "1 New Road", 43.1, -79.1)]
    assert await places.import_rows(session, moved) == 2
    await session.refresh(place)
    assert (place.address, place.normalised, place.lat, place.zipcode) == (
        "120 Main St. W",
        "120 main street west",
        43.7,
        "M5H 2N3",
    )
    assert (await session.execute(select(func.count()).select_from(Place))).scalar_one() == 10


async def test_import_names_every_bad_row_and_writes_nothing(session: AsyncSession) -> None:
    rows = [
        _row("1", "1 Good Street", 43.0, -79.0),
        {"address_id": "", "address": "2 Good Street", "lat": "43", "long": "-79"},
        _row("3", "3 Good Street", 91.0, -79.0),
        {"address_id": "4", "address": "4 Good Street", "lat": "north", "long": "-181"},
        {"address_id": "5", "address": "  ", "lat": "43", "long": "-79", "zipcode": "x" * 17},
    ]
    with pytest.raises(Problem) as raised:
        await places.import_rows(session, rows)
    problem = raised.value
    assert problem.status == 422
    assert "row 2: address_id is required" in problem.detail
    assert "row 3: lat must be a number from -90 to 90" in problem.detail
    assert "row 4: lat must be" in problem.detail
    assert "row 4: long must be" in problem.detail
    assert "row 5: address is required" in problem.detail
    assert "row 5: zipcode" in problem.detail
    assert "row 1" not in problem.detail
    assert {e.field for e in problem.errors} == {"row 2", "row 3", "row 4", "row 5"}
    assert (await session.execute(select(func.count()).select_from(Place))).scalar_one() == 0


async def test_match_exact_after_normalising(session: AsyncSession) -> None:
    await _register(session)
    for typed in ("120 Main St.", "120 MAIN STREET", "Apt 3, 120 Main St", "120 Main St, Toronto"):
        found = await places.match(session, text=typed)
        assert found is not None, typed
        assert found.address_id == "1001", typed
    found = await places.match(session, text="45 St Clair Avenue West")
    assert found is not None
    assert found.address_id == "1007"
    found = await places.match(session, text="1200 Rue Ste-Catherine O.")
    assert found is not None
    assert found.address_id == "1006"


async def test_match_only_answers_when_confident(session: AsyncSession) -> None:
    await _register(session)
    typo = await places.match(session, text="120 Mian Street")
    assert typo is not None
    assert typo.address_id == "1001"
    assert await places.match(session, text="Main Street") is None  # no civic number
    assert await places.match(session, text="121 Main Street") is None  # no such number
    assert await places.match(session, text="120 Queen Street") is None  # east or west: two close calls
    assert await places.match(session, text="120 Elm Street") is None
    assert await places.match(session, text="300 Bay Street") is None  # two places written the same
    assert await places.match(session, text="") is None


async def test_suggest_prefix_then_words_in_order_of_street_and_number(session: AsyncSession) -> None:
    await _register(session)
    assert [p.address_id for p in await places.suggest(session, text="120 main s")] == ["1001"]
    assert [p.address_id for p in await places.suggest(session, text="120 Main St")] == ["1001"]
    queen = [p.address for p in await places.suggest(session, text="120 qu")]
    assert queen == ["120 Queen Street East", "120 Queen Street West"]
    by_number = [p.address for p in await places.suggest(session, text="main street")]
    assert by_number == ["12 Main Street", "120 Main Street", "122 Main Street"]
    assert len(await places.suggest(session, text="street", limit=2)) == 2
    assert await places.suggest(session, text="  ") == []
    assert await places.suggest(session, text="zzz") == []


async def test_nearest_within_a_distance(session: AsyncSession) -> None:
    await _register(session)
    lat, long = CENTRE
    found = await places.nearest(session, lat=lat + 0.00005, long=long)  # about 6 m north of 120 Main Street
    assert found is not None
    assert found.address_id == "1001"
    found = await places.nearest(session, lat=lat + 0.00015, long=long)  # closer to 122
    assert found is not None
    assert found.address_id == "1002"
    assert await places.nearest(session, lat=lat - 0.004, long=long) is None  # 330 m from 12 Main Street
    assert await places.nearest(session, lat=lat - 0.004, long=long, within_m=400) is not None
    assert await places.nearest(session, lat=95, long=long) is None


def test_distance_is_geodesic() -> None:
    assert places.distance_m(CENTRE, CENTRE) == 0
    one_degree_at_equator = places.distance_m((0.0, 0.0), (1.0, 0.0))
    assert 110_500 < one_degree_at_equator < 110_650
    toronto_ottawa = places.distance_m(CENTRE, (45.4215, -75.6972))
    assert 350_000 < toronto_ottawa < 355_000


@pytest.mark.parametrize("lat", [0.0, 43.6535, -33.9, 60.0, 75.0, 84.0])
@pytest.mark.parametrize("radius", [30.0, 150.0, 5_000.0])
def test_bounding_box_encloses_the_circle_tightly(lat: float, radius: float) -> None:
    long = 12.5
    min_lat, max_lat, min_long, max_long = places.bounding_box(lat, long, radius)
    for bearing in range(0, 360, 5):
        edge = geodesic(meters=radius).destination((lat, long), bearing)
        assert min_lat <= edge.latitude <= max_lat, bearing
        assert min_long <= edge.longitude <= max_long, bearing
    height = places.distance_m((min_lat, long), (max_lat, long))
    width = places.distance_m((lat, min_long), (lat, max_long))
    assert height < 2 * radius * 1.03
    assert width < 2 * radius * 1.1


def test_bounding_box_near_a_pole_or_the_antimeridian_takes_every_longitude() -> None:
    assert places.bounding_box(89.95, 10.0, 10_000.0)[2:] == (-180.0, 180.0)
    assert places.bounding_box(0.0, 179.9999, 100.0)[2:] == (-180.0, 180.0)
    assert places.bounding_box(-90.0, 0.0, 10.0)[0] == -90.0
