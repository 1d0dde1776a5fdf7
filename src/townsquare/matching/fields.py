"""A person record as the matcher reads it: each field folded to one spelling so that only real differences
are left for the comparisons (case, accents, punctuation, abbreviations and date formats are not evidence).

Reads plain values and never refuses a record: an unreadable value becomes missing, which counts for nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

import phonenumbers

from townsquare.matching.nicknames import formal

FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "street_number",
    "street",
    "locality",
    "postcode",
    "region",
    "phone",
    "email",
)
DERIVED = ("given_name_canonical", "family_name_canonical", "names")
COLUMNS = FIELDS + DERIVED

# Street types in English and French, read as one word whatever the abbreviation.
_STREET_WORDS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "boul": "boulevard",
    "bd": "boulevard",
    "cres": "crescent",
    "cr": "crescent",
    "dr": "drive",
    "pl": "place",
    "ct": "court",
    "ln": "lane",
    "hwy": "highway",
    "pde": "parade",
    "tce": "terrace",
    "ch": "chemin",
    "rte": "route",
    "mtee": "montee",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "no": "north",
    "so": "south",
    "o": "ouest",
}
_SAINTS = {"st": "saint", "ste": "sainte"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y")


def fold(value: object) -> str | None:
    """Lower case, no accents, words separated by single spaces; None for nothing."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower()
    words = _NOT_WORD.sub(" ", text.replace("'", "").replace("\u2019", "")).split()
    return " ".join(words) or None


def _birth_date(value: object) -> str | None:
    """YYYYMMDD; a date that does not exist but has eight digits is kept as typed (a slip is still evidence)."""
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    text = (str(value).strip() if value is not None else "") or None
    if text is None:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).strftime("%Y%m%d")  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 8 else None


def _street(value: object) -> str | None:
    folded = fold(value)
    if folded is None:
        return None
    return "".join(_STREET_WORDS.get(word, word) for word in folded.split())  # "mackie cres" = "mackiecrescent"


def _compact(value: object) -> str | None:
    folded = fold(value)
    return folded.replace(" ", "").upper() if folded is not None else None


def _phone(value: object, region: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        number = phonenumbers.parse(str(value), region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number.national_number else None


def _email(value: object) -> str | None:
    text = str(value).strip().lower() if value is not None else ""
    return text if "@" in text else None


def _family_canonical(name: str | None) -> str | None:
    """A family name without word breaks: `De Teliga` and `Deteliga`, `St-Pierre` and `Saint Pierre` read alike."""
    if name is None:
        return None
    return "".join(_SAINTS.get(word, word) for word in name.split())


def person(raw: Mapping[str, object], *, region: str = "CA") -> dict[str, str | None]:
    """The matcher's columns for one record given as field → value (unknown keys are ignored)."""
    given, family = fold(raw.get("given_name")), fold(raw.get("family_name"))
    return {
        "given_name": given,
        "family_name": family,
        "birth_date": _birth_date(raw.get("birth_date")),
        "street_number": _compact(raw.get("street_number")),
        "street": _street(raw.get("street")),
        "locality": fold(raw.get("locality")),
        "postcode": _compact(raw.get("postcode")),
        "region": fold(raw.get("region")),
        "phone": _phone(raw.get("phone"), region),
        "email": _email(raw.get("email")),
        "given_name_canonical": " ".join(formal(w) for w in given.split()) if given else None,
        "family_name_canonical": _family_canonical(family),
        "names": " ".join(sorted((given or "", family or ""))) if given and family else None,  # in either order
    }
