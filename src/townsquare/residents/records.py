"""The residents' own view of their record: their cases with the case's timeline, their conversations, and
answering one of them through the engagement pipeline.

Everything here is scoped to one citizen and never returns staff-internal entries (notes, assignments): a
resident sees what they sent, what was sent to them, and how their case moved. Nothing here commits except
`answer`, which hands the message to the pipeline (that owns its transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies import form_versions
from townsquare.agencies.models import Agency, Service, ServiceAttribute
from townsquare.cases.models import Case
from townsquare.citizens.models import Identity
from townsquare.engagement.messages import InboundMessage, Outcome
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, invalid, not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction, InteractionKind
from townsquare.routing.models import WorkItem
from townsquare.staff.models import StaffAccount

PAGE_SIZE = 100
CASES_LIMIT = 200
CONVERSATIONS_LIMIT = 50
# A status-change entry is the resident's to see when it says how the case moved; assignments are staff business.
STATUS_KEYS = ("to", "status", "merged_into", "merged_from")
Cursor = interactions.TimelineCursor


def is_message() -> ColumnElement[bool]:
    """Something the resident sent or was sent (never a staff note)."""
    return and_(
        Interaction.direction.in_((Direction.inbound, Direction.outbound)), Interaction.kind != InteractionKind.note
    )


def visible_to_resident() -> ColumnElement[bool]:
    """Touchpoints a resident may see: messages both ways, status changes that say how their case moved, and what
    happened to their appointments."""
    moved = or_(*(Interaction.payload[key].as_string().is_not(None) for key in STATUS_KEYS))
    return or_(
        is_message(),
        and_(Interaction.kind == InteractionKind.status_change, moved),
        Interaction.kind == InteractionKind.appointment,
    )


async def first_names(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Staff first names only: a resident is told who answered, not their full name."""
    rows = await session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(list(ids)))
    )
    return {row_id: (name.split() or ["-"])[0] for row_id, name in rows}


@dataclass(frozen=True)
class CaseRow:
    """One line of "my cases"."""

    case: Case
    service: Service | None
    last_update: datetime


async def cases_of(
    session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = CASES_LIMIT, offset: int = 0
) -> tuple[list[CaseRow], int]:
    """The citizen's cases, the most recent activity first (a status change or anything they can see), with the
    total; three queries."""
    last_seen = (
        select(Interaction.case_id, func.max(Interaction.occurred_at).label("last"))
        .where(Interaction.citizen_id == citizen_id, Interaction.case_id.is_not(None), visible_to_resident())
        .group_by(Interaction.case_id)
        .subquery()
    )
    activity = when(
        (last_seen.c.last.is_not(None) & (last_seen.c.last > Case.updated_at), last_seen.c.last),
        else_=Case.updated_at,
    )
    stmt = (
        select(Case, activity.label("activity"))
        .outerjoin(last_seen, last_seen.c.case_id == Case.id)
        .where(Case.citizen_id == citizen_id)
        .order_by(activity.desc(), Case.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(stmt)).all()
    total = (await session.execute(select(func.count(Case.id)).where(Case.citizen_id == citizen_id))).scalar_one()
    service_ids = {c.service_id for c, _ in rows if c.service_id}
    services = {s.id: s for s in (await session.execute(select(Service).where(Service.id.in_(service_ids)))).scalars()}
    found = [CaseRow(c, services.get(c.service_id) if c.service_id else None, at) for c, at in rows]
    return found, int(total)


@dataclass(frozen=True)
class CaseView:
    """One of the citizen's cases with what it is about."""

    case: Case
    service: Service | None  # with its attributes (the form's questions)
    agency: Agency
    conversation: Conversation | None  # where messages about it go
    questions: list[ServiceAttribute] = field(default_factory=list)  # as the version it was answered against


async def case_of(session: AsyncSession, *, citizen_id: uuid.UUID, reference: str) -> CaseView | None:
    """The citizen's case with this reference; None for a case that does not exist or is someone else's."""
    found = (
        await session.execute(
            select(Case).where(Case.reference == reference.strip().upper()[:32], Case.citizen_id == citizen_id)
        )
    ).scalar_one_or_none()
    if found is None:
        return None
    service = None
    if found.service_id is not None:
        service = (
            await session.execute(
                select(Service).where(Service.id == found.service_id).options(selectinload(Service.attributes))
            )
        ).scalar_one_or_none()
    agency = await session.get_one(Agency, found.agency_id)
    conversation = await interactions.conversation_for_case(session, case_id=found.id, citizen_id=citizen_id)
    version = await form_versions.get_version(session, version_id=found.form_version_id)
    questions = form_versions.questions(version) if version is not None else list(service.attributes if service else [])
    return CaseView(found, service, agency, conversation, questions)


@dataclass(frozen=True)
class TimelinePage:
    """Newest first, with the cursor of the next, older page (None at the start of the record)."""

    entries: list[Interaction]
    earlier: Cursor | None
    staff: dict[uuid.UUID, str] = field(default_factory=dict)  # first names


async def case_timeline(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    case_id: uuid.UUID,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> TimelinePage:
    """Everything on the case the resident may see, on every channel, newest first, `limit` at a time."""
    stmt = (
        select(Interaction)
        .options(selectinload(Interaction.attachments))
        .where(Interaction.case_id == case_id, Interaction.citizen_id == citizen_id, visible_to_resident())
    )
    if before is not None:
        stmt = stmt.where(interactions.older_than(before))
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    shown = rows[:limit]
    earlier = (shown[-1].occurred_at, shown[-1].id) if len(rows) > limit else None
    names = await first_names(session, {i.staff_id for i in shown if i.staff_id})
    return TimelinePage(shown, earlier, names)


@dataclass(frozen=True)
class ConversationRow:
    """One line of the resident's messages."""

    conversation: Conversation
    case: Case | None
    service: Service | None  # the case's service, for its name in the page's language
    channels: list[Channel]
    last: Interaction | None  # the latest message either way


async def conversations_of(
    session: AsyncSession, *, citizen_id: uuid.UUID, limit: int = CONVERSATIONS_LIMIT, offset: int = 0
) -> tuple[list[ConversationRow], int]:
    """The citizen's conversations that hold something they can see, the most recently active first, with the
    total, their channels and latest message; six queries."""
    shows = exists(select(Interaction.id).where(Interaction.conversation_id == Conversation.id, visible_to_resident()))
    base = select(Conversation).where(Conversation.citizen_id == citizen_id, shows)
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
    page = list(
        (
            await session.execute(
                base.order_by(Conversation.last_activity_at.desc(), Conversation.id.desc()).limit(limit).offset(offset)
            )
        ).scalars()
    )
    ids = [c.id for c in page]
    channel_rows = await session.execute(
        select(Interaction.conversation_id, Interaction.channel)
        .where(Interaction.conversation_id.in_(ids), is_message())
        .distinct()
        .order_by(Interaction.channel)
    )
    channels: dict[uuid.UUID, list[Channel]] = {}
    for conversation_id, channel in channel_rows:
        channels.setdefault(conversation_id, []).append(channel)
    ranked = (
        select(
            Interaction.id,
            func.row_number()
            .over(
                partition_by=Interaction.conversation_id,
                order_by=(Interaction.occurred_at.desc(), Interaction.id.desc()),
            )
            .label("n"),
        )
        .where(Interaction.conversation_id.in_(ids), is_message())
        .subquery()
    )
    latest = await session.execute(
        select(Interaction).join(ranked, ranked.c.id == Interaction.id).where(ranked.c.n == 1)
    )
    last = {i.conversation_id: i for i in latest.scalars()}
    case_ids = {c.case_id for c in page if c.case_id}
    their_cases = {c.id: c for c in (await session.execute(select(Case).where(Case.id.in_(case_ids)))).scalars()}
    service_ids = {c.service_id for c in their_cases.values() if c.service_id}
    services = {s.id: s for s in (await session.execute(select(Service).where(Service.id.in_(service_ids)))).scalars()}
    rows = []
    for c in page:
        about = their_cases.get(c.case_id) if c.case_id else None
        service = services.get(about.service_id) if about and about.service_id else None
        rows.append(ConversationRow(c, about, service, channels.get(c.id, []), last.get(c.id)))
    return rows, int(total)


@dataclass(frozen=True)
class ConversationView:
    """One of the citizen's conversations: its messages (oldest first on the page), who sent them, and the case."""

    conversation: Conversation
    case: Case | None
    service: Service | None
    agency: Agency | None  # who answers: the case's agency, else the agency whose queue holds it
    messages: list[Interaction]
    earlier: Cursor | None
    staff: dict[uuid.UUID, str] = field(default_factory=dict)  # first names


async def conversation_of(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    conversation_id: uuid.UUID,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> ConversationView | None:
    """The citizen's conversation with its latest `limit` messages before `before`; None if it is not theirs."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.citizen_id != citizen_id:
        return None
    stmt = (
        select(Interaction)
        .options(selectinload(Interaction.attachments))
        .where(Interaction.conversation_id == conversation.id, is_message())
    )
    if before is not None:
        stmt = stmt.where(interactions.older_than(before))
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    shown = rows[:limit]
    earlier = (shown[-1].occurred_at, shown[-1].id) if len(rows) > limit else None
    found_case = await session.get(Case, conversation.case_id) if conversation.case_id else None
    agency_id = found_case.agency_id if found_case else None
    if agency_id is None:
        agency_id = (
            await session.execute(
                select(WorkItem.agency_id)
                .where(WorkItem.conversation_id == conversation.id)
                .order_by(WorkItem.created_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    agency = await session.get(Agency, agency_id) if agency_id else None
    service = await session.get(Service, found_case.service_id) if found_case and found_case.service_id else None
    names = await first_names(session, {i.staff_id for i in shown if i.staff_id})
    return ConversationView(conversation, found_case, service, agency, list(reversed(shown)), earlier, names)


def full_text(interaction: Interaction) -> str:
    """The fullest text of a touchpoint: an outbound message's untruncated text when it was shortened for SMS."""
    kept = (interaction.payload or {}).get("full_text")
    return kept if isinstance(kept, str) and kept.strip() else interaction.body


def answer_id(citizen_id: uuid.UUID, client_id: str) -> str:
    """The external id of a portal answer: the form's one-time id, scoped to the citizen so it cannot collide."""
    try:
        token = uuid.UUID(client_id.strip())
    except ValueError:
        raise invalid(
            "The form was not complete; reload the page and send again.", FieldError("client_id", "bad")
        ) from None
    return f"portal:{citizen_id}:{token}"


async def answer(
    session: AsyncSession,
    *,
    pipeline: Pipeline,
    citizen_id: uuid.UUID,
    conversation_id: uuid.UUID,
    text: str,
    client_id: str,
) -> Outcome:
    """The resident's reply in one of their conversations, through the pipeline like any contact (recorded once
    however often the form is sent); commits."""
    body = text.strip()
    if not body:
        raise invalid("A message needs some text.", FieldError("text", "empty"))
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.citizen_id != citizen_id:
        raise not_found("Conversation")
    message = InboundMessage(
        channel=Channel.web,
        kind=InteractionKind.message,
        text=body,
        citizen_id=citizen_id,
        conversation_id=conversation.id,
        external_id=answer_id(citizen_id, client_id),
    )
    return await pipeline.ingest(session, message)


async def owns_conversation(session: AsyncSession, *, citizen_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    """Whether the conversation is this citizen's."""
    stmt = select(Conversation.id).where(Conversation.id == conversation_id, Conversation.citizen_id == citizen_id)
    return (await session.execute(stmt)).first() is not None


async def owns_identity(session: AsyncSession, *, citizen_id: uuid.UUID, identity_id: uuid.UUID) -> bool:
    """Whether the identity (a phone, an email, a device) is this citizen's."""
    stmt = select(Identity.id).where(Identity.id == identity_id, Identity.citizen_id == citizen_id)
    return (await session.execute(stmt)).first() is not None
