"""Filling in a form together, live on the resident's page: the autosave script's saves (as on her signed-in
pages), the draft's state, and a long poll that answers as soon as the draft changes — staff entered something,
or the link's state moved — so what staff enter appears on her page without a reload.

The long poll follows the desk socket's rules: same origin only, ids and versions only (never an answer in a
log), a bounded wait (`WAIT_SECONDS`, then the page asks again), at most `MAX_PER_LINK` waiting per link and
`MAX_WAITING` per process (429 beyond). It holds no database connection while it waits: `DraftChanged`, from
whichever process committed it, wakes it; a change the bus between processes missed is seen when the wait ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from townsquare.db import Database
from townsquare.db.deps import DatabaseDep, SessionDep
from townsquare.drafts.links import Refused
from townsquare.errors import Problem, forbidden
from townsquare.events import DraftChanged, EventBus, FanOutResumed, Reach
from townsquare.residents import prefill, together
from townsquare.sockets import same_origin
from townsquare.web.portal import apply, apply_autosave
from townsquare.web.portal.common import settings_of
from townsquare.web.portal.together import BASE, COOKIE, Holder

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
WAIT_SECONDS = 25.0
MAX_PER_LINK = 3  # a few tabs of one phone
MAX_WAITING = 1000


class DraftWatch:
    """This process's long polls, by draft, woken by `DraftChanged` after its commit."""

    def __init__(self, bus: EventBus) -> None:
        self.waiting: dict[uuid.UUID, set[asyncio.Event]] = {}
        self.per_link: Counter[uuid.UUID] = Counter()
        bus.subscribe(DraftChanged, self._changed, Reach.everywhere)
        bus.subscribe(FanOutResumed, self._catch_up, Reach.everywhere)

    async def _changed(self, event: DraftChanged) -> None:
        for woken in self.waiting.get(event.draft_id, set()):
            woken.set()

    async def _catch_up(self, event: FanOutResumed) -> None:
        """Changes may have been missed while the processes were out of touch: every page looks again."""
        for waiting in self.waiting.values():
            for woken in waiting:
                woken.set()

    @contextlib.contextmanager
    def watching(self, draft_id: uuid.UUID, link_id: uuid.UUID) -> Iterator[asyncio.Event]:
        """An event set when the draft next changes; 429 when too many already wait."""
        if self.per_link[link_id] >= MAX_PER_LINK or sum(self.per_link.values()) >= MAX_WAITING:
            log.info("long poll refused: %d waiting", sum(self.per_link.values()))
            raise Problem(429, "Too many requests", "Too many pages are waiting; try again shortly.", "rate-limited",
                          extra={"retry_after": 5})  # fmt: skip
        woken = asyncio.Event()
        self.waiting.setdefault(draft_id, set()).add(woken)
        self.per_link[link_id] += 1
        try:
            yield woken
        finally:
            self.per_link[link_id] -= 1
            if self.per_link[link_id] <= 0:
                del self.per_link[link_id]
            self.waiting[draft_id].discard(woken)
            if not self.waiting[draft_id]:
                del self.waiting[draft_id]


def watch_of(request: Request) -> DraftWatch:
    """The process's watch, made on first use (one per app)."""
    state = request.app.state
    if getattr(state, "draft_watch", None) is None:
        state.draft_watch = DraftWatch(state.runtime.bus)
    watch: DraftWatch = state.draft_watch
    return watch


def _same_origin(request: Request) -> None:
    """Only our own pages may wait on a draft (a browser names where a request comes from)."""
    site = request.headers.get("sec-fetch-site")
    origin_ok = same_origin(
        request.headers.get("origin"),
        public_url=settings_of(request).public_url,
        scheme=request.url.scheme,
        host=request.headers.get("host", ""),
    )
    if (site is not None and site not in ("same-origin", "none")) or not origin_ok:
        raise forbidden("Only this site's own pages may follow this form.")


def _snapshot(held: together.Holding) -> dict[str, Any]:
    """What the page compares to know whether to fetch the draft again: ids and versions, never an answer."""
    return {
        "version": held.draft.version,
        "allowed": held.allowed,
        "submitted": held.draft.submitted_at is not None,
    }


async def _current(db: Database, held: together.Holding, cookie: str | None) -> dict[str, Any]:
    async with db.session(deferred=True) as session:
        found = await together.holding(session, draft_id=held.draft.id, browser_session=cookie)
    if isinstance(found, Refused):
        return {"ended": True, "reason": found.value}
    return _snapshot(found)


@router.post(BASE + "/autosave")
async def autosave(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Save the fields this device changed, as on her signed-in pages."""
    return await apply_autosave.autosaved(request, session, held.draft.citizen_id, draft_id, own=False)


@router.post(BASE + "/resolve")
async def resolve(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """Keep this device's value for a field in conflict."""
    return await apply_autosave.resolved(request, session, held.draft.citizen_id, draft_id)


@router.get(BASE + "/state")
async def state(request: Request, draft_id: str, session: SessionDep, held: Holder) -> Response:
    """The draft as it is now (values other agencies hold left out), who entered what, whether staff may fill in."""
    draft, service, _tz = await apply.load(session, held.draft.citizen_id, draft_id)
    body = apply_autosave.state_of(draft, service, hidden=prefill.entries(draft).keys())
    body |= {"allowed": held.allowed, "filled_by": await together.filled_by(session, draft=draft)}
    return JSONResponse(body)


@router.get(BASE + "/wait")
async def wait(
    request: Request, draft_id: str, session: SessionDep, db: DatabaseDep, held: Holder, version: int = -1
) -> Response:
    """Answer when the draft is past `version` or the link's state differs from what the page shows (at once if
    it already is), else after `WAIT_SECONDS`: {version, allowed, submitted} or {ended}."""
    # The portal's page dependencies read the city's zone in the request's session: let go of its connection (and,
    # on SQLite, of the writer it took) before waiting; reads below use short sessions of their own.
    await session.close()
    _same_origin(request)
    shown_allowed = request.query_params.get("allowed") == "1"
    cookie = request.cookies.get(COOKIE)
    with watch_of(request).watching(held.draft.id, held.link.id) as woken:
        now = await _current(db, held, cookie)  # read after watching, so a change in between is not missed
        if now.get("version") == version and now.get("allowed") == shown_allowed and not now.get("submitted"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), timeout=WAIT_SECONDS)
            now = await _current(db, held, cookie)
    return JSONResponse(now, headers={"Cache-Control": "no-store"})
