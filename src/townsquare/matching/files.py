"""Reading a file of person records: which of its columns say what, and whether it can be linked at all.

Columns are recognised by their usual names in English and French (a `surname` or `nom` is a family name);
columns not recognised are kept with the record but never compared; excluded columns are neither kept nor
compared. A file with no id column, a repeated id or nothing to compare is refused with every problem named.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from townsquare.matching.fields import FIELDS

SYNONYMS: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "first_name", "firstname", "given", "forename", "prenom"),
    "family_name": ("family_name", "surname", "last_name", "lastname", "family", "nom", "nom_de_famille"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "date_naissance", "date_de_naissance"),
    "street_number": ("street_number", "civic_number", "house_number", "numero", "numero_civique", "no_civique"),
    "street": ("street", "address_1", "address", "address_line_1", "street_name", "rue", "adresse"),
    "locality": ("locality", "suburb", "city", "town", "municipality", "ville", "municipalite", "localite"),
    "postcode": ("postcode", "postal_code", "zip", "zipcode", "zip_code", "code_postal"),
    "region": ("region", "state", "province", "territory"),
    "phone": ("phone", "telephone", "phone_number", "tel", "mobile", "cell", "cellulaire"),
    "email": ("email", "e_mail", "email_address", "courriel", "mail"),
}
_BY_NAME = {name: f for f, names in SYNONYMS.items() for name in names}
MAX_ROWS = 2_000_000


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def field_for(name: str) -> str | None:
    """The matcher's field a column or attribute of this name says (`surname`, `Date de naissance` …), if any."""
    return _BY_NAME.get(_key(name))


@dataclass
class PersonFile:
    """A checked file: for each row its id and its fields (ours renamed, the rest as they were)."""

    mapping: dict[str, str]  # column → the field it is read as
    kept: list[str]  # columns kept with each record but not compared
    rows: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class FileRefused(ValueError):
    """The file cannot be linked; `problems` says every reason, with line numbers."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _mapping(header: list[str], id_column: str, exclude: Sequence[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """(column → field, columns kept but not compared, problems) for a header."""
    problems = []
    if id_column not in header:
        problems.append(f"no column {id_column!r} for the record ids (the columns are: {', '.join(header)})")
    problems += [f"no column {c!r} to exclude" for c in exclude if c not in header]
    mapping: dict[str, str] = {}
    kept: list[str] = []
    for column in header:
        if column == id_column or column in exclude:
            continue
        field_name = _BY_NAME.get(_key(column))
        if field_name is not None and field_name not in mapping.values():
            mapping[column] = field_name
        else:
            kept.append(column)
    if not mapping:
        problems.append(f"no column says anything the matcher compares (it reads: {', '.join(FIELDS)})")
    return mapping, kept, problems


def read(text: str, *, id_column: str, exclude: Sequence[str] = ()) -> PersonFile:
    """Check and read a CSV file of person records (header first)."""
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    if not header:
        raise FileRefused(["the file is empty: it needs a header line and one line per record"])
    mapping, kept, problems = _mapping(header, id_column, exclude)
    if problems:
        raise FileRefused(problems)
    out = PersonFile(mapping, kept)
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if len(out.rows) >= MAX_ROWS:
            raise FileRefused([f"more than {MAX_ROWS:,} records; split the file"])
        record_id = (row.get(id_column) or "").strip()
        if not record_id:
            problems.append(f"line {line}: no record id")
        elif record_id in seen:
            problems.append(f"line {line}: record id {record_id!r} is also on line {seen[record_id]}")
        seen.setdefault(record_id, line)
        if None in row:
            problems.append(f"line {line}: more values than columns")
        values = {mapping.get(c, c): (row.get(c) or "").strip() for c in header if c in mapping or c in kept}
        out.rows.append((record_id, {k: v for k, v in values.items() if v}))
        if len(problems) >= 20:
            problems.append("… (stopped at 20 problems)")
            break
    if problems:
        raise FileRefused(problems)
    if not out.rows:
        raise FileRefused(["the file has a header but no records"])
    return out
