"""CPU time of process trees (a server and every process it started; a database server and its backends) and of
the whole machine, from Linux's /proc, for the benchmarks that report who used the cores during a phase.

A tree's time is the user and system time of every live process in it plus what its members' children that have
already exited and been reaped used (cutime, cstime), so a backend or a worker process that exits mid-phase is
still counted. Elsewhere than Linux every snapshot is None and the usage is empty.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

Snapshot = dict[str, float]  # "busy": the machine's CPU seconds (every core), and one entry per tree
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_table() -> dict[int, tuple[int, float]]:
    """Every process: pid -> (parent pid, CPU seconds of it and its reaped children)."""
    table: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it exited while we read
        # after the command: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
        table[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK)
    return table


def descendants(table: Mapping[int, tuple[int, float]], root: int) -> set[int]:
    """`root` and every process below it that is alive in `table`."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in found or pid not in table:
            continue
        found.add(pid)
        todo.extend(children.get(pid, ()))
    return found


def tree_seconds(table: Mapping[int, tuple[int, float]], root: int) -> float:
    return sum(table[pid][1] for pid in descendants(table, root))


def machine_busy_seconds() -> float:
    """CPU seconds spent on every core, not idle and not waiting for the disk, since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    # user nice system idle iowait irq softirq steal
    return sum(int(v) for i, v in enumerate(fields[:8]) if i not in (3, 4)) / TICK


class CpuMeter:
    """CPU of the server's tree, of other named trees (`database=pid`, `redis=pid`), and of the rest of the machine.

    The client's time (wrk's, from the kernel when it exits) is passed in to `usage`. "other" is everything else that
    ran: a database server that is not one of the named trees, and anyone else's work. "idle" is what was left of
    the machine's cores.
    """

    def __init__(self, server_pid: int, **trees: int) -> None:
        self.roots = {"server": server_pid, **trees}

    def snapshot(self) -> Snapshot | None:
        try:
            busy = machine_busy_seconds()
            table = process_table()
        except (OSError, ValueError, IndexError):
            return None
        return {"busy": busy, **{name: tree_seconds(table, pid) for name, pid in self.roots.items()}}

    @staticmethod
    def usage(before: Snapshot | None, after: Snapshot | None, wall: float, client_s: float) -> dict[str, float]:
        """% of one core over `wall` seconds: server, client, each named tree, other, idle."""
        if before is None or after is None or wall <= 0:
            return {}
        pct = {"server": (after["server"] - before["server"]) / wall * 100, "client": client_s / wall * 100}
        for name in after:
            if name not in ("busy", "server"):
                pct[name] = (after[name] - before[name]) / wall * 100
        busy = (after["busy"] - before["busy"]) / wall * 100
        pct["other"] = max(busy - sum(pct.values()), 0.0)
        pct["idle"] = max((os.cpu_count() or 1) * 100 - busy, 0.0)
        return {k: round(v, 1) for k, v in pct.items()}


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (a supervisor's worker processes)."""
    return sorted(child for child, (ppid, _) in process_table().items() if ppid == pid)


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (VmRSS), in bytes; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def established_by_process(port: int, pids: Iterable[int]) -> dict[int, int]:
    """How many ESTABLISHED TCP connections each of `pids` holds on local port `port` (IPv4 loopback)."""
    inodes: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, state, inode = parts[1], parts[3], parts[9]
        if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
            inodes.add(inode)
    counts: dict[int, int] = {}
    for pid in pids:
        held = 0
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue  # closed while we looked
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held += 1
        counts[pid] = held
    return counts
