"""SQLite serves one process: `townsquare serve`, `demo` and `worker` each hold a lock on the database file for
their whole life, so a second one on the same file is refused at start (short commands, such as creating a staff
account, still work beside it). The operating system frees the lock when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

SCALE_OUT = (
    "SQLite serves one process; to run several app or worker processes, use PostgreSQL (TOWNSQUARE_DATABASE_URL) "
    "and Redis (TOWNSQUARE_REDIS_URL): see docs/scaling.md."
)


class AnotherProcess(RuntimeError):
    """Another long-running process already serves this SQLite file."""


@dataclass
class FileLock:
    """The held lock; keep it referenced for as long as the process runs."""

    path: Path
    handle: TextIO

    def release(self) -> None:
        self.handle.close()


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def hold(database_url: str) -> FileLock | None:
    """Take the SQLite file's process lock (`<file>.lock`), or raise `AnotherProcess`; None when not SQLite."""
    database = sqlite_file(database_url)
    if database is None:
        return None
    path = database.with_name(database.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise AnotherProcess(
            f"Another Townsquare process (pid {holder}) is already running on {database}. {SCALE_OUT}"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return FileLock(path, handle)
