"""The agent's workspace: a work item with the citizen 360 view, the reply box, notes, canned responses and
routing actions (complete, transfer, escalate, call-back). The citizen and case pages are in `records.py`.

Staff read only what their agencies may see; only the work item's holder may act on it. Reads are audited.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.db.deps import SessionDep
from townsquare.engagement import desk, links, replies
from townsquare.errors import FieldError, Problem, forbidden, invalid, not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation
from townsquare.notify.rendering import Content
from townsquare.routing import engine
from townsquare.routing.models import Queue, WorkItem, WorkItemStatus
from townsquare.staff.auth import MaybePrincipal, Principal
from townsquare.web.desk.common import cursor, earlier_url, settings_of, staff_or_sign_in
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20000
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=500)]


async def _visible_item(session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    item = await engine.get_item(session, item_id=item_id)
    if not me.may_see(item.agency_id):
        raise not_found("Work item", "No work item has that id.")
    return item


def _holds(me: Principal, item: WorkItem) -> bool:
    return item.assigned_to_id == me.id and item.status is WorkItemStatus.assigned


async def _render_work(
    request: Request,
    session: AsyncSession,
    me: Principal,
    item: WorkItem,
    *,
    error: Problem | None = None,
    draft: str = "",
    canned: str = "",
    before: tuple[datetime, uuid.UUID] | None = None,
) -> Response:
    """The work page; a fixed number of queries however long the citizen's record is."""
    view = (
        await desk.citizen_360(session, citizen_id=item.citizen_id, agency_ids=me.visible(), before=before)
        if item.citizen_id
        else None
    )
    conversation: Conversation | None = (
        await interactions.get_conversation(session, conversation_id=item.conversation_id)
        if item.conversation_id
        else None
    )
    queue_name = (await session.execute(select(Queue.name).where(Queue.id == item.queue_id))).scalar_one_or_none()
    agency_list = await agencies.list_agencies(session)
    agency = next(a for a in agency_list if a.id == item.agency_id)
    case = next((c for c in view.cases if c.id == item.case_id), None) if view else None
    case_reference = case.reference if case else item.context.get("case_reference")
    language = view.citizen.language if view else item.language
    canned_list = await agencies.canned_responses(session, agency_id=item.agency_id, language=language)
    filled = {
        c.slug: desk.fill_placeholders(c.body, citizen=view.citizen if view else None, case_reference=case_reference)
        for c in canned_list
    }
    if canned and canned in filled and not draft:
        draft = filled[canned]
    channels = desk.reply_channels(view.citizen, conversation) if view else []
    default_channel = conversation.channel if conversation and conversation.channel in channels else None
    holder_ids = {i for i in (item.assigned_to_id, item.target_staff_id) if i}
    agents = await desk.agency_staff(session, agency_id=item.agency_id, agents_only=True)
    context: dict[str, Any] = {
        "me": me,
        "item": item,
        "holds": _holds(me, item),
        "queue_name": queue_name,
        "agency": agency,
        "tz": agency.timezone,
        "other_agencies": [a for a in agency_list if a.id != item.agency_id],
        "view": view,
        "case": case,
        "case_reference": case_reference,
        "conversation": conversation,
        "channels": channels,
        "default_channel": default_channel or (channels[0] if channels else None),
        "canned": canned_list,
        "filled": filled,
        "draft": draft,
        "wrap_up_codes": await engine.wrap_up_codes(session, agency_id=item.agency_id),
        "teams": await engine.teams_for(session, agency_ids={item.agency_id}),
        "agents": [a for a in agents if a.id != me.id],
        "assignable": await desk.agency_staff(session, agency_id=case.agency_id if case else item.agency_id),
        "holder_names": await desk.staff_names(session, ids=holder_ids),
        "transitions": sorted(cases.TRANSITIONS[case.status]) if case else [],
        "phones": [i for i in view.citizen.identities if i.kind is IdentityKind.phone] if view else [],
        "error": error,
        "earlier_url": earlier_url(request.url.path, view.earlier if view else None),
        "next": request.url.path,
    }
    if view is not None:
        me.audit(
            session,
            action="citizen.read",
            subject_kind="citizen",
            subject_id=str(view.citizen.id),
            citizen_id=view.citizen.id,
            agency_id=item.agency_id,
            detail={"work_item_id": str(item.id)},
        )
    await session.commit()
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/work.html", context, status_code=status)


@router.get("/desk/work/{item_id}", response_class=HTMLResponse)
async def work_page(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    canned: str = "",
    before: str = "",
) -> Response:
    """One work item: what is known, the citizen 360 view, the reply box and the actions."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    item = await _visible_item(session, me, item_id)
    return await _render_work(request, session, me, item, canned=canned[:64], before=cursor(before))


async def _act_on_item(request: Request, session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    item = await _visible_item(session, me, item_id)
    if not _holds(me, item):
        raise forbidden("Only the person handling this work can act on it; you may read it.")
    return item


async def _failed(
    request: Request, session: AsyncSession, me: Principal, item_id: uuid.UUID, problem: Problem, draft: str = ""
) -> Response:
    await session.rollback()
    item = await _visible_item(session, me, item_id)
    return await _render_work(request, session, me, item, error=problem, draft=draft)


@router.post("/desk/work/{item_id}/reply", response_class=HTMLResponse)
async def reply(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    body: Text = "",
    channel: Short = "",
) -> Response:
    """Answer the citizen on the chosen channel (default: the conversation's), through the outbox."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        item = await _act_on_item(request, session, me, item_id)
        if item.conversation_id is None:
            raise invalid("This work has no conversation to answer; schedule a call-back instead.")
        target = await _reply_channel(session, item.conversation_id, channel)
        await replies.reply(
            session,
            conversation_id=item.conversation_id,
            content=Content(body),
            channel=target,
            staff_id=me.id,
            options=links.reply_options(settings_of(request)),
        )
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem, draft=body)
    await session.commit()
    return RedirectResponse(f"/desk/work/{item_id}#reply", status_code=303)


async def _reply_channel(session: AsyncSession, conversation_id: uuid.UUID, chosen: str) -> Channel | None:
    """The channel picked in the form, if this citizen can be reached on it; empty means the conversation's."""
    conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    if not chosen:
        return conversation.channel if conversation.channel in replies.REPLYABLE else None
    citizen = await citizens.get(session, citizen_id=conversation.citizen_id)
    allowed = desk.reply_channels(citizen, conversation)
    match = next((c for c in allowed if c.value == chosen), None)
    if match is None:
        raise invalid(
            f"This citizen cannot be reached on '{chosen[:20]}'.", FieldError("channel", "not a channel they have")
        )
    return match


@router.post("/desk/work/{item_id}/note", response_class=HTMLResponse)
async def note(
    request: Request, item_id: uuid.UUID, session: SessionDep, principal: MaybePrincipal, body: Text = ""
) -> Response:
    """An internal note on the citizen's timeline; nobody outside sees it."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        item = await _act_on_item(request, session, me, item_id)
        await desk.add_note(
            session,
            actor=me,
            body=body,
            conversation_id=item.conversation_id,
            citizen_id=item.citizen_id,
            case_id=item.case_id,
            agency_id=item.agency_id,
        )
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse(f"/desk/work/{item_id}#timeline-title", status_code=303)


@router.post("/desk/work/{item_id}/complete", response_class=HTMLResponse)
async def complete(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    wrap_up_code: Short = "",
    outcome: Text = "",
) -> Response:
    """Finish the work with a wrap-up code and an outcome."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        await _act_on_item(request, session, me, item_id)
        await engine.complete(
            session, item_id=item_id, staff_id=me.id, wrap_up_code=wrap_up_code or None, outcome=outcome or None
        )
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


def _transfer_target(to: str) -> tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]:
    """`agent:<id>`, `team:<id>` or `agency:<id>` as (staff, team, agency)."""
    kind, _, raw = to.partition(":")
    try:
        target = uuid.UUID(raw)
    except ValueError:
        target = None
    if target is None or kind not in ("agent", "team", "agency"):
        raise invalid("Choose an agent, a team or an agency to transfer to.", FieldError("to", "choose one"))
    return (
        target if kind == "agent" else None,
        target if kind == "team" else None,
        target if kind == "agency" else None,
    )


@router.post("/desk/work/{item_id}/transfer", response_class=HTMLResponse)
async def transfer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    to: Short = "",
    note: Text = "",
) -> Response:
    """Hand the work on to an agent, a team or another agency, with everything gathered so far."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        await _act_on_item(request, session, me, item_id)
        to_staff, to_team, to_agency = _transfer_target(to)
        await engine.transfer(
            session,
            item_id=item_id,
            staff_id=me.id,
            to_staff_id=to_staff,
            to_team_id=to_team,
            to_agency_id=to_agency,
            note=note or None,
        )
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/work/{item_id}/escalate", response_class=HTMLResponse)
async def escalate(
    request: Request, item_id: uuid.UUID, session: SessionDep, principal: MaybePrincipal, reason: Text = ""
) -> Response:
    """Send the work to a supervisor with the reason."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        await _act_on_item(request, session, me, item_id)
        await engine.escalate(session, item_id=item_id, staff_id=me.id, reason=reason)
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/work/{item_id}/callback", response_class=HTMLResponse)
async def callback(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    principal: MaybePrincipal,
    at: Short = "",
    phone: Short = "",
    note: Text = "",
) -> Response:
    """Schedule a call-back to one of the citizen's phones at a local time of the agency."""
    me = staff_or_sign_in(request, principal)
    if isinstance(me, Response):
        return me
    try:
        item = await _act_on_item(request, session, me, item_id)
        if item.citizen_id is None:
            raise invalid("This work has no citizen record to call back.")
        citizen = await citizens.get(session, citizen_id=item.citizen_id)
        phones = {i.value for i in citizen.identities if i.kind is IdentityKind.phone}
        if phone not in phones:
            raise invalid("Choose one of the citizen's phone numbers.", FieldError("phone", "not theirs"))
        agency = (await agencies.agencies_by_id(session, ids={item.agency_id}))[item.agency_id]
        when = _local_time(at, agency.timezone)
        await engine.schedule_callback(
            session,
            agency_id=item.agency_id,
            citizen_id=item.citizen_id,
            phone=phone,
            at=when,
            case_id=item.case_id,
            note=note or None,
            staff_id=me.id,
            language=citizen.language,
        )
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse(f"/desk/work/{item_id}#callback-title", status_code=303)


def _local_time(value: str, tz: str) -> datetime:
    """A datetime-local field (2026-03-01T14:30) read in the agency's timezone, as UTC."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("Give the call-back's date and time.", FieldError("at", "not a date and time")) from None
    if naive.tzinfo is not None:
        raise invalid("Give the call-back's local date and time.", FieldError("at", "has a timezone"))
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
