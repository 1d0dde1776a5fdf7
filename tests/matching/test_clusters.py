"""Decisions from scored pairs: records linked through a third are one person; into a base, each record joins
its single best match above the threshold and never two people."""

from __future__ import annotations

import numpy as np

from townsquare.matching.clusters import best_per_left, connected


def test_links_join_records_transitively_and_leave_the_rest_alone() -> None:
    cluster = connected(6, np.array([0, 3, 1]), np.array([1, 4, 2]))
    assert cluster[0] == cluster[1] == cluster[2]
    assert cluster[3] == cluster[4] != cluster[0]
    assert cluster[5] not in (cluster[0], cluster[3])


def test_each_record_joins_only_its_best_match_above_the_threshold() -> None:
    left = np.array([0, 0, 1, 2])
    right = np.array([5, 6, 5, 7])
    probability = np.array([0.97, 0.999, 0.96, 0.4])
    assert best_per_left(left, right, probability, 0.95) == {0: 6, 1: 5}
