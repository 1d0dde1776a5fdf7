"""The wallboard as each process keeps it for a moment: counted once for every supervisor watching the same
agencies, then kept until the board moves (or `max_age` seconds at most, for the waits that grow on their own).

Every watcher of a board is told it moved at the same instant (at most twice a second, `web/desk/live.py`, which
calls `moved` as it tells them), so they all ask at once; counting a city's open work reads every open item, and
one count serves them all. Keeps the counts and the agents' names the board shows to that same scope, nothing else.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.routing import board
from townsquare.routing.board import Wallboard

MAX_SCOPES = 256  # a bound on the memory: far more sets of agencies than supervisors watch at once

Scope = frozenset[uuid.UUID] | None


class KeptBoards:
    """The boards of this process, by scope: (the count's generation, when counted, the board)."""

    def __init__(self, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.clock = clock
        self.generation = 0
        self._kept: dict[Scope, tuple[int, float, Wallboard]] = {}
        self._counting: dict[Scope, asyncio.Lock] = {}

    def moved(self) -> None:
        """The board moved: what is kept was counted before, and is counted again when next asked for."""
        self.generation += 1

    async def snapshot(self, session: AsyncSession, *, agency_ids: set[uuid.UUID] | None) -> Wallboard:
        """The board of these agencies (None: every one), counted now unless a count made since the board last
        moved, less than `max_age` ago, is kept; those asking while it is counted wait for that count."""
        if self.max_age <= 0:
            return await board.snapshot(session, agency_ids=agency_ids)
        scope: Scope = None if agency_ids is None else frozenset(agency_ids)
        fresh = self._fresh(scope)
        if fresh is not None:
            return fresh
        async with self._counting.setdefault(scope, asyncio.Lock()):
            fresh = self._fresh(scope)  # counted while this one waited
            if fresh is not None:
                return fresh
            generation, counted_at = self.generation, self.clock()  # before the count: a move meanwhile makes it old
            wall = await board.snapshot(session, agency_ids=agency_ids)
            if len(self._kept) >= MAX_SCOPES:
                self._kept.clear()
                self._counting = {scope: self._counting[scope]}
            self._kept[scope] = (generation, counted_at, wall)
            return wall

    def _fresh(self, scope: Scope) -> Wallboard | None:
        kept = self._kept.get(scope)
        if kept is not None and kept[0] == self.generation and self.clock() - kept[1] < self.max_age:
            return kept[2]
        return None
