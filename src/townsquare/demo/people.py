"""Synthetic people and the imperfect records agencies keep about them, for the demo, tests and benchmarks.

A population of residents (English and French names drawn with realistic repetition, dates of birth,
addresses, phones, emails), and for each record an agency might send: the same person written the way real
registers differ — typing slips, a nickname, a dropped accent, names in the wrong order, day and month
swapped, a missing field, a move to a new address. Deterministic for a seed; generates a million people in
seconds (Faker fills the name pools once, sampling does the rest). Never touches the database.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from townsquare.matching.nicknames import FORMAL

AREA_CODES = ("514", "438", "613", "819", "343", "263")
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")


@dataclass(frozen=True)
class Person:
    """One resident as they really are."""

    key: str
    given_name: str
    family_name: str
    birth_date: date
    street_number: str
    street: str
    locality: str
    postcode: str
    region: str
    phone: str
    email: str

    def record(self) -> dict[str, str | None]:
        """The person written down correctly and completely."""
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "street_number": self.street_number,
            "street": self.street,
            "locality": self.locality,
            "postcode": self.postcode,
            "region": self.region,
            "phone": self.phone,
            "email": self.email,
        }


LOCALES = ("en_CA", "fr_CA", "en_US", "en_GB", "fr_FR", "en_IE")


def _pool(fakers: list[Faker], method: str) -> list[str]:
    """Every distinct name the locales' lists hold, in the order first drawn (commonest first, roughly)."""
    seen: dict[str, None] = {}
    for faker in fakers:
        for _ in range(6000):
            seen[getattr(faker, method)()] = None
    return list(seen)


class Population:
    """Draws residents; names repeat as in a real city (a few very common, a long tail of rare ones)."""

    def __init__(self, seed: int = 21) -> None:
        self.rng = random.Random(seed)
        fakers = [Faker(locale) for locale in LOCALES]
        for i, faker in enumerate(fakers):
            faker.seed_instance(seed + i)
        self.given = list(dict.fromkeys(_pool(fakers, "first_name") + [n.title() for n in FORMAL]))
        self.family = _pool(fakers, "last_name")
        self.streets = _pool(fakers, "street_name")  # some thousands, as in a city of a million
        self.localities = _pool(fakers[:2], "city")[:300]
        # Zipf-like weights: the n-th commonest name is drawn about 1/n as often as the first.
        self.given_weights = list(itertools.accumulate(1 / (i + 1) ** 0.9 for i in range(len(self.given))))
        self.family_weights = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.family))))

    def person(self, key: str, rng: random.Random | None = None) -> Person:
        """A resident drawn from the city (from `rng`, or the population's own sequence)."""
        rng = rng or self.rng
        given = rng.choices(self.given, cum_weights=self.given_weights)[0]
        family = rng.choices(self.family, cum_weights=self.family_weights)[0]
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 75))
        home = self.address(rng)
        user = f"{given}.{family}{rng.randrange(10**6)}".lower().replace(" ", "").replace("'", "")
        return Person(
            key=key,
            given_name=given,
            family_name=family,
            birth_date=born,
            street_number=home["street_number"] or "",
            street=home["street"] or "",
            locality=home["locality"] or "",
            postcode=home["postcode"] or "",
            region="QC" if rng.random() < 0.6 else "ON",
            phone=home["phone"] or "",
            email=f"{user}@{rng.choice(EMAIL_DOMAINS)}",
        )

    def people(self, n: int, *, prefix: str = "p") -> Iterator[Person]:
        for i in range(n):
            yield self.person(f"{prefix}{i}")

    def address(self, rng: random.Random | None = None) -> dict[str, str | None]:
        """An address and phone: where a person lives, or moved to (and one register was told)."""
        rng, letters = rng or self.rng, string.ascii_uppercase
        return {
            "street_number": str(rng.randrange(1, 2500)),
            "street": rng.choice(self.streets),
            "locality": rng.choice(self.localities),
            "postcode": f"{rng.choice('HJKGL')}{rng.randrange(10)}{rng.choice(letters)} "
            f"{rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}",
            "phone": f"+1{rng.choice(AREA_CODES)}{rng.randrange(2_000_000, 10_000_000)}",
        }


def _slip(rng: random.Random, text: str) -> str:
    """One typing slip: a letter dropped, doubled, swapped with its neighbour or mistyped."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


NICKNAMES = {formal: [n for n, f in FORMAL.items() if f == formal and n != formal] for formal in set(FORMAL.values())}


def written(
    population: Population, person: Person, *, errors: int, rng: random.Random | None = None
) -> dict[str, str | None]:
    """The person as one register wrote them, with `errors` of the usual differences (0 = exactly right); a move
    draws the new address from `population`, the choices from `rng` (the population's own by default)."""
    rng = rng or population.rng
    record = person.record()
    for _ in range(errors):
        change = rng.randrange(11)
        if change == 0:
            field = rng.choice(("given_name", "family_name", "street"))
            record[field] = _slip(rng, record[field] or "")
        elif change == 1 and NICKNAMES.get(person.given_name.lower()):
            record["given_name"] = rng.choice(NICKNAMES[person.given_name.lower()]).title()
        elif change == 2:
            record["given_name"], record["family_name"] = record["family_name"], record["given_name"]
        elif change == 3 and person.birth_date.day <= 12:
            record["birth_date"] = person.birth_date.strftime("%Y-%d-%m")
        elif change == 4:
            record[rng.choice(("phone", "email", "street_number", "birth_date", "postcode"))] = None
        elif change == 5:
            digits = person.birth_date.strftime("%Y%m%d")
            i = rng.randrange(2, 8)
            record["birth_date"] = digits[:i] + str((int(digits[i]) + rng.randrange(1, 10)) % 10) + digits[i + 1 :]
        elif change == 6:
            record["family_name"] = (record["family_name"] or "").upper()
        elif change == 7:
            record["email"], record["phone"] = None, None
        elif change == 8:
            field = rng.choice(("postcode", "street_number", "phone"))
            record[field] = _slip(rng, record[field] or "")
        elif change == 9:
            record["email"] = f"{person.given_name.lower()}{rng.randrange(1000)}@example.net"
        else:
            record.update(population.address(rng))
    return record
