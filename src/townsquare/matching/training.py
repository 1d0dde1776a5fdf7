"""Training the matching model on a jurisdiction's own records, with Splink in an in-memory DuckDB.

Unsupervised, as a records office has no answer key: the share of pairs that match is estimated from
exact-agreement rules with an assumed recall, u by random sampling, m by expectation maximisation on blocks
that leave each field free to disagree, and value frequencies from the records themselves. Never writes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from townsquare.matching.comparisons import COMPARISONS, TRAINING_RULES, Comparison
from townsquare.matching.levels import Exact
from townsquare.matching.model import MatchModel, Thresholds

log = logging.getLogger(__name__)

# Exact agreement on these is taken to find this share of the true matches (the prior's one assumption).
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (("given_name", "family_name", "birth_date"), ("email",), ("phone",))
ASSUMED_RECALL = 0.7
U_SAMPLE_PAIRS = 2_000_000
SEED = 20261205
# No single level may all but rule a pair out: people move, change emails and phones, and a register copies a
# slip, even where the training records never showed it (m of at least one pair in a thousand).
M_FLOOR = 0.001


def _used(comparison: Comparison, tables: Sequence[Mapping[str, Sequence[str | None]]]) -> bool:
    return any(any(v is not None for v in table[comparison.columns[0]]) for table in tables)


def _arrow(records: Mapping[str, Sequence[str | None]], ids: Sequence[str], source: str) -> pa.Table:
    columns = {c: pa.array(list(records[c]), type=pa.string()) for c in records}
    return pa.table(
        {
            "unique_id": pa.array(list(ids), type=pa.string()),
            "source_dataset": pa.array([source] * len(ids), type=pa.string()),
            **columns,
        }
    )


def frequencies(
    tables: Sequence[Mapping[str, Sequence[str | None]]], comparisons: Sequence[Comparison]
) -> dict[str, dict[str, float]]:
    """Each frequency-weighted column's values with their share of the non-missing values (Splink's tf)."""
    out: dict[str, dict[str, float]] = {}
    for comparison in comparisons:
        for level in comparison.levels:
            if isinstance(level, Exact) and level.frequencies:
                counts = Counter(v for table in tables for v in table[level.column] if v is not None)
                total = sum(counts.values())
                out[level.column] = {value: n / total for value, n in counts.items()} if total else {}
    return out


def train(
    tables: Sequence[tuple[Mapping[str, Sequence[str | None]], Sequence[str]]],
    *,
    thresholds: Thresholds | None = None,
) -> MatchModel:
    """A model trained on one table (to find duplicates within it) or two (to link them), each (columns, ids)."""
    link_type: Literal["dedupe_only", "link_only"] = "dedupe_only" if len(tables) == 1 else "link_only"
    columns_only = [columns for columns, _ in tables]
    comparisons = [c for c in COMPARISONS if _used(c, columns_only)]
    present = {c for table in columns_only for c in table if any(v is not None for v in table[c])}
    settings = _settings(link_type, comparisons)
    db = DuckDBAPI()
    frames = [db.register(_arrow(cols, ids, f"s{i}")) for i, (cols, ids) in enumerate(tables)]
    linker = Linker(frames if len(frames) > 1 else frames[0], settings)
    rules: list[Any] = [block_on(*rule) for rule in DETERMINISTIC_RULES if set(rule) <= present]
    linker.training.estimate_probability_two_random_records_match(rules, recall=ASSUMED_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    for rule in TRAINING_RULES:
        if set(rule) <= present:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    trained = linker.misc.save_model_to_json()
    records = sum(len(ids) for _, ids in tables)
    return MatchModel(
        prior=float(trained["probability_two_random_records_match"]),
        levels=_levels(trained, comparisons),
        frequencies=frequencies(columns_only, comparisons),
        thresholds=thresholds or Thresholds(),
        trained={"records": records, "at": datetime.now(UTC).isoformat(timespec="seconds"), "link_type": link_type},
    )


def _settings(
    link_type: Literal["dedupe_only", "link_only"], comparisons: Sequence[Comparison], model: MatchModel | None = None
) -> SettingsCreator:
    """Splink's settings for our comparisons, carrying a trained model's parameters when given one."""
    built = []
    for comparison in comparisons:
        levels = []
        for index, level in enumerate(comparison.levels):
            creator: Any = level.to_splink()
            params = model.levels[comparison.name][index] if model is not None else None
            if params is not None:
                creator = creator.configure(m_probability=params[0], u_probability=params[1])
            levels.append(creator)
        built.append(
            cl.CustomComparison(levels, output_column_name=comparison.name, comparison_description=comparison.label)
        )
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=built,  # type: ignore[arg-type]
        probability_two_random_records_match=model.prior if model is not None else 0.0001,
        retain_matching_columns=False,
    )


def splink_linker(
    model: MatchModel,
    tables: Sequence[tuple[Mapping[str, Sequence[str | None]], Sequence[str]]],
    rules: Sequence[tuple[str, ...]],
) -> Linker:
    """A Splink linker holding a trained model over these tables (for its charts, or to check our scores)."""
    link_type: Literal["dedupe_only", "link_only"] = "dedupe_only" if len(tables) == 1 else "link_only"
    settings = _settings(link_type, model.comparisons, model)
    settings.blocking_rules_to_generate_predictions = [block_on(*rule) for rule in rules]
    db = DuckDBAPI()
    frames = [db.register(_arrow(cols, ids, f"s{i}")) for i, (cols, ids) in enumerate(tables)]
    return Linker(frames if len(frames) > 1 else frames[0], settings)


def _levels(
    trained: Mapping[str, Any], comparisons: Sequence[Comparison]
) -> dict[str, list[tuple[float, float] | None]]:
    """(m, u) of each level from Splink's saved model, in our levels' order (None: no evidence)."""
    by_name = {c["output_column_name"]: c for c in trained["comparisons"]}
    out: dict[str, list[tuple[float, float] | None]] = {}
    for comparison in comparisons:
        saved = by_name[comparison.name]["comparison_levels"]
        params: list[tuple[float, float] | None] = []
        for level in saved:
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level"):
                params.append(None)
            elif m is None or u is None or m <= 0 or u <= 0:
                # Never seen among the training pairs: kept, but as no evidence either way (m = u).
                log.info("level %r of %s was never seen in training", level.get("label_for_charts"), comparison.name)
                same = float(u) if u else 0.5
                params.append((same, same))
            else:
                params.append((max(float(m), M_FLOOR), float(u)))
        out[comparison.name] = params
    return out
