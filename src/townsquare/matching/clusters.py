"""From scored pairs to decisions: which records are one person.

Within one file every link above the threshold joins two clusters (records linked through a third are one
person). Into an existing base each record joins the one best-scoring person above the threshold, never two.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def connected(n: int, left: Ints, right: Ints) -> Ints:
    """A cluster number for each of n records, joining every linked pair (union-find, path halving)."""
    parent = np.arange(n)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(i) for i in range(n)], dtype=np.int64)


def best_per_left(left: Ints, right: Ints, probability: Floats, threshold: float) -> dict[int, int]:
    """For each left record, the right record it is most likely to be, if that is at least `threshold`."""
    order = np.lexsort((right, -probability))  # highest first; ties broken by the lower right index
    best: dict[int, int] = {}
    for k in order.tolist():
        if probability[k] < threshold:
            break
        best.setdefault(int(left[k]), int(right[k]))
    return best
