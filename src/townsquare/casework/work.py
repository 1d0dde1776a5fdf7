"""The work page as one typed read model (`WorkView`): the work item, the citizen 360 view, the reply box's
channels and canned responses, suggested answers, what the assistant established, and the panels for routing
and for opening a case or joining one of the citizen's own.

Reads only what the staff member's agencies may see, in a fixed number of queries however long the record is;
`read_work` writes the access-log row and commits it before the page may be shown, and nothing else here writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import desk
from townsquare.casework import work_catalogue as catalogue
from townsquare.casework.handoff import handoff_summary
from townsquare.casework.work_catalogue import AgencyChoice, Canned, TeamChoice, WrapUp
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.engagement import post_out
from townsquare.errors import not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction
from townsquare.knowledge import rendering as knowledge_rendering
from townsquare.knowledge import service as knowledge
from townsquare.knowledge.search import Hit, KnowledgeIndex
from townsquare.routing import engine
from townsquare.routing.models import WorkItem, WorkItemStatus, WorkTransfer
from townsquare.staff.auth import Principal

MAX_TEXT = 20000
SUGGESTIONS = 3  # suggested answers beside the conversation
QUESTION_MESSAGES = 3  # the citizen's latest messages they are searched with
MAX_QUESTION = 1000


@dataclass
class CaseForm:
    """The "Open a case" panel's fields: prefilled, or what was just sent when it was refused."""

    service_code: str = ""
    address: str = ""
    lat: str = ""
    long: str = ""
    title: str = ""
    description: str = ""


@dataclass
class WorkView:
    """Everything the work page shows, read in one go."""

    item: WorkItem
    holds: bool
    queue_name: str | None
    agency: AgencyChoice
    tz: str
    other_agencies: list[AgencyChoice]
    view: desk.Citizen360 | None
    case: Case | None
    case_reference: str | None
    conversation: Conversation | None
    channels: list[Channel]
    default_channel: Channel | None
    canned: tuple[Canned, ...]
    filled: dict[str, str]
    draft: str
    suggestions: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    wrap_up_codes: tuple[WrapUp, ...]
    teams: tuple[TeamChoice, ...]
    agents: list[desk.StaffChoice]
    assignable: list[desk.StaffChoice]
    holder_names: dict[uuid.UUID, str]
    transitions: list[CaseStatus]
    phones: list[Identity]
    transfers: list[WorkTransfer]  # how the work was passed on (transfers and escalations), oldest first
    open_case: dict[str, Any] | None = None
    linkable: list[Case] = field(default_factory=list)  # the citizen's cases the work may join instead
    service_name: str | None = None  # the service the contact is about, by its name (its code is in the context)
    earlier: tuple[datetime, uuid.UUID] | None = field(default=None)

    def page(self) -> dict[str, Any]:
        """The view's fields by name, for a template (shallow: the records themselves, not copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def holds(me: Principal, item: WorkItem) -> bool:
    """Whether this staff member is the one handling the work (others of its agency may only read it)."""
    return item.assigned_to_id == me.id and item.status is WorkItemStatus.assigned


async def work_item_in_scope(session: AsyncSession, me: Principal, item_id: uuid.UUID) -> WorkItem:
    """The work item if the staff member's agencies own it, else 404 as for one that does not exist."""
    item = await engine.get_item(session, item_id=item_id)
    if not me.may_see(item.agency_id):
        raise not_found("Work item", "No work item has that id.")
    return item


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


async def _suggestions(
    session: AsyncSession, index: KnowledgeIndex, question: str, language: str, public_url: str
) -> list[dict[str, Any]]:
    """The knowledge base's best answers to what the citizen wrote: the search every channel uses."""
    if not question.strip():
        return []
    hits = await index.search(session, question, language=language, limit=SUGGESTIONS)
    return [_suggestion(h, public_url) for h in hits]


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


async def _case_panel(
    session: AsyncSession, me: Principal, item: WorkItem, timeline: list[Interaction] | None, sent: CaseForm | None
) -> dict[str, Any]:
    """The services the agent may open a case for, and the form prefilled with the citizen's last message."""
    services = await catalogue.case_services(session, agency_ids=me.agency_ids)
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


@dataclass(frozen=True)
class WorkRequest:
    """What the page was asked for: a canned response or an article to pre-fill the reply box, an older page
    of the timeline, and what was just typed when an action was refused."""

    draft: str = ""
    canned: str = ""
    suggest: str = ""
    before: tuple[datetime, uuid.UUID] | None = None
    case_form: CaseForm | None = None


async def work_view(
    session: AsyncSession,
    *,
    me: Principal,
    item: WorkItem,
    index: KnowledgeIndex,
    public_url: str,
    asked: WorkRequest,
) -> WorkView:
    """The work page's read model; writes nothing."""
    before = asked.before
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
    queue_name = await catalogue.queue_name(session, queue_id=item.queue_id)
    agency_list = await catalogue.agencies(session)
    agency = next(a for a in agency_list if a.id == item.agency_id)
    case = next((c for c in view.cases if c.id == item.case_id), None) if view else None
    case_reference = case.reference if case else item.context.get("case_reference")
    language = view.citizen.language if view else item.language
    canned_list = await catalogue.canned(session, agency_id=item.agency_id, language=language)
    filled = {
        c.slug: desk.fill_placeholders(c.body, citizen=view.citizen if view else None, case_reference=case_reference)
        for c in canned_list
    }
    draft = asked.draft
    if asked.canned and asked.canned in filled and not draft:
        draft = filled[asked.canned]
    newest = view.timeline if view and before is None else None
    question = await _latest_questions(session, item, newest)
    suggestions = await _suggestions(session, index, question, language, public_url)
    if asked.suggest and not draft:
        draft = await _suggested_reply(session, asked.suggest, suggestions, public_url)
    channels = desk.reply_channels(view.citizen, conversation) if view else []
    default_channel = conversation.channel if conversation and conversation.channel in channels else None
    if view and default_channel is Channel.mail:  # an answer to a letter: by letter unless they prefer another way
        default_channel = post_out.choose(Channel.mail, view.citizen.preferred_channels, set(channels))
    holder_ids = {i for i in (item.assigned_to_id, item.target_staff_id) if i}
    staff = await desk.agency_staff(session, agency_id=item.agency_id)
    case_agency = case.agency_id if case else item.agency_id
    assignable = staff if case_agency == item.agency_id else await desk.agency_staff(session, agency_id=case_agency)
    names = {s.id: s.display_name for s in staff}
    holder_names = (
        {i: names[i] for i in holder_ids}
        if holder_ids <= names.keys()
        else await desk.staff_names(session, ids=holder_ids)
    )
    work = WorkView(
        item=item,
        holds=holds(me, item),
        queue_name=queue_name,
        agency=agency,
        tz=agency.timezone,
        other_agencies=[a for a in agency_list if a.id != item.agency_id],
        view=view,
        case=case,
        case_reference=case_reference,
        conversation=conversation,
        channels=channels,
        default_channel=default_channel or (channels[0] if channels else None),
        canned=canned_list,
        filled=filled,
        draft=draft,
        suggestions=suggestions,
        handoff=handoff_summary(item.context, public_url),
        wrap_up_codes=await catalogue.wrap_ups(session, agency_id=item.agency_id),
        teams=await catalogue.teams(session, agency_id=item.agency_id),
        agents=[a for a in staff if a.agent and a.id != me.id],
        assignable=assignable,
        holder_names=holder_names,
        transitions=sorted(cases.TRANSITIONS[case.status]) if case else [],
        phones=[i for i in view.citizen.identities if i.kind is IdentityKind.phone] if view else [],
        transfers=await engine.transfers_of(session, item_id=item.id),
        earlier=view.earlier if view else None,
        service_name=(await agencies.get_service_by_id(session, service_id=item.service_id)).name
        if item.service_id
        else None,
    )
    if case_reference is None and item.case_id is None and work.holds:
        work.open_case = await _case_panel(session, me, item, newest, asked.case_form)
        work.linkable = [c for c in view.cases if c.merged_into_id is None] if view else []
    return work


async def read_work(
    session: AsyncSession,
    *,
    me: Principal,
    item_id: uuid.UUID,
    index: KnowledgeIndex,
    public_url: str,
    purpose: str,
    asked: WorkRequest,
    refused: bool = False,
) -> WorkView:
    """The work page for a staff member of the item's agencies, with the read of the citizen's record written to
    the access log and committed before it is shown. `refused`: an action just failed, so what it did is
    rolled back first."""
    if refused:
        await session.rollback()
    item = await work_item_in_scope(session, me, item_id)
    work = await work_view(session, me=me, item=item, index=index, public_url=public_url, asked=asked)
    if work.view is not None:
        me.audit(
            session,
            action="citizen.read",
            subject_kind="citizen",
            subject_id=str(work.view.citizen.id),
            purpose=purpose,
            citizen_id=work.view.citizen.id,
            agency_id=item.agency_id,
            detail={"work_item_id": str(item.id)},
        )
    await session.commit()
    return work


async def agency_of_item(session: AsyncSession, *, item_id: uuid.UUID) -> uuid.UUID | None:
    """The agency owning a work item, or None if there is no such item (for deciding who hears of a change)."""
    item = await session.get(WorkItem, item_id)
    return item.agency_id if item is not None else None
