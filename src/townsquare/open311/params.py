"""Reading Open311 arguments: query string and form body, empty values treated as absent, problems collected.

Never answers with the framework's own validation errors: every problem becomes an entry of the spec's error
list, so a client sees all of them at once. Never parses XML, and never lets through text that cannot be stored
(NUL, control characters, lone surrogates, bytes that are not UTF-8): such an argument is a 400 naming it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl

from townsquare.hygiene import label, unreadable
from townsquare.open311.formats import Error

_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")  # bytes kept by surrogateescape
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# A W3C datetime with its zone: 2010-01-01T00:00:00Z, 2010-01-01T00:00:00-05:00 (seconds and fractions optional).
_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
FORM_MEDIA = "application/x-www-form-urlencoded"


def form_pairs(body: bytes) -> list[tuple[str, str]]:
    """The fields of a form-encoded body, decoded as UTF-8 (ValueError when it is not); a percent-escape that is
    not UTF-8 is kept as a surrogate, which `Params` refuses naming its field."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=2000, errors="surrogateescape")


def _unreadable(text: str) -> str | None:
    return "is not UTF-8 text" if _NOT_UTF8.search(text) else unreadable(text)


class Params:
    """The arguments of one call; an empty value is the same as no value (the spec's "optional").

    An argument (or a path segment in `path`) holding text that cannot be stored is dropped with a problem.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]], path: Mapping[str, str] | None = None) -> None:
        self.problems: list[Error] = []
        self.pairs: list[tuple[str, str]] = []
        for name, segment in (path or {}).items():
            why = _unreadable(segment)
            if why is not None:
                self.add(400, f"{label(name)} {why}")
        for key, value in pairs:
            why = _unreadable(key) or _unreadable(value)
            if why is not None:
                self.add(400, f"{label(key)} {why}")
            elif value.strip() != "":
                self.pairs.append((key, value.strip()))

    def get(self, name: str) -> str | None:
        """The last value given for a name (None when absent or empty)."""
        found = [v for k, v in self.pairs if k == name]
        return found[-1] if found else None

    def values(self, name: str) -> list[str]:
        """A list argument: repeated and/or comma-delimited, blanks dropped, order kept, no repeats."""
        out: list[str] = []
        for key, value in self.pairs:
            if key == name:
                for part in value.split(","):
                    part = part.strip()
                    if part and part not in out:
                        out.append(part)
        return out

    def attributes(self) -> dict[str, str | list[str]]:
        """`attribute[code]=v` as a value and `attribute[code][]=v` (repeatable) as a list."""
        found: dict[str, str | list[str]] = {}
        for key, value in self.pairs:
            match = _ATTRIBUTE.match(key)
            if match is None:
                continue
            code, many = match.group(1), match.group(2)
            if many:
                current = found.get(code)
                items = current if isinstance(current, list) else ([current] if current else [])
                items.append(value)
                found[code] = items
            else:
                found[code] = value
        return found

    def add(self, code: int, description: str) -> None:
        self.problems.append(Error(code, description))

    def datetime(self, name: str) -> datetime | None:
        """A W3C datetime with its timezone; a malformed one is a problem."""
        raw = self.get(name)
        if raw is None:
            return None
        when = parse_w3c(raw)
        if when is None:
            self.add(400, f"{name} must be a W3C datetime with a timezone, e.g. 2010-01-01T00:00:00Z")
        return when

    def number(self, name: str, *, low: float, high: float) -> float | None:
        """A finite number within [low, high]; anything else is a problem."""
        raw = self.get(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            self.add(400, f"{name} must be a number from {low:g} to {high:g}")
            return None
        return value

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        """A whole number within [low, high]; anything else is a problem."""
        raw = self.get(name)
        if raw is None:
            return None
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            self.add(400, f"{name} must be a whole number from {low} to {high}")
            return None
        return int(raw)


def parse_w3c(raw: str) -> datetime | None:
    """An aware datetime from a W3C datetime string, or None when it is not one."""
    if not _W3C.match(raw):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
