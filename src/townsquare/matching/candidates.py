"""Candidate pairs for a whole file: records sharing every value of at least one blocking rule, found by joins
in an in-memory DuckDB (the single-record path asks the citizen index the same rules instead).

Each pair comes once, whatever number of rules it meets; within one table a record is never paired with itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from townsquare.matching.comparisons import BLOCKING_RULES

Ints = npt.NDArray[np.int64]


def _table(records: Mapping[str, Sequence[str | None]], columns: set[str]) -> pa.Table:
    n = len(next(iter(records.values())))
    data = {c: pa.array(list(records[c]), type=pa.string()) for c in sorted(columns)}
    return pa.table({"i": pa.array(range(n), type=pa.int64()), **data})


def candidate_pairs(
    left: Mapping[str, Sequence[str | None]],
    right: Mapping[str, Sequence[str | None]] | None = None,
    rules: Sequence[tuple[str, ...]] = BLOCKING_RULES,
) -> tuple[Ints, Ints]:
    """(left index, right index) of every candidate pair; without `right`, pairs within `left` (i < j)."""
    usable = [rule for rule in rules if all(c in left and (right is None or c in right) for c in rule)]
    if not usable:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    columns = {c for rule in usable for c in rule}
    con = duckdb.connect()
    try:
        con.register("l", _table(left, columns))
        con.register("r", _table(right if right is not None else left, columns))
        joins = []
        for rule in usable:
            on = " AND ".join(f'l."{c}" = r."{c}"' for c in rule)
            same_table = " AND l.i < r.i" if right is None else ""
            joins.append(f"SELECT l.i AS a, r.i AS b FROM l JOIN r ON {on}{same_table}")  # noqa: S608 - our column names
        union = " UNION ALL ".join(joins)
        found = con.execute(f"SELECT DISTINCT a, b FROM ({union}) ORDER BY a, b").fetchnumpy()  # noqa: S608
    finally:
        con.close()
    return np.asarray(found["a"], dtype=np.int64), np.asarray(found["b"], dtype=np.int64)
