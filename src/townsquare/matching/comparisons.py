"""What is compared between two person records, and which pairs are worth comparing at all.

The fields are those of `matching.fields`; each comparison is an ordered list of levels (the first that holds
wins, as in Splink). Blocking rules say which pairs are candidates: records that share at least one rule's
values exactly. They keep the work near-linear: no rule may be so loose that a common value (a frequent given
name alone) makes thousands of candidates at a million people.
"""

from __future__ import annotations

from dataclasses import dataclass

from townsquare.matching.levels import (
    Crossed,
    DayMonthSwapped,
    DaysApartAtMost,
    EditsAtMost,
    Else,
    Exact,
    JaroWinklerAtLeast,
    Level,
    Null,
)


@dataclass(frozen=True)
class Comparison:
    """One field's evidence: its name, the columns its levels read, and the levels from most to least alike."""

    name: str
    label: str
    columns: tuple[str, ...]
    levels: tuple[Level, ...]


def _name(column: str, other: str, label: str, *, swapped: bool) -> Comparison:
    """A name's levels; `swapped` adds "given and family names swapped" (on one of the two names only, so that a
    swap counts once)."""
    levels: list[Level] = [
        Null(column),
        Exact(column, frequencies=True),
        Exact(f"{column}_canonical", label="the same name (nickname or spelling variant)"),
    ]
    if swapped:
        levels.append(Crossed(column, other, label="given and family names swapped"))
    levels += [
        JaroWinklerAtLeast(column, 0.92, label="spelled almost the same"),
        JaroWinklerAtLeast(column, 0.80, label="spelled alike"),
        Else(),
    ]
    return Comparison(column, label, (column, other, f"{column}_canonical"), tuple(levels))


def _exact_only(column: str, label: str) -> Comparison:
    return Comparison(column, label, (column,), (Null(column), Exact(column), Else()))


COMPARISONS: tuple[Comparison, ...] = (
    _name("given_name", "family_name", "Given name", swapped=True),
    _name("family_name", "given_name", "Family name", swapped=False),
    Comparison(
        "birth_date",
        "Date of birth",
        ("birth_date",),
        (
            Null("birth_date"),
            Exact("birth_date"),
            EditsAtMost("birth_date", 1, label="one digit different"),
            DayMonthSwapped("birth_date"),
            DaysApartAtMost("birth_date", 366, label="within a year"),
            Else(),
        ),
    ),
    Comparison(
        "street_number",
        "Street number",
        ("street_number",),
        (
            Null("street_number"),
            Exact("street_number"),
            EditsAtMost("street_number", 1, label="one character different"),
            Else(),
        ),
    ),
    Comparison(
        "street",
        "Street",
        ("street",),
        (
            Null("street"),
            Exact("street", frequencies=True),
            JaroWinklerAtLeast("street", 0.9, label="spelled almost the same"),
            JaroWinklerAtLeast("street", 0.7, label="spelled alike"),
            Else(),
        ),
    ),
    Comparison(
        "locality",
        "Town",
        ("locality",),
        (
            Null("locality"),
            Exact("locality", frequencies=True),
            JaroWinklerAtLeast("locality", 0.9, label="spelled almost the same"),
            Else(),
        ),
    ),
    Comparison(
        "postcode",
        "Postal code",
        ("postcode",),
        (
            Null("postcode"),
            Exact("postcode"),
            EditsAtMost("postcode", 1, label="one character different"),
            Else(),
        ),
    ),
    _exact_only("region", "Province or state"),
    _exact_only("phone", "Phone"),
    _exact_only("email", "Email"),
)

# Pairs that share all of a rule's values are compared; a pair is found once however many rules it meets.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("birth_date",),
    ("given_name", "family_name"),
    ("names",),
    ("family_name", "given_name_canonical"),
    ("family_name", "postcode"),
    ("given_name", "postcode"),
    ("street_number", "postcode"),
    ("street_number", "street"),
    ("given_name", "street"),
    ("family_name", "street"),
    ("street", "postcode"),
    ("family_name", "street_number"),
    ("given_name", "street_number"),
    ("phone",),
    ("email",),
)

# The rules the model's m values are learnt on (EM), each leaving the other fields free to disagree.
TRAINING_RULES: tuple[tuple[str, ...], ...] = (("birth_date",), ("postcode",), ("given_name", "family_name"))
