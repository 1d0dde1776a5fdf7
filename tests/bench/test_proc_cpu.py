"""bench/proc_cpu.py: which processes make a tree, and how CPU seconds between two snapshots become % of a core for
the server, the client, the other named trees, everything else and what was left idle."""

from __future__ import annotations

import os

import pytest

import proc_cpu


def test_a_tree_is_its_root_and_everything_below_it_and_nothing_beside_it() -> None:
    table = {1: (0, 0.0), 10: (1, 2.0), 11: (10, 1.5), 12: (11, 0.5), 20: (1, 9.0), 21: (20, 4.0)}
    assert proc_cpu.descendants(table, 10) == {10, 11, 12}
    assert proc_cpu.tree_seconds(table, 10) == pytest.approx(4.0)
    assert proc_cpu.descendants(table, 99) == set()


def test_usage_splits_the_busy_time_and_leaves_the_rest_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    before = {"busy": 100.0, "server": 10.0, "database": 5.0}
    after = {"busy": 117.0, "server": 18.0, "database": 7.0}  # 17 s of 20 busy over 10 s on two cores
    usage = proc_cpu.CpuMeter.usage(before, after, wall=10.0, client_s=1.0)
    assert usage == {"server": 80.0, "client": 10.0, "database": 20.0, "other": 60.0, "idle": 30.0}
    assert proc_cpu.CpuMeter.usage(None, after, wall=10.0, client_s=1.0) == {}


def test_the_real_process_table_holds_this_process_under_its_parent() -> None:
    table = proc_cpu.process_table()
    assert table[os.getpid()][0] == os.getppid()
    assert os.getpid() in proc_cpu.descendants(table, os.getppid())
    assert proc_cpu.rss_bytes(os.getpid()) > 0
