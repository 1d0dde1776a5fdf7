"""A fixed share of a core for each app process of a benchmark, through a control group of its own (Linux, root).

On a machine of two cores, one app process is already as fast as a core lets it be, and a second can only have what
PostgreSQL and the load generator leave: "two against one" then measures the machine. With each app process held to
the same share of a core (say 0.6) and that share times the processes well under the cores, nothing but the
processes themselves can stop two from doing twice the work of one: a lock, a queue, a connection pool they share.
It is what several machines behind a balancer give, each process with a core of its own.

cgroup v2 (`cpu.max`) where it is mounted with the cpu controller, else cgroup v1's `cpu` hierarchy
(`cpu.cfs_quota_us`). Every group is removed on leaving, its processes handed back to the root group first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000
PREFIX = "townsquare-bench-"


def hierarchy(root: Path = ROOT) -> tuple[str, Path]:
    """("v2", the unified root) or ("v1", the cpu controller's root); SystemExit with the reason if neither."""
    controllers = root / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return "v2", root
    if (root / "cpu" / "cpu.cfs_quota_us").exists():
        return "v1", root / "cpu"
    raise SystemExit("--cpu-per-process: no cgroup cpu controller here (neither cgroup v2's cpu.max nor v1's cpu)")


def quota_line(version: str, share: float) -> tuple[str, str]:
    """The file and the value that hold a group to `share` of one core."""
    quota = max(1000, round(share * PERIOD_US))
    if version == "v2":
        return "cpu.max", f"{quota} {PERIOD_US}"
    return "cpu.cfs_quota_us", str(quota)


@contextlib.contextmanager
def capped(pids: list[int], share: float, root: Path = ROOT) -> Iterator[list[Path]]:
    """Each pid in a group of its own, held to `share` of a core, for the time of the block."""
    if not 0 < share <= 1:
        raise ValueError("a share of a core is more than 0 and at most 1")
    version, base = hierarchy(root)
    if version == "v2":
        (base / "cgroup.subtree_control").write_text("+cpu")
    groups: list[Path] = []
    try:
        for pid in pids:
            group = base / f"{PREFIX}{pid}"
            try:
                group.mkdir(exist_ok=True)
            except PermissionError:
                raise SystemExit(f"--cpu-per-process needs root: {base} is not writable") from None
            groups.append(group)
            if version == "v1":
                (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            name, value = quota_line(version, share)
            (group / name).write_text(value)
            (group / "cgroup.procs").write_text(str(pid))
        yield groups
    finally:
        for group in groups:
            with contextlib.suppress(OSError):
                for line in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (base / "cgroup.procs").write_text(line)
            with contextlib.suppress(OSError):
                group.rmdir()
