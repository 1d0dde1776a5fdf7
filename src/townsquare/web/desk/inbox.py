"""The agent's inbox at /desk: presence, the offers waiting for an answer, the work in their hands, citizen search
and the newest cases; plus the fragment the page swaps in live.

Works as plain forms without JavaScript. Acts only on the signed-in staff member's own offers and presence.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import Seen, audit_reads, case_seen
from townsquare.errors import FieldError, Problem, invalid
from townsquare.routing import agents, engine
from townsquare.routing.models import Agent, Presence, WorkItem, WorkItemStatus
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import CurrentStaff, StaffFragment, settings_of, staff_work_item
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)

PRESENCE_LABELS: dict[Presence, str] = {
    Presence.available: "Available",
    Presence.busy: "Busy",
    Presence.away: "Away",
    Presence.wrap_up: "Wrap-up",
    Presence.offline: "Offline",
}
CHANNEL_LABELS = {"sms": "SMS", "email": "Email", "chat": "Chat", "voice": "Call", "web": "Web form"}


def duration(seconds: float | int | None) -> str:
    """A wait or age as people say it: `45 s`, `3 min`, `2 h 5 min`."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    if total < 60:
        return f"{total} s"
    minutes = total // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def channel_label(channel: str) -> str:
    """`sms` → `SMS`."""
    return CHANNEL_LABELS.get(channel, channel.replace("_", " ").capitalize())


templates.env.filters["duration"] = duration
templates.env.filters["channel_label"] = channel_label
templates.env.globals["presence_labels"] = PRESENCE_LABELS


@dataclass(frozen=True)
class ItemView:
    """One held work item as the inbox shows it."""

    id: uuid.UUID
    channel: str
    kind: str
    who: str | None
    service: str | None
    waiting_seconds: int
    expires_at: datetime | None
    expires_in_seconds: int | None
    status: WorkItemStatus


async def _agent(session: AsyncSession, me: Principal) -> Agent:
    """The signed-in staff member's routing profile, made (offline, default capacity) on their first visit."""
    agent = await agents.get_agent(session, staff_id=me.id)
    if agent is None:
        agent = await agents.ensure_agent(session, staff_id=me.id)
        await session.commit()
    return agent


async def _held(session: AsyncSession, me: Principal) -> tuple[list[ItemView], list[ItemView]]:
    """The offers waiting for this agent and the work they accepted, in three queries."""
    items = await agents.held_items(session, staff_id=me.id)
    citizen_ids = {i.citizen_id for i in items if i.citizen_id}
    service_ids = {i.service_id for i in items if i.service_id}
    names: dict[uuid.UUID, str | None] = {}
    if citizen_ids:
        rows = await session.execute(select(Citizen.id, Citizen.display_name).where(Citizen.id.in_(citizen_ids)))
        names = {row[0]: row[1] for row in rows}
    services: dict[uuid.UUID, str] = {}
    if service_ids:
        found = await session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids)))
        services = {row[0]: row[1] for row in found}
    now = utcnow()
    views = [_view(i, names, services, now) for i in items]
    offers = [v for v in views if v.status is WorkItemStatus.offered]
    mine = [v for v in views if v.status is WorkItemStatus.assigned]
    return offers, mine


def _view(
    item: WorkItem, names: dict[uuid.UUID, str | None], services: dict[uuid.UUID, str], now: datetime
) -> ItemView:
    expires = item.offer_expires_at
    return ItemView(
        id=item.id,
        channel=item.channel,
        kind=item.kind,
        who=names.get(item.citizen_id) if item.citizen_id else None,
        service=services.get(item.service_id) if item.service_id else None,
        waiting_seconds=int((now - item.created_at).total_seconds()),
        expires_at=expires,
        expires_in_seconds=max(0, int((expires - now).total_seconds())) if expires else None,
        status=item.status,
    )


async def _inbox_context(session: AsyncSession, me: Principal) -> dict[str, Any]:
    agent = await _agent(session, me)
    offers, mine = await _held(session, me)
    return {"me": me, "agent": agent, "offers": offers, "mine": mine}


async def _page(
    request: Request, session: AsyncSession, me: Principal, *, q: str = "", error: str | None = None, status: int = 200
) -> Response:
    query = q.strip()[:320]
    settings = settings_of(request)
    found = await citizens.search(session, query=query, region=settings.default_region, limit=25) if query else []
    recent_cases, total = await cases.list_cases(session, agency_ids=me.visible(), limit=15)
    await audit_reads(session, me, request, "case.list", [case_seen(c) for c in recent_cases])
    if query:
        seen = [Seen("citizen", str(c.id), c.id) for c in found]
        await audit_reads(session, me, request, "citizen.search", seen)
    context = await _inbox_context(session, me)
    context.update({"q": query, "found": found, "cases": recent_cases, "total_cases": total, "error": error})
    return templates.TemplateResponse(request, "desk/index.html", context, status_code=status)


@router.get("/desk", response_class=HTMLResponse)
async def desk(request: Request, session: SessionDep, me: CurrentStaff, q: str = "") -> Response:
    """The agent's inbox: presence, offers, their work; search citizens; the newest cases of their agencies."""
    return await _page(request, session, me, q=q)


@router.get("/desk/_inbox", response_class=HTMLResponse)
async def inbox_fragment(request: Request, session: SessionDep, me: StaffFragment) -> Response:
    """The offers and "My work" part of the inbox, for the page to swap in when it is told something changed."""
    context = await _inbox_context(session, me)
    return templates.TemplateResponse(request, "desk/_inbox.html", context)


@router.post("/desk/presence")
async def change_presence(
    request: Request,
    session: SessionDep,
    me: CurrentStaff,
    presence: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The agent chooses available, away or offline."""
    try:
        chosen = Presence(presence)
    except ValueError:
        raise invalid(
            "Choose one of available, away or offline.", FieldError("presence", "not a status you can choose")
        ) from None
    await agents.set_presence(session, staff_id=me.id, presence=chosen)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/offers/{item_id}/accept", dependencies=[Depends(staff_work_item)])
async def accept_offer(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Take the offered work and open it."""
    try:
        item = await engine.accept(session, item_id=item_id, staff_id=me.id)
    except Problem as exc:
        if exc.status != 409:
            raise
        await session.rollback()
        return await _page(request, session, me, error=exc.detail, status=409)
    await session.commit()
    return RedirectResponse(f"/desk/work/{item.id}", status_code=303)


@router.post("/desk/offers/{item_id}/decline", dependencies=[Depends(staff_work_item)])
async def decline_offer(request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Response:
    """Pass on the offer; it goes back to the queue."""
    try:
        await engine.decline(session, item_id=item_id, staff_id=me.id)
    except Problem as exc:
        if exc.status != 409:
            raise
        await session.rollback()
        return await _page(request, session, me, error=exc.detail, status=409)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)
