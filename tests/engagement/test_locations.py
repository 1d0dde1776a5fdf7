"""Completing a report's location from the address register."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_place
from townsquare.engagement import locations


@pytest.fixture
async def register(session: AsyncSession) -> None:
    await create_place(
        session, address_id="A-120", address="120 King Street West", lat=43.6480, long=-79.3840, zipcode="M5H 1J9"
    )
    await create_place(session, address_id="A-130", address="130 King Street West", lat=43.6481, long=-79.3845)


async def test_a_register_id_gives_the_point_address_and_postal_code(session: AsyncSession, register: None) -> None:
    where = await locations.resolve(session, address_id="A-120")
    assert where.as_dict() == {
        "lat": 43.6480,
        "long": -79.3840,
        "address_string": "120 King Street West",
        "address_id": "A-120",
        "zipcode": "M5H 1J9",
    }


async def test_a_typed_address_the_register_knows_is_placed_and_kept_as_typed(
    session: AsyncSession, register: None
) -> None:
    where = await locations.resolve(session, address_string="120 king st w")
    assert (where.lat, where.long, where.address_string) == (43.6480, -79.3840, "120 king st w")
    assert where.placed


async def test_an_unknown_address_is_kept_unplaced(session: AsyncSession, register: None) -> None:
    where = await locations.resolve(session, address_string="behind the old mill")
    assert where.as_dict() == {"address_string": "behind the old mill"}
    assert not where.placed


async def test_a_point_alone_is_described_by_the_nearest_address(session: AsyncSession, register: None) -> None:
    where = await locations.resolve(session, lat=43.64802, long=-79.38402)
    assert where.address_string == "Near 120 King Street West"
    assert (where.lat, where.long) == (43.64802, -79.38402)
    assert where.address_id is None


async def test_half_a_point_is_dropped_and_bad_numbers_ignored(session: AsyncSession, register: None) -> None:
    assert (await locations.resolve(session, lat=43.6)).as_dict() == {}
    assert (await locations.resolve_dict(session, {"lat": "x", "long": "1"})).as_dict() == {}


async def test_a_point_with_the_address_it_is_at_gets_the_register_entry(session: AsyncSession, register: None) -> None:
    where = await locations.resolve(session, lat=43.64801, long=-79.38401, address_string="120 King St W")
    assert (where.lat, where.address_id, where.zipcode) == (43.64801, "A-120", "M5H 1J9")
    # A point far from the typed address: both are kept as sent, neither is trusted to name the other.
    apart = await locations.resolve(session, lat=43.70, long=-79.40, address_string="120 King St W")
    assert apart.as_dict() == {"lat": 43.70, "long": -79.40, "address_string": "120 King St W"}
