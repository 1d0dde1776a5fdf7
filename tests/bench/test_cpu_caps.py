"""bench/cpu_caps.py: which control-group hierarchy is used, the quota that holds a group to a share of a core, and
that every process goes back to the root group when the benchmark is done (on a hierarchy laid out in a folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cpu_caps


def v1(root: Path) -> Path:
    cpu = root / "cpu"
    cpu.mkdir(parents=True)
    (cpu / "cpu.cfs_quota_us").write_text("-1")
    (cpu / "cgroup.procs").write_text("")
    return cpu


def test_v2_is_used_where_its_cpu_controller_is_mounted_else_v1_else_a_clear_refusal(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids")
    assert cpu_caps.hierarchy(tmp_path) == ("v2", tmp_path)
    (tmp_path / "cgroup.controllers").write_text("memory pids")
    with pytest.raises(SystemExit, match="no cgroup cpu controller"):
        cpu_caps.hierarchy(tmp_path)
    cpu = v1(tmp_path)
    assert cpu_caps.hierarchy(tmp_path) == ("v1", cpu)


def test_a_share_of_a_core_is_a_quota_of_the_period() -> None:
    assert cpu_caps.quota_line("v2", 0.6) == ("cpu.max", "60000 100000")
    assert cpu_caps.quota_line("v1", 0.25) == ("cpu.cfs_quota_us", "25000")
    assert cpu_caps.quota_line("v1", 0.001) == ("cpu.cfs_quota_us", "1000")  # the kernel's least


def test_each_process_has_a_group_of_its_own_and_goes_back_to_the_root_after(tmp_path: Path) -> None:
    cpu = v1(tmp_path)
    with cpu_caps.capped([101, 202], 0.5, root=tmp_path) as groups:
        assert [g.name for g in groups] == ["townsquare-bench-101", "townsquare-bench-202"]
        assert [(g / "cgroup.procs").read_text() for g in groups] == ["101", "202"]
        assert {(g / "cpu.cfs_quota_us").read_text() for g in groups} == {"50000"}
        assert {(g / "cpu.cfs_period_us").read_text() for g in groups} == {"100000"}
    assert (cpu / "cgroup.procs").read_text() in {"101", "202"}  # handed back (a real cgroup.procs appends)


@pytest.mark.parametrize("share", [0.0, -0.5, 1.5])
def test_a_share_outside_one_core_is_refused(tmp_path: Path, share: float) -> None:
    v1(tmp_path)
    with pytest.raises(ValueError, match="share of a core"), cpu_caps.capped([1], share, root=tmp_path):
        pass
