"""What PostgreSQL's busy backends were waiting on while a benchmark ran: pg_stat_activity sampled four times a
second from a thread of its own (its own connection), so a lock that serialises processes shows as a share of the
samples rather than as a guess, with the statement that waits and the last statement of the transaction it waits for.

    with pg_waits.Sampler("postgresql+asyncpg://townsquare@127.0.0.1:5432/db") as waits:
        ...                          # the measured phase
    waits.shares()                   # {"running": 0.71, "Lock:transactionid": 0.12, "Client:ClientRead": ...}
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

INTERVAL_S = 0.25
QUERY = """
SELECT coalesce(a.wait_event_type || ':' || a.wait_event, 'running') AS waiting,
       CASE WHEN a.wait_event_type = 'Lock' THEN left(regexp_replace(a.query, '\\s+', ' ', 'g'), 90) END AS statement,
       CASE WHEN a.wait_event_type = 'Lock' THEN (
         SELECT left(regexp_replace(b.query, '\\s+', ' ', 'g'), 90)
           FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(a.pid))[1]) END AS holder
  FROM pg_stat_activity a
 WHERE a.datname = current_database() AND a.state = 'active' AND a.pid <> pg_backend_pid()
"""


class Sampler:
    """Counts, per sample, each active backend of this database by what it waits on ("running": on a core)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.counts: Counter[str] = Counter()
        self.locks: Counter[str] = Counter()  # "waiting statement <- the holder's last statement"
        self.samples = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        # Autocommit: pg_stat_activity is read once per transaction and would not change inside one.
        engine = create_async_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                while not self._stop.is_set():
                    for waiting, statement, holder in (await conn.execute(text(QUERY))).all():
                        self.counts[str(waiting)] += 1
                        if statement is not None:
                            self.locks[f"{statement}  <-  {holder}"] += 1
                    self.samples += 1
                    await asyncio.sleep(INTERVAL_S)
        except (OSError, SQLAlchemyError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            await engine.dispose()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def shares(self) -> dict[str, Any]:
        """Of all active-backend sightings, the share of each state; and the mean active backends per sample."""
        total = sum(self.counts.values())
        shares: dict[str, Any] = {k: round(v / total, 3) for k, v in self.counts.most_common()} if total else {}
        return {
            "active_per_sample": round(total / self.samples, 2) if self.samples else None,
            "samples": self.samples,
            "shares": shares,
            "lock_waits": dict(self.locks.most_common(5)),
            "error": self.error,
        }
