"""Comparison levels: how alike two values of a person's record are, as one small integer per pair.

Each level is defined once and read two ways: as the SQL Splink runs in DuckDB to train the model, and as
vectorised Python (RapidFuzz, numpy) that scores pairs in real time and in batch. The two must agree on every
pair (a test checks it on the FEBRL data); a level never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from splink import comparison_level_library as cll

Column = npt.NDArray[np.object_]  # str or None per pair
Mask = npt.NDArray[np.bool_]


class Level(Protocol):
    """One rung of a comparison: a label for people, its Splink form, and which pairs it holds for."""

    @property
    def label(self) -> str: ...

    def to_splink(self) -> object: ...

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask: ...


def _present(values: Column) -> Mask:
    return np.fromiter((v is not None and v != "" for v in values), dtype=np.bool_, count=len(values))


def _text(values: Column) -> list[str]:
    return [v or "" for v in values]


@dataclass(frozen=True)
class Null:
    """Either side is missing: no evidence either way (the weight is zero)."""

    column: str
    label: str = "missing on one side"

    def to_splink(self) -> object:
        return cll.NullLevel(self.column)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        return ~(_present(left[self.column]) & _present(right[self.column]))


@dataclass(frozen=True)
class Exact:
    """The same value; `frequencies` weighs a match on a rare value above one on a common value."""

    column: str
    label: str = "the same"
    frequencies: bool = False

    def to_splink(self) -> object:
        return cll.ExactMatchLevel(self.column, term_frequency_adjustments=self.frequencies)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        a, b = left[self.column], right[self.column]
        return np.fromiter((x is not None and x == y for x, y in zip(a, b, strict=True)), np.bool_, len(a))


@dataclass(frozen=True)
class Crossed:
    """The value of one column on one side equals another column on the other side, both ways (a name given
    in the wrong order, or a nickname read as its full form)."""

    column: str
    other: str
    label: str

    def to_splink(self) -> object:
        a, b = self.column, self.other
        sql = f'("{a}_l" = "{b}_r" AND "{b}_l" = "{a}_r")'
        return cll.CustomLevel(sql, label_for_charts=self.label)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        rows = zip(left[self.column], right[self.other], left[self.other], right[self.column], strict=True)
        return np.fromiter(
            (a is not None and b is not None and a == d and c == b for a, d, c, b in rows),
            np.bool_,
            len(left[self.column]),
        )


@dataclass(frozen=True)
class JaroWinklerAtLeast:
    """Spelled alike: Jaro-Winkler similarity at or above the threshold."""

    column: str
    threshold: float
    label: str

    def to_splink(self) -> object:
        return cll.JaroWinklerLevel(self.column, self.threshold)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        a, b = left[self.column], right[self.column]
        scores = process.cpdist(_text(a), _text(b), scorer=JaroWinkler.similarity, dtype=np.float64)
        return _present(a) & _present(b) & (np.asarray(scores) >= self.threshold)


@dataclass(frozen=True)
class EditsAtMost:
    """A typing slip: Damerau-Levenshtein distance (transpositions count once) at or below the threshold."""

    column: str
    threshold: int
    label: str

    def to_splink(self) -> object:
        return cll.DamerauLevenshteinLevel(self.column, self.threshold)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        a, b = left[self.column], right[self.column]
        distances = process.cpdist(_text(a), _text(b), scorer=DamerauLevenshtein.distance, dtype=np.int32)
        return _present(a) & _present(b) & (np.asarray(distances) <= self.threshold)


@dataclass(frozen=True)
class DaysApartAtMost:
    """Two dates (written YYYYMMDD) at most `days` apart; an impossible date is never near another."""

    column: str
    days: int
    label: str

    def to_splink(self) -> object:
        a, b = f'"{self.column}_l"', f'"{self.column}_r"'
        parsed = "try_strptime({}, '%Y%m%d')"
        sql = f"abs(date_diff('day', {parsed.format(a)}, {parsed.format(b)})) <= {self.days}"
        return cll.CustomLevel(sql, label_for_charts=self.label)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        a, b = left[self.column], right[self.column]
        out = np.zeros(len(a), dtype=np.bool_)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            dx, dy = _date(x), _date(y)
            out[i] = dx is not None and dy is not None and abs((dx - dy).days) <= self.days
        return out


@dataclass(frozen=True)
class DayMonthSwapped:
    """The same date with day and month read the other way round (12/03 against 03/12)."""

    column: str
    label: str = "day and month swapped"

    def to_splink(self) -> object:
        a, b = f'"{self.column}_l"', f'"{self.column}_r"'
        sql = (
            f"(substr({a}, 1, 4) = substr({b}, 1, 4) AND substr({a}, 5, 2) = substr({b}, 7, 2)"
            f" AND substr({a}, 7, 2) = substr({b}, 5, 2))"
        )
        return cll.CustomLevel(sql, label_for_charts=self.label)

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        rows = zip(left[self.column], right[self.column], strict=True)
        return np.fromiter(
            (
                x is not None and y is not None and x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]
                for x, y in rows
            ),
            np.bool_,
            len(left[self.column]),
        )


@dataclass(frozen=True)
class Else:
    """Everything else: the values disagree."""

    label: str = "different"

    def to_splink(self) -> object:
        return cll.ElseLevel()

    def holds(self, left: dict[str, Column], right: dict[str, Column]) -> Mask:
        first = next(iter(left.values()))
        return np.ones(len(first), dtype=np.bool_)


@lru_cache(maxsize=65536)
def _date(value: str | None) -> date | None:
    if value is None or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None
