"""Where a report is about: whatever the channel gave (a point, a typed address, a register id), completed
from the jurisdiction's address register so every case about a place can be compared with its neighbours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.places import service as places
from townsquare.places.models import Place

MAX_ADDRESS = 500
SAME_PLACE_M = 150.0  # a typed address and a map point this close are taken to be the same place


@dataclass(frozen=True)
class Location:
    """A case's location; any part may be missing."""

    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    zipcode: str | None = None

    @property
    def placed(self) -> bool:
        """True when the location has coordinates (it can be shown on the map and compared)."""
        return self.lat is not None and self.long is not None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(str(value).split())[:limit]
    return cleaned or None


async def resolve(
    session: AsyncSession,
    *,
    lat: float | None = None,
    long: float | None = None,
    address_string: str | None = None,
    address_id: str | None = None,
    zipcode: str | None = None,
) -> Location:
    """Complete a location from the register; never raises (an unplaceable address is kept as typed).

    - an `address_id` of the register gives its point, address and postal code;
    - otherwise a typed address the register recognises with confidence gives its point;
    - a point alone gets the nearest registered address written out, so people see more than numbers.
    Whatever the sender gave wins over what the register suggests.
    """
    address = _text(address_string, MAX_ADDRESS)
    register_id = _text(address_id, 100)
    postal = _text(zipcode, 16)
    place: Place | None = None
    if register_id is not None:
        place = await places.by_address_id(session, address_id=register_id)
    if place is None and address is not None:
        place = await places.match(session, text=address)
        if (
            place is not None
            and lat is not None
            and long is not None
            and places.distance_m((lat, long), (place.lat, place.long)) > SAME_PLACE_M
        ):
            place = None  # the point and the address disagree: keep what was sent, unmatched
    if place is None and lat is not None and long is not None and address is None:
        place = await places.nearest(session, lat=lat, long=long)
        if place is not None:
            # Only describe the point; the nearest address point is not the report's own register entry.
            return Location(lat=lat, long=long, address_string=f"Near {place.address}", zipcode=postal)
    if place is not None:
        return Location(
            lat=lat if lat is not None and long is not None else place.lat,
            long=long if lat is not None and long is not None else place.long,
            address_string=address or place.address,
            address_id=place.address_id,
            zipcode=postal or place.zipcode or None,
        )
    return Location(
        lat=lat if lat is not None and long is not None else None,
        long=long if lat is not None and long is not None else None,
        address_string=address,
        address_id=register_id,
        zipcode=postal,
    )


async def resolve_dict(session: AsyncSession, raw: dict[str, Any] | None) -> Location:
    """`resolve` for a location as channels put it in message metadata (string or number values)."""
    raw = raw or {}

    def number(key: str, limit: float) -> float | None:
        try:
            return places.coordinate(raw.get(key), limit=limit)
        except ValueError:
            return None

    return await resolve(
        session,
        lat=number("lat", 90),
        long=number("long", 180),
        address_string=raw.get("address_string"),
        address_id=raw.get("address_id"),
        zipcode=raw.get("zipcode"),
    )
