"""A trained matching model and how it scores pairs of person records, with the evidence field by field.

The model is plain data (kept as JSON): the prior, each level's m and u probabilities learnt by Splink, the
frequency of each value of the frequency-weighted fields, and the jurisdiction's two thresholds. Scoring is
the Fellegi-Sunter sum Splink computes (same levels, same term-frequency adjustment), vectorised so one
record against fifty candidates and a million pairs in a file take the same code. Never reads the database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from townsquare.matching.comparisons import COMPARISONS, Comparison
from townsquare.matching.levels import Column, Exact

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Records = Mapping[str, Sequence[str | None]]

BY_NAME = {c.name: c for c in COMPARISONS}


@dataclass(frozen=True)
class Thresholds:
    """Above `link` two records are linked without a person; from `review` up to `link` staff decide."""

    link: float = 0.95
    review: float = 0.5


@dataclass
class MatchModel:
    """Everything needed to score a pair; `levels[name][i]` is (m, u) of level i (m = u for a level never seen
    in training), None for the level that says a value is missing."""

    prior: float
    levels: dict[str, list[tuple[float, float] | None]]
    frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    trained: dict[str, Any] = field(default_factory=dict)

    @property
    def comparisons(self) -> list[Comparison]:
        return [BY_NAME[name] for name in self.levels]

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "levels": {k: [list(p) if p else None for p in v] for k, v in self.levels.items()},
            "frequencies": self.frequencies,
            "thresholds": {"link": self.thresholds.link, "review": self.thresholds.review},
            "trained": self.trained,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MatchModel:
        levels = {k: [(float(p[0]), float(p[1])) if p else None for p in v] for k, v in data["levels"].items()}
        unknown = set(levels) - set(BY_NAME)
        if unknown:
            raise ValueError(f"The model compares fields this version does not know: {', '.join(sorted(unknown))}")
        return cls(
            prior=float(data["prior"]),
            levels=levels,
            frequencies={k: dict(v) for k, v in data.get("frequencies", {}).items()},
            thresholds=Thresholds(**data.get("thresholds", {})),
            trained=dict(data.get("trained", {})),
        )

    def weight_of(self, name: str, level: int) -> float:
        params = self.levels[name][level]
        return math.log2(params[0] / params[1]) if params else 0.0


@dataclass(frozen=True)
class Scores:
    """Scores of n pairs: per comparison the level each pair reached and its weight (term frequency included)."""

    levels: dict[str, Ints]
    weights: dict[str, Floats]
    total: Floats

    @property
    def probability(self) -> Floats:
        return np.asarray(1.0 / (1.0 + np.exp2(-self.total)), dtype=np.float64)

    def evidence(self, model: MatchModel, i: int) -> list[dict[str, Any]]:
        """Why pair i scored as it did: each field's level, in words, and its weight."""
        out = []
        for comparison in model.comparisons:
            level = int(self.levels[comparison.name][i])
            out.append(
                {
                    "field": comparison.name,
                    "label": comparison.label,
                    "level": comparison.levels[level].label,
                    "weight": round(float(self.weights[comparison.name][i]), 3),
                }
            )
        return out


def _columns(records: Records, names: Sequence[str]) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for name in names:
        column = np.empty(len(records[name]), dtype=object)
        column[:] = list(records[name])
        out[name] = column
    return out


def _level_indexes(comparison: Comparison, left: Mapping[str, Column], right: Mapping[str, Column], n: int) -> Ints:
    """The first level that holds for each pair, testing each level only on pairs not yet placed."""
    chosen = np.full(n, -1, dtype=np.int64)
    undecided = np.arange(n)
    for index, level in enumerate(comparison.levels):
        if undecided.size == 0:
            break
        sub_left = {c: left[c][undecided] for c in comparison.columns if c in left}
        sub_right = {c: right[c][undecided] for c in comparison.columns if c in right}
        holds = level.holds(sub_left, sub_right)
        chosen[undecided[holds]] = index
        undecided = undecided[~holds]
    return chosen


def _frequency_adjustment(
    model: MatchModel, comparison: Comparison, left: Mapping[str, Column], right: Mapping[str, Column], at: Ints
) -> Floats:
    """Splink's term-frequency adjustment: a match on a rare value is worth more than on a common one."""
    adjustment = np.zeros(len(at), dtype=np.float64)
    for index, level in enumerate(comparison.levels):
        if not (isinstance(level, Exact) and level.frequencies) or model.levels[comparison.name][index] is None:
            continue
        params = model.levels[comparison.name][index]
        assert params is not None
        table = model.frequencies.get(level.column, {})
        for i in np.flatnonzero(at == index):
            # As Splink: a value whose frequency is unknown (never seen in training) is not adjusted.
            known = [f for f in (table.get(str(left[level.column][i])), table.get(str(right[level.column][i]))) if f]
            if known:
                adjustment[i] = math.log2(params[1]) - math.log2(max(known))
    return adjustment


def score(model: MatchModel, left: Records, right: Records) -> Scores:
    """Score pairs (left[i], right[i]); both map every column the model's comparisons read to equal-length lists."""
    names = sorted({c for comparison in model.comparisons for c in comparison.columns})
    lcols, rcols = _columns(left, names), _columns(right, names)
    n = len(next(iter(lcols.values()))) if lcols else 0
    levels: dict[str, Ints] = {}
    weights: dict[str, Floats] = {}
    total = np.full(n, math.log2(model.prior / (1 - model.prior)), dtype=np.float64)
    for comparison in model.comparisons:
        at = _level_indexes(comparison, lcols, rcols, n)
        table = np.array([model.weight_of(comparison.name, i) for i in range(len(comparison.levels))])
        weight = table[at] + _frequency_adjustment(model, comparison, lcols, rcols, at)
        levels[comparison.name], weights[comparison.name] = at, weight
        total += weight
    return Scores(levels, weights, total)


# The household rule: what names the person — given name, family name, date of birth — must by itself point to
# the same person (their weights add up to more than nothing) before the model may join two records. Field by
# field, relatives (one address, one phone, often one family name) and neighbours (one street, one postal code)
# score like one person on where they live; the rule leaves them to a person. A record that names nobody (none
# of the three to compare) may be joined only on a contact both records share.
PERSON = ("given_name", "family_name", "birth_date")
CONTACTS = ("email", "phone")


def _at(scores: Scores, name: str, label: str) -> npt.NDArray[np.bool_]:
    wanted = [i for i, level in enumerate(BY_NAME[name].levels) if level.label == label]
    return np.asarray(np.isin(scores.levels[name], wanted))


def vetoed(model: MatchModel, scores: Scores) -> npt.NDArray[np.bool_]:
    """Pairs the household rule holds back from linking on the model's word alone (compared fields only)."""
    n = len(scores.total)
    if any(name not in scores.weights for name in PERSON):
        return np.zeros(n, dtype=np.bool_)
    own = np.zeros(n, dtype=np.float64)
    compared = np.zeros(n, dtype=np.bool_)
    for name in PERSON:
        own += scores.weights[name]
        compared |= ~_at(scores, name, "missing on one side")
    contact = np.zeros(n, dtype=np.bool_)
    for name in CONTACTS:
        if name in scores.levels:
            contact |= _at(scores, name, "the same")
    return np.asarray((compared & (own <= 0)) | (~compared & ~contact))
