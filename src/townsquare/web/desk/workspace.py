"""The agent's workspace: a work item with the citizen 360 view, the reply box, notes, canned responses,
suggested answers from the knowledge base, what the assistant established before handing over, and routing
actions (complete, transfer, escalate, call-back), and opening a case from the work when it has none. The citizen
and case pages are in `records.py`.

Staff read only what their agencies may see; only the work item's holder may act on it. Reads are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency, Service
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.db.deps import SessionDep
from townsquare.engagement import casework, desk, links, replies
from townsquare.engagement.access import purpose
from townsquare.errors import FieldError, Problem, forbidden, invalid
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction
from townsquare.knowledge import rendering as knowledge_rendering
from townsquare.knowledge import service as knowledge
from townsquare.notify.rendering import Content
from townsquare.places import service as places
from townsquare.routing import engine
from townsquare.routing.models import Queue, WorkItem, WorkItemStatus
from townsquare.staff.auth import Principal
from townsquare.web.desk.common import (
    CurrentStaff,
    cursor,
    earlier_url,
    held_work_item,
    settings_of,
    staff_work_item,
    work_item_in_scope,
)
from townsquare.web.templating import local_time, templates

if TYPE_CHECKING:  # the index is the app's (app.state.knowledge); only its types are needed here
    from townsquare.knowledge.search import Hit, KnowledgeIndex

router = APIRouter(include_in_schema=False)
MAX_TEXT = 20000
Text = Annotated[str, Form(max_length=MAX_TEXT)]
Short = Annotated[str, Form(max_length=500)]
SUGGESTIONS = 3  # suggested answers beside the conversation
QUESTION_MESSAGES = 3  # the citizen's latest messages they are searched with
MAX_QUESTION = 1000
HANDOFF_REASONS = {
    "asked": "They asked for a person",
    "low_confidence": "The assistant was not sure enough of an answer",
    "not_helpful": "They said the answer did not help",
    "needs_person": "It needs a person",
    "repeated_misses": "The assistant could not answer several questions",
}


async def _visible_item(session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    return await work_item_in_scope(session, me, item_id)


def _holds(me: Principal, item: WorkItem) -> bool:
    return item.assigned_to_id == me.id and item.status is WorkItemStatus.assigned


async def _latest_questions(session: AsyncSession, item: WorkItem, timeline: list[Interaction] | None) -> str:
    """The citizen's latest messages in the work's conversation (oldest first), from the 360 view's timeline when
    it is the newest page (no query), else read."""
    if item.conversation_id is None:
        return ""
    if timeline is not None:
        bodies = [
            i.body
            for i in timeline
            if i.conversation_id == item.conversation_id and i.direction is Direction.inbound and i.body.strip()
        ][:QUESTION_MESSAGES]
    else:
        stmt = (
            select(Interaction.body)
            .where(
                Interaction.conversation_id == item.conversation_id,
                Interaction.direction == Direction.inbound,
                Interaction.body != "",
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(QUESTION_MESSAGES)
        )
        bodies = list((await session.execute(stmt)).scalars())
    return " ".join(reversed(bodies))[:MAX_QUESTION]


def _reply_text(short_answer: str, url: str) -> str:
    return f"{short_answer.strip()}\n{url}" if short_answer.strip() else url


def _suggestion(hit: Hit, public_url: str) -> dict[str, Any]:
    url = knowledge_rendering.article_url(public_url, hit.slug)
    answer = hit.short_answer or hit.summary
    return {
        "slug": hit.slug,
        "title": hit.title,
        "answer": answer,
        "language": hit.language,
        "version": str(hit.version_id),
        "url": url,
        "reply": _reply_text(answer, url),
    }


async def _suggestions(request: Request, session: AsyncSession, question: str, language: str) -> list[dict[str, Any]]:
    """The knowledge base's best answers to what the citizen wrote: the search every channel uses."""
    if not question.strip():
        return []
    index: KnowledgeIndex = request.app.state.knowledge
    hits = await index.search(session, question, language=language, limit=SUGGESTIONS)
    return [_suggestion(h, settings_of(request).public_url) for h in hits]


async def _suggested_reply(session: AsyncSession, slug: str, suggestions: list[dict[str, Any]], public_url: str) -> str:
    """The reply box's text for "Use in reply": the article's short answer and its public link."""
    for suggestion in suggestions:
        if suggestion["slug"] == slug:
            return str(suggestion["reply"])
    live = await knowledge.live_by_slug(session, slug=slug)
    if live is None:
        return ""
    url = knowledge_rendering.article_url(public_url, live.slug)
    return _reply_text(live.short_answer or live.summary, url)


def _text(value: Any, limit: int = 2000) -> str:
    return str(value)[:limit] if isinstance(value, str | int | float) else ""


def _when(value: Any, tz: str) -> str:
    try:
        return local_time(datetime.fromisoformat(str(value)), tz)
    except (TypeError, ValueError):
        return ""


SPEAKERS = {"citizen": "Citizen", "assistant": "Assistant", "staff": "Staff"}


def _handoff(context: dict[str, Any], tz: str, public_url: str) -> dict[str, Any] | None:
    """What the assistant established before handing over (`context["assistant"]`), ready for the page; tolerant
    of missing parts, since the context is stored JSON."""
    raw = context.get("assistant")
    if not isinstance(raw, dict):
        return None
    reason = _text(raw.get("reason"), 40)
    found = raw.get("verified")
    verified: dict[str, Any] = found if isinstance(found, dict) else {}
    transcript = [
        {
            "citizen": turn.get("from") == "citizen",
            "who": SPEAKERS.get(str(turn.get("from")), "Assistant"),
            "text": _text(turn.get("text")),
            "at": _when(turn.get("at"), tz),
            "iso": _text(turn.get("at"), 40),
        }
        for turn in raw.get("transcript") or []
        if isinstance(turn, dict)
    ]
    articles = [
        {
            "title": _text(a.get("title"), 200) or _text(a.get("slug"), 120),
            "url": knowledge_rendering.article_url(public_url, _text(a.get("slug"), 120)),
            "version": _text(a.get("version"), 12),
        }
        for a in raw.get("articles") or []
        if isinstance(a, dict) and _text(a.get("slug"), 120)
    ]
    return {
        "intent": _text(raw.get("intent"), 40),
        "reason": HANDOFF_REASONS.get(reason, reason.replace("_", " ")),
        "question": _text(raw.get("question")),
        "case_reference": _text(verified.get("case_reference"), 40),
        "verified_by": _text(verified.get("method"), 40),
        "transcript": transcript,
        "articles": articles,
    }


@dataclass
class CaseForm:
    """The "Open a case" panel's fields: prefilled, or what was just sent when it was refused."""

    service_code: str = ""
    address: str = ""
    lat: str = ""
    long: str = ""
    title: str = ""
    description: str = ""


async def _case_panel(
    session: AsyncSession, me: Principal, item: WorkItem, timeline: list[Interaction] | None, sent: CaseForm | None
) -> dict[str, Any]:
    """The services the agent may open a case for, and the form prefilled with the citizen's last message."""
    stmt = (
        select(Service.code, Service.name, Agency.name)
        .join(Agency, Agency.id == Service.agency_id)
        .where(Service.active.is_(True))
        .order_by(Agency.name, Service.name)
    )
    if me.agency_ids is not None:
        stmt = stmt.where(Service.agency_id.in_(me.agency_ids))
    services = [{"code": code, "name": name, "agency": agency} for code, name, agency in await session.execute(stmt)]
    if sent is None:
        sent = CaseForm(description=await _last_inbound(session, item, timeline))
    return {"services": services, "form": sent}


async def _last_inbound(session: AsyncSession, item: WorkItem, timeline: list[Interaction] | None) -> str:
    """The citizen's newest message in the work's conversation."""
    if item.conversation_id is None:
        return ""
    if timeline is not None:
        for entry in timeline:
            if entry.conversation_id == item.conversation_id and entry.direction is Direction.inbound and entry.body:
                return entry.body[:MAX_TEXT]
        return ""
    stmt = (
        select(Interaction.body)
        .where(Interaction.conversation_id == item.conversation_id, Interaction.direction == Direction.inbound)
        .where(Interaction.body != "")
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(1)
    )
    return ((await session.execute(stmt)).scalar_one_or_none() or "")[:MAX_TEXT]


async def _render_work(
    request: Request,
    session: AsyncSession,
    me: Principal,
    item: WorkItem,
    *,
    error: Problem | None = None,
    draft: str = "",
    canned: str = "",
    suggest: str = "",
    before: tuple[datetime, uuid.UUID] | None = None,
    case_form: CaseForm | None = None,
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
    public_url = settings_of(request).public_url
    question = await _latest_questions(session, item, view.timeline if view and before is None else None)
    suggestions = await _suggestions(request, session, question, language)
    if suggest and not draft:
        draft = await _suggested_reply(session, suggest, suggestions, public_url)
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
        "suggestions": suggestions,
        "handoff": _handoff(item.context, agency.timezone, public_url),
        "wrap_up_codes": await engine.wrap_up_codes(session, agency_id=item.agency_id),
        "teams": await engine.teams_for(session, agency_ids={item.agency_id}),
        "transfers": await engine.transfers_of(session, item_id=item.id),
        "agents": [a for a in agents if a.id != me.id],
        "assignable": await desk.agency_staff(session, agency_id=case.agency_id if case else item.agency_id),
        "holder_names": await desk.staff_names(session, ids=holder_ids),
        "transitions": sorted(cases.TRANSITIONS[case.status]) if case else [],
        "phones": [i for i in view.citizen.identities if i.kind is IdentityKind.phone] if view else [],
        "error": error,
        "earlier_url": earlier_url(request.url.path, view.earlier if view else None),
        "next": request.url.path,
        "open_case": None,
    }
    if case_reference is None and item.case_id is None and _holds(me, item):
        timeline = view.timeline if view and before is None else None
        context["open_case"] = await _case_panel(session, me, item, timeline, case_form)
    if view is not None:
        me.audit(
            session,
            action="citizen.read",
            subject_kind="citizen",
            subject_id=str(view.citizen.id),
            purpose=purpose(request),
            citizen_id=view.citizen.id,
            agency_id=item.agency_id,
            detail={"work_item_id": str(item.id)},
        )
    await session.commit()
    status = error.status if error else 200
    return templates.TemplateResponse(request, "desk/work.html", context, status_code=status)


@router.get("/desk/work/{item_id}", response_class=HTMLResponse, dependencies=[Depends(staff_work_item)])
async def work_page(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    canned: str = "",
    suggest: str = "",
    before: str = "",
) -> Response:
    """One work item: what is known, the citizen 360 view, the reply box, suggested answers and the actions;
    `canned` or `suggest` (an article's slug) pre-fill the reply box."""
    item = await _visible_item(session, me, item_id)
    return await _render_work(
        request, session, me, item, canned=canned[:64], suggest=suggest[:120], before=cursor(before)
    )


async def _act_on_item(request: Request, session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    item = await _visible_item(session, me, item_id)
    if not _holds(me, item):
        raise forbidden("Only the person handling this work can act on it; you may read it.")
    return item


async def _failed(
    request: Request,
    session: AsyncSession,
    me: Principal,
    item_id: uuid.UUID,
    problem: Problem,
    draft: str = "",
    case_form: CaseForm | None = None,
) -> Response:
    await session.rollback()
    item = await _visible_item(session, me, item_id)
    return await _render_work(request, session, me, item, error=problem, draft=draft, case_form=case_form)


@router.post("/desk/work/{item_id}/reply", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def reply(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    body: Text = "",
    channel: Short = "",
) -> Response:
    """Answer the citizen on the chosen channel (default: the conversation's), through the outbox."""
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


@router.post("/desk/work/{item_id}/note", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def note(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, body: Text = ""
) -> Response:
    """An internal note on the citizen's timeline; nobody outside sees it."""
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


@router.post("/desk/work/{item_id}/complete", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def complete(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    wrap_up_code: Short = "",
    outcome: Text = "",
) -> Response:
    """Finish the work with a wrap-up code and an outcome."""
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


@router.post("/desk/work/{item_id}/transfer", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def transfer(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    to: Short = "",
    note: Text = "",
) -> Response:
    """Hand the work on to an agent, a team or another agency, with everything gathered so far."""
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


@router.post("/desk/work/{item_id}/escalate", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def escalate(
    request: Request, item_id: uuid.UUID, session: SessionDep, me: CurrentStaff, reason: Text = ""
) -> Response:
    """Send the work to a supervisor with the reason."""
    try:
        await _act_on_item(request, session, me, item_id)
        await engine.escalate(session, item_id=item_id, staff_id=me.id, reason=reason)
    except Problem as problem:
        return await _failed(request, session, me, item_id, problem)
    await session.commit()
    return RedirectResponse("/desk", status_code=303)


@router.post("/desk/work/{item_id}/callback", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def callback(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    at: Short = "",
    phone: Short = "",
    note: Text = "",
) -> Response:
    """Schedule a call-back to one of the citizen's phones at a local time of the agency."""
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


def _coordinate(value: str, name: str, limit: float) -> float | None:
    if not value.strip():
        return None
    try:
        return places.coordinate(value, limit=limit)
    except ValueError:
        raise invalid(
            f"The {name} is a number from -{limit:g} to {limit:g}, or empty.", FieldError(name, "not a coordinate")
        ) from None


def _location(sent: CaseForm) -> dict[str, Any] | None:
    """Where the case is: a typed address, a point, or both; the address register completes the rest."""
    lat, long = _coordinate(sent.lat, "latitude", 90), _coordinate(sent.long, "longitude", 180)
    if (lat is None) != (long is None):
        raise invalid("Give both the latitude and the longitude, or neither.", FieldError("lat", "half a point"))
    location: dict[str, Any] = {"address_string": sent.address} if sent.address else {}
    if lat is not None and long is not None:
        location.update(lat=lat, long=long)
    return location or None


async def _offered_service(session: AsyncSession, me: Principal, code: str) -> None:
    """Refuse a service the panel does not offer this agent (unknown, inactive or another agency's)."""
    stmt = select(Service.agency_id).where(Service.code == code, Service.active.is_(True))
    agency_id = (await session.execute(stmt)).scalar_one_or_none() if code else None
    if agency_id is None or not me.may_see(agency_id):
        raise invalid("Choose the service the case is for.", FieldError("service_code", "choose one of the list"))


def _item_channel(item: WorkItem) -> Channel:
    try:
        return Channel(item.channel)
    except ValueError:
        return Channel.web


@router.post("/desk/work/{item_id}/case", response_class=HTMLResponse, dependencies=[Depends(held_work_item)])
async def open_case(
    request: Request,
    item_id: uuid.UUID,
    session: SessionDep,
    me: CurrentStaff,
    service_code: Short = "",
    address: Short = "",
    lat: Short = "",
    long: Short = "",
    title: Short = "",
    description: Text = "",
) -> Response:
    """Open a case for the work in front of the agent: it joins the work's conversation, so what the citizen
    already sent is part of it, and close reports of the same service are linked as likely duplicates."""
    sent = CaseForm(service_code, address.strip(), lat.strip(), long.strip(), title.strip()[:200], description.strip())
    try:
        item = await _act_on_item(request, session, me, item_id)
        if item.case_id is not None or item.context.get("case_reference"):
            raise invalid("This work has a case already.")
        await _offered_service(session, me, sent.service_code)
        settings = settings_of(request)
        case = await casework.open_case(
            session,
            prefix=settings.case_reference_prefix,
            actor=me,
            service_code=sent.service_code,
            channel=_item_channel(item),
            title=sent.title or None,
            description=sent.description,
            citizen_id=item.citizen_id,
            location=_location(sent),
            conversation_id=item.conversation_id,
            duplicate_radius_m=settings.duplicate_radius_m,
        )
        item.case_id = case.id
        item.context = {**item.context, "case_reference": case.reference}
        await session.flush()
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _failed(request, session, me, item_id, problem, case_form=sent)
    await session.commit()
    return RedirectResponse(f"/desk/work/{item_id}#item-title", status_code=303)
