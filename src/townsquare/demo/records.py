"""The demo city's registers, linked into one record per person: the civil register (one record per resident,
theirs by proof), the transit system's riders written the way a second system writes people (nicknames, slips,
an old address), and a few library cards the model cannot decide on, waiting for the records team on the desk.

Everything goes through `engagement.record_intake`, as a real system's records would. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.demo.addresses import AddressPoint
from townsquare.demo.contacts import Resident
from townsquare.engagement import record_intake
from townsquare.matching import fields, realtime
from townsquare.matching.models import Outcome
from townsquare.settings import Settings

TRANSIT_SHARE = 0.4
LIBRARY_CARDS = 4


def _civil(resident: Resident, born: date, place: AddressPoint) -> dict[str, object]:
    number, _, street = place.address.partition(" ")
    return {
        "given_name": resident.citizen.given_name,
        "family_name": resident.citizen.family_name,
        "birth_date": born.isoformat(),
        "street_number": number,
        "street": street,
        "postcode": place.zipcode,
        "locality": "Toronto",
        "phone": resident.phone,
        "email": resident.email,
    }


def _transit(rng: random.Random, civil: dict[str, object], born: date) -> dict[str, object]:
    """The rider as the transit system has them: a short name, the date written day first, no email."""
    given = str(civil["given_name"] or "")
    short = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Catherine": "Cathy", "Marguerite": "Margot"}
    changed = dict(civil, email=None, birth_date=born.strftime("%d/%m/%Y"))
    changed["given_name"] = short.get(given, given.upper() if rng.random() < 0.5 else given)
    return changed


async def seed_records(
    session: AsyncSession,
    settings: Settings,
    *,
    residents: list[Resident],
    places: list[AddressPoint],
    rng: random.Random,
) -> dict[str, int]:
    """Send the registers' records through the linking; returns how many ended each way."""
    counts: dict[str, int] = {}
    model = await record_intake.model_in_force(session, settings)
    civil_records: list[tuple[Resident, dict[str, object], date]] = []
    for n, resident in enumerate(residents):
        if not (resident.citizen.given_name and resident.citizen.family_name):
            continue
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        civil = _civil(resident, born, places[(n * 37) % len(places)])  # spread over the streets
        await record_intake.take_in(session, settings, source="civil-register", source_key=f"CR-{n:05d}", raw=civil,
                                    citizen_id=resident.citizen.id, model=model)  # fmt: skip
        civil_records.append((resident, civil, born))
    for n, (_, civil, born) in enumerate(civil_records):
        if rng.random() < TRANSIT_SHARE:
            taken = await record_intake.take_in(session, settings, source="transit", source_key=f"TR-{n:05d}",
                                                raw=_transit(rng, civil, born), model=model)  # fmt: skip
            outcome = taken.decision.outcome.value if taken.decision else "repeated"
            counts[outcome] = counts.get(outcome, 0) + 1
    cards = 0
    for n, (_, civil, born) in enumerate(rng.sample(civil_records, len(civil_records))):
        if cards >= LIBRARY_CARDS:
            break
        card = _doubtful(civil, born, places[(n * 7 + 3) % len(places)])
        person = fields.person(card)
        ranked = realtime.rank(model[1], person, await realtime.candidates(session, person, model[1]))
        if ranked and model[1].thresholds.review <= ranked[0].probability < model[1].thresholds.link:
            taken = await record_intake.take_in(session, settings, source="library", source_key=f"LIB-{n:05d}",
                                                raw=card, model=model)  # fmt: skip
            cards += taken.decision is not None and taken.decision.outcome is Outcome.review
    counts["review"] = counts.get("review", 0) + cards
    return counts


def _doubtful(civil: dict[str, object], born: date, elsewhere: AddressPoint) -> dict[str, object]:
    """A library card with the person's name, a date of birth a day off and another address: them after a move
    and a slip, or a namesake? The kind of pair a person should decide."""
    number, _, street = elsewhere.address.partition(" ")
    return {
        "given_name": civil["given_name"],
        "family_name": civil["family_name"],
        "birth_date": (born + timedelta(days=1)).isoformat(),
        "street_number": number,
        "street": street,
        "postcode": elsewhere.zipcode,
    }
