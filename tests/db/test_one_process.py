"""SQLite serves one process: the second long-running process on a file is refused, and told what scales."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from townsquare.db import one_process


def test_a_second_hold_on_the_same_file_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'city.db'}"
    first = one_process.hold(url)
    assert first is not None
    assert first.path == tmp_path / "city.db.lock"
    with pytest.raises(one_process.AnotherProcess) as refused:
        one_process.hold(url)
    message = str(refused.value)
    assert "PostgreSQL (TOWNSQUARE_DATABASE_URL)" in message
    assert "Redis (TOWNSQUARE_REDIS_URL)" in message
    assert str(tmp_path / "city.db") in message
    first.release()
    again = one_process.hold(url)
    assert again is not None
    again.release()


def test_another_process_holding_the_file_is_named_by_its_pid(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'city.db'}"
    holder = subprocess.Popen(  # noqa: S603 - a second process of ours, as `townsquare serve` would be
        [sys.executable, "-c", "import sys; from townsquare.db import one_process; x = one_process.hold(sys.argv[1]);"
         " print('held', flush=True); sys.stdin.read()", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(one_process.AnotherProcess, match=f"pid {holder.pid}"):
            one_process.hold(url)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    mine = one_process.hold(url)  # the process ended: the operating system let the lock go
    assert mine is not None
    mine.release()


@pytest.mark.parametrize("url", ["postgresql+asyncpg://townsquare@127.0.0.1/city", "sqlite+aiosqlite:///:memory:"])
def test_nothing_to_hold_on_postgresql_or_in_memory(url: str) -> None:
    assert one_process.hold(url) is None
