"""The supervisor wallboard at /desk/wallboard: queues, channels and agents of the supervisor's agencies, live.

Supervisors and admins only; reads the routing board and never changes anything.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.deps import SessionDep
from townsquare.errors import forbidden, unauthorized
from townsquare.routing import board
from townsquare.staff.auth import MaybePrincipal, Principal
from townsquare.staff.models import StaffRole
from townsquare.web.desk import inbox  # registers the duration and channel filters
from townsquare.web.desk.common import CurrentStaff
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
WATCHERS = (StaffRole.supervisor, StaffRole.admin)


def _may_watch(principal: Principal) -> None:
    if principal.role not in WATCHERS:
        raise forbidden("The wallboard is for supervisors and administrators.")


async def _context(session: AsyncSession, me: Principal) -> dict[str, object]:
    wall = await board.snapshot(session, agency_ids=me.visible())
    return {"me": me, "wall": wall, "presence_labels": inbox.PRESENCE_LABELS}


@router.get("/desk/wallboard", response_class=HTMLResponse)
async def wallboard(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """Queue depth, longest wait, service level today and agents by state, refreshed live."""
    _may_watch(me)
    return templates.TemplateResponse(request, "desk/wallboard.html", await _context(session, me))


@router.get("/desk/wallboard/_board", response_class=HTMLResponse)
async def board_fragment(request: Request, session: SessionDep, principal: MaybePrincipal) -> Response:
    """The tables alone, for the page to swap in when told the board moved."""
    if principal is None or principal.kind != "staff":
        raise unauthorized("Sign in again to see the wallboard.")
    _may_watch(principal)
    return templates.TemplateResponse(request, "desk/_board.html", await _context(session, principal))
