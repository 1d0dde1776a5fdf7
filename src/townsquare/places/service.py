"""The address register: normalising typed addresses, finding an address by id, text or point, and importing
the jurisdiction's register. Lookups never guess: `match` answers only when one address clearly fits.

Distances are geodesic (WGS84); the (lat, long) index narrows a search to a bounding box first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from geopy.distance import geodesic
from rapidfuzz import fuzz
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import FieldError, invalid
from townsquare.places.models import Place

# Street types and the like, English and French, to the one word lookups compare.
ABBREVIATIONS: dict[str, str] = {
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "boul": "boulevard",
    "bd": "boulevard",
    "dr": "drive",
    "drv": "drive",
    "cres": "crescent",
    "cr": "crescent",
    "ct": "court",
    "crt": "court",
    "pl": "place",
    "ln": "lane",
    "hwy": "highway",
    "pkwy": "parkway",
    "pky": "parkway",
    "sq": "square",
    "terr": "terrace",
    "ter": "terrace",
    "cir": "circle",
    "circ": "circle",
    "gdns": "gardens",
    "hts": "heights",
    "pt": "point",
    "mt": "mount",
    "ch": "chemin",
    "rte": "route",
    "prom": "promenade",
    "imp": "impasse",
    "mtee": "montee",
    "carref": "carrefour",
}
# Directions, abbreviated or written out in either language, to one English word.
DIRECTIONS: dict[str, str] = {
    "e": "east",
    "est": "east",
    "w": "west",
    "o": "west",
    "ouest": "west",
    "n": "north",
    "nord": "north",
    "s": "south",
    "sud": "south",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
}
# A unit inside a building is not part of the address point: the word and the number after it are dropped.
UNIT_WORDS = frozenset(
    {"apt", "apartment", "app", "appt", "appartement", "unit", "suite", "ste", "bureau", "room", "rm", "local"}
)
POSTAL_CODE = re.compile(r"\b[a-z]\d[a-z]\s?\d[a-z]\d\b|\b\d{5}(?:-\d{4})?$")
UNIT_HASH = re.compile(r"#\s*\w+")
# Canada Post's "unit-civic" form: 4-120 Main St is unit 4 at 120 Main St.
UNIT_DASH_CIVIC = re.compile(r"^\s*\w{1,6}\s*-\s*(\d+[a-z]?)\b")
HOUSE_NUMBER = re.compile(r"^\d+[a-z]?$")

MATCH_MIN_SCORE = 90.0
MATCH_LEAD = 5.0  # the best candidate must beat the runner-up by this much
MATCH_CANDIDATES = 20_000
SAME_POINT_M = 50.0  # exact matches this close together are one place written twice
NEAREST_CANDIDATES = 2000
SUGGEST_MAX = 25


def _fold(text: str) -> str:
    """Lower-cased, accents removed, apostrophes joined, other punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("'", "").replace("\u2019", "")


def _segment_tokens(segment: str, *, expand_last: bool) -> list[str]:
    words = re.sub(r"[^a-z0-9]+", " ", segment).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if word in UNIT_WORDS and following is not None and any(c.isdigit() for c in following):
            i += 2  # "apt 4", "suite 200b"
            continue
        if following is None and not expand_last:
            out.append(word)
        elif word in ("st", "ste"):
            # Before a name it is a saint (St Clair Ave, rue Ste-Catherine); at the end it is a street.
            named = following is not None and not (
                following in DIRECTIONS or following in UNIT_WORDS or following[0].isdigit()
            )
            out.append(("saint" if word == "st" else "sainte") if named else "street")
        elif word in ABBREVIATIONS:
            out.append(ABBREVIATIONS[word])
        elif word in DIRECTIONS and out:
            out.append(DIRECTIONS[word])
        else:
            out.append(word)
        i += 1
    return out


def _tokens(address: str, *, expand_last: bool = True) -> list[str]:
    """The address's words in compared form; commas end a part (120 Main St, Toronto: St is a street)."""
    text = UNIT_HASH.sub(" ", _fold(address))
    text = UNIT_DASH_CIVIC.sub(r"\1", text)
    text = POSTAL_CODE.sub(" ", text.strip())
    segments = text.split(",")
    out: list[str] = []
    for n, segment in enumerate(segments):
        out += _segment_tokens(segment, expand_last=expand_last or n < len(segments) - 1)
    return out


def normalise(address: str) -> str:
    """The form lookups compare: lower-case, no accents or punctuation, abbreviations written out, no unit."""
    return " ".join(_tokens(address))


def house_number(normalised: str) -> str | None:
    """The civic number a normalised address starts with, if it starts with one."""
    first = normalised.split(" ", 1)[0]
    return first if HOUSE_NUMBER.match(first) else None


async def by_address_id(session: AsyncSession, *, address_id: str) -> Place | None:
    """The register's entry with this id."""
    stmt = select(Place).where(Place.address_id == address_id.strip())
    return (await session.execute(stmt)).scalar_one_or_none()


def _variants(text: str) -> list[str]:
    """The whole typed address, then each comma-separated part that starts with a civic number."""
    found = [normalise(text)]
    for part in text.split(","):
        candidate = normalise(part)
        if " " in candidate and house_number(candidate) and candidate not in found:
            found.append(candidate)
    return [v for v in found if v]


async def match(session: AsyncSession, *, text: str) -> Place | None:
    """The one register address a typed address means, or None when unsure (no civic number, two close calls)."""
    variants = _variants(text[:500])
    if not variants:
        return None
    exact = list(
        (
            await session.execute(
                select(Place).where(Place.normalised.in_(variants)).order_by(Place.address_id).limit(20)
            )
        ).scalars()
    )
    if exact:
        first = exact[0]
        if all(distance_m((first.lat, first.long), (p.lat, p.long)) <= SAME_POINT_M for p in exact[1:]):
            return first
        return None
    for variant in variants:
        number = house_number(variant)
        if number is None:
            continue
        # Light rows first: a big city has thousands of addresses numbered 120.
        stmt = (
            select(Place.id, Place.normalised, Place.lat, Place.long)
            .where(Place.normalised.startswith(number + " ", autoescape=True))
            .order_by(Place.normalised)
            .limit(MATCH_CANDIDATES)
        )
        candidates = (await session.execute(stmt)).all()
        scored = sorted(
            ((fuzz.token_sort_ratio(variant, row.normalised), row) for row in candidates), key=lambda pair: -pair[0]
        )
        if not scored or scored[0][0] < MATCH_MIN_SCORE:
            continue
        best_score, best = scored[0]
        close_calls = [
            row
            for score, row in scored[1:]
            if best_score - score < MATCH_LEAD and distance_m((best.lat, best.long), (row.lat, row.long)) > SAME_POINT_M
        ]
        return None if close_calls else await session.get(Place, best.id)
    return None


def _suggest_order(place: Place) -> tuple[str, int, str]:
    number = house_number(place.normalised)
    street = place.normalised[len(number) + 1 :] if number else place.normalised
    digits = re.match(r"\d+", number or "")
    return street, int(digits.group()) if digits else -1, place.normalised


async def suggest(session: AsyncSession, *, text: str, limit: int = 8) -> list[Place]:
    """Addresses for an autocomplete: those starting with what was typed first, then those containing every
    word of it; by street, then civic number. At most `limit` (capped at 25)."""
    limit = max(0, min(limit, SUGGEST_MAX))
    # The last word may still be being typed: "120 main s" must not become "120 main south".
    typing = " ".join(_tokens(text[:200], expand_last=text[-1:].isspace()))
    complete = normalise(text[:200])
    if not typing or limit == 0:
        return []
    prefixes = {typing, complete} - {""}
    starts = or_(*(Place.normalised.startswith(p, autoescape=True) for p in prefixes))
    stmt = select(Place).where(starts).order_by(func.length(Place.normalised), Place.normalised).limit(limit)
    found = sorted((await session.execute(stmt)).scalars(), key=_suggest_order)
    if len(found) < limit:
        words = typing.split()
        contains = and_(*(Place.normalised.contains(w, autoescape=True) for w in words))
        stmt = select(Place).where(contains, ~starts).order_by(Place.normalised).limit(limit - len(found))
        found += sorted((await session.execute(stmt)).scalars(), key=_suggest_order)
    return found


async def nearest(session: AsyncSession, *, lat: float, long: float, within_m: float = 150.0) -> Place | None:
    """The register address closest to a point, if one is within `within_m` metres."""
    if within_m <= 0 or not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None
    min_lat, max_lat, min_long, max_long = bounding_box(lat, long, within_m)
    stmt = (
        select(Place)
        .where(Place.lat.between(min_lat, max_lat), Place.long.between(min_long, max_long))
        .limit(NEAREST_CANDIDATES)
    )
    best: tuple[float, Place] | None = None
    for place in (await session.execute(stmt)).scalars():
        distance = distance_m((lat, long), (place.lat, place.long))
        if distance <= within_m and (best is None or distance < best[0]):
            best = (distance, place)
    return best[1] if best else None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, long) points on the WGS84 ellipsoid."""
    return float(geodesic(a, b).meters)


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres in one degree of latitude and of longitude at a latitude (WGS84 series)."""
    phi = math.radians(lat)
    per_lat = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi) - 0.0023 * math.cos(6 * phi)
    per_long = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi) + 0.118 * math.cos(5 * phi)
    return per_lat, per_long


def bounding_box(lat: float, long: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_long, max_long) enclosing the circle of `radius_m` around the point.

    Slightly generous (1%). Near a pole, or across the antimeridian, the box widens to every longitude.
    """
    radius = max(radius_m, 0.0) * 1.01
    per_lat, _ = _metres_per_degree(lat)
    d_lat = radius / per_lat
    min_lat, max_lat = max(lat - d_lat, -90.0), min(lat + d_lat, 90.0)
    # A circle is widest in longitude on its side away from the equator.
    _, per_long = _metres_per_degree(max(abs(min_lat), abs(max_lat)))
    if per_long <= radius or max(abs(min_lat), abs(max_lat)) >= 89.9:
        return min_lat, max_lat, -180.0, 180.0
    d_long = radius / per_long
    if long - d_long < -180 or long + d_long > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, long - d_long, long + d_long


IMPORT_CHUNK = 500
MAX_REPORTED_ERRORS = 20


def coordinate(value: object, *, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) as people and forms send it: a finite number within
    ±limit. Raises ValueError for anything else, an empty value included."""
    number = float(str(value).strip())
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(f"not a coordinate within ±{limit:g}")
    return number


def _coordinate(value: Any, limit: float) -> float | None:
    try:
        return coordinate(value, limit=limit)
    except ValueError:
        return None


def _checked(number: int, row: Mapping[str, str]) -> tuple[dict[str, Any] | None, list[FieldError]]:
    problems: list[str] = []
    address_id = (row.get("address_id") or "").strip()
    address = " ".join((row.get("address") or "").split())
    zipcode = " ".join((row.get("zipcode") or "").split()).upper()
    lat = _coordinate(row.get("lat"), 90.0)
    long = _coordinate(row.get("long"), 180.0)
    if not address_id or len(address_id) > 100:
        problems.append("address_id is required (at most 100 characters)")
    if not address or len(address) > 500:
        problems.append("address is required (at most 500 characters)")
    elif not normalise(address):
        problems.append("address has no letters or digits")
    if lat is None:
        problems.append("lat must be a number from -90 to 90")
    if long is None:
        problems.append("long must be a number from -180 to 180")
    if len(zipcode) > 16:
        problems.append("zipcode is at most 16 characters")
    if problems:
        return None, [FieldError(f"row {number}", p) for p in problems]
    return {
        "address_id": address_id,
        "address": address,
        "normalised": normalise(address)[:500],
        "lat": lat,
        "long": long,
        "zipcode": zipcode,
    }, []


async def _upsert(session: AsyncSession, chunk: dict[str, dict[str, Any]]) -> None:
    existing = {
        p.address_id: p
        for p in (await session.execute(select(Place).where(Place.address_id.in_(list(chunk))))).scalars()
    }
    for address_id, values in chunk.items():
        place = existing.get(address_id)
        if place is None:
            session.add(Place(**values))
        else:
            for key, value in values.items():
                setattr(place, key, value)
    await session.flush()


async def import_rows(session: AsyncSession, rows: Iterable[Mapping[str, str]]) -> int:
    """Add or update register addresses by `address_id` (address, lat, long, optional zipcode); returns how many
    rows were imported. Every row is checked; bad rows raise a 422 naming them. Does not commit."""
    errors: list[FieldError] = []
    chunk: dict[str, dict[str, Any]] = {}
    count = 0
    for number, row in enumerate(rows, start=1):
        values, problems = _checked(number, row)
        if problems:
            errors += problems
            continue
        assert values is not None
        count += 1
        if errors:
            continue  # nothing more is written once a row is bad; the caller rolls back
        chunk[values["address_id"]] = values  # the same id twice in a file: the later row wins
        if len(chunk) >= IMPORT_CHUNK:
            await _upsert(session, chunk)
            chunk = {}
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        listed = "; ".join(f"{e.field}: {e.message}" for e in shown)
        raise invalid(f"Some rows of the address register are not valid: {listed}{more}.", *shown)
    if chunk:
        await _upsert(session, chunk)
    return count
