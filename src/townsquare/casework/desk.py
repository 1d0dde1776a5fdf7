"""The agent desk's orchestration: the citizen 360 view, internal notes, and case assign/link/merge with their
timeline notes and audit entries.

The 360 view is read with a fixed number of queries whatever the record's size; nothing here commits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.cases.service import LinkView
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.drafts.service import OpenDraft
from townsquare.errors import FieldError, invalid
from townsquare.interactions import service as interactions
from townsquare.interactions.models import (
    Attachment,
    Channel,
    Conversation,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.routing.models import Agent
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount, StaffAgency

# The newest touchpoints a 360 or work page shows at once, with a link to the earlier ones: the last weeks of a
# frequent caller's story, and a page of ~35 KB and ~10 ms of a server's time for a resident with a thousand
# contacts (a whole history made it 500 KB and 300 ms; 100 a page, 57 KB and a p95 over 100 ms at city scale).
TIMELINE_LIMIT = 50
CITIZEN_CASES_LIMIT = 500
# Channels a reply reaches through an identity of this kind; chat and web reach the person's own sessions.
CHANNELS_BY_IDENTITY: dict[IdentityKind, tuple[Channel, ...]] = {
    IdentityKind.phone: (Channel.sms, Channel.voice),
    IdentityKind.email: (Channel.email,),
    IdentityKind.social: (Channel.social,),
    IdentityKind.device: (Channel.chat,),  # a chat widget's device: replies reach every open chat of the person
    IdentityKind.postal: (Channel.mail,),  # a letter by post
}
SESSION_CHANNELS = (Channel.chat, Channel.web, Channel.mobile)


@dataclass
class Citizen360:
    """Everything the desk shows about one person, loaded in one go."""

    citizen: Citizen
    cases: list[Case]
    links: dict[uuid.UUID, list[LinkView]]
    timeline: list[Interaction]
    earlier: tuple[datetime, uuid.UUID] | None  # cursor of the next, older page; None when this is the start
    staff_names: dict[uuid.UUID, str]
    case_refs: dict[uuid.UUID, str] = field(default_factory=dict)
    drafts: list[OpenDraft] = field(default_factory=list)  # unsent applications, without their answers


async def citizen_360(
    session: AsyncSession,
    *,
    citizen_id: uuid.UUID,
    agency_ids: set[uuid.UUID] | None,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = TIMELINE_LIMIT,
) -> Citizen360:
    """A citizen with identities, the cases `agency_ids` may see with their links, the newest `limit` touchpoints
    on every channel (older than `before`) with attachments and staff names, and the unsent applications for
    services of those agencies: at most eight queries, whatever the record's size."""
    citizen = await citizens.get(session, citizen_id=citizen_id)
    case_stmt = select(Case).where(Case.citizen_id == citizen_id)
    if agency_ids is not None:
        case_stmt = case_stmt.where(Case.agency_id.in_(agency_ids))
    case_stmt = case_stmt.order_by(Case.created_at.desc()).limit(CITIZEN_CASES_LIMIT)
    their_cases = list((await session.execute(case_stmt)).scalars())
    links: dict[uuid.UUID, list[LinkView]] = defaultdict(list)
    for view in await cases.links_for(session, case_ids=[c.id for c in their_cases]):
        links[view.link.case_id].append(view)
        links[view.link.linked_case_id].append(view)
    timeline, earlier = await _timeline_page(session, citizen_id, agency_ids, before, limit)
    wanted = {i.staff_id for i in timeline if i.staff_id} | {c.assigned_to_id for c in their_cases if c.assigned_to_id}
    names = await staff_names(session, ids=wanted)
    return Citizen360(
        citizen=citizen,
        cases=their_cases,
        links=dict(links),
        timeline=timeline,
        earlier=earlier,
        staff_names=names,
        case_refs={c.id: c.reference for c in their_cases},
        drafts=await drafts.open_drafts(session, citizen_id=citizen_id, agency_ids=agency_ids),
    )


async def _timeline_page(
    session: AsyncSession,
    citizen_id: uuid.UUID,
    agency_ids: set[uuid.UUID] | None,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Interaction], tuple[datetime, uuid.UUID] | None]:
    """Newest first; attachments in one query however many rows (a selectin load would batch by 500)."""
    ids = select(Interaction.id).where(Interaction.citizen_id == citizen_id)
    if before is not None:
        ids = ids.where(interactions.older_than(before))
    visible = cases.visible_case(Interaction.case_id, agency_ids)
    if visible is not None:
        ids = ids.where(visible)
    ids = ids.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit + 1)
    page = ids.subquery()
    stmt = (
        select(Interaction)
        .join(page, page.c.id == Interaction.id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    )
    rows = list((await session.execute(stmt)).scalars())
    files = await session.execute(
        select(Attachment)
        .join(page, page.c.id == Attachment.interaction_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    by_item: dict[uuid.UUID, list[Attachment]] = defaultdict(list)
    for attachment in files.scalars():
        by_item[attachment.interaction_id].append(attachment)
    shown = rows[:limit]
    for item in shown:
        set_committed_value(item, "attachments", by_item.get(item.id, []))
    earlier = (shown[-1].occurred_at, shown[-1].id) if len(rows) > limit else None
    return shown, earlier


async def staff_names(session: AsyncSession, *, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of staff accounts by id; one query, none when there are no ids."""
    if not ids:
        return {}
    rows = await session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(list(ids)))
    )
    return {row[0]: row[1] for row in rows}


class StaffChoice(NamedTuple):
    """A staff member as a choice in a form: whom to assign a case or transfer work to."""

    id: uuid.UUID
    display_name: str
    agent: bool  # has a routing profile, so work can be transferred to them


async def agency_staff(session: AsyncSession, *, agency_id: uuid.UUID) -> list[StaffChoice]:
    """Active staff members of an agency, by name, each marked whether they are an agent: whom a case can be
    assigned (or, agents only, work transferred) to. One query, reading three columns."""
    stmt = (
        select(StaffAccount.id, StaffAccount.display_name, Agent.staff_id.is_not(None))
        .join(StaffAgency, StaffAgency.staff_id == StaffAccount.id)
        .outerjoin(Agent, Agent.staff_id == StaffAccount.id)
        .where(StaffAgency.agency_id == agency_id, StaffAccount.active.is_(True))
        .order_by(StaffAccount.display_name, StaffAccount.id)
    )
    return [StaffChoice(staff_id, name, bool(agent)) for staff_id, name, agent in await session.execute(stmt)]


def reply_channels(citizen: Citizen, conversation: Conversation | None) -> list[Channel]:
    """Channels a reply can reach this person on: those of their identities, and the conversation's own
    chat or web session."""
    found: list[Channel] = []
    if conversation is not None and conversation.channel in SESSION_CHANNELS:
        found.append(conversation.channel)
    for identity in citizen.identities:
        for channel in CHANNELS_BY_IDENTITY.get(identity.kind, ()):
            if channel not in found:
                found.append(channel)
    return found


def fill_placeholders(body: str, *, citizen: Citizen | None, case_reference: str | None) -> str:
    """A canned response with `{first_name}` and `{case_reference}` filled (left readable when unknown)."""
    first = (citizen.given_name or (citizen.display_name or "").split(" ")[0]) if citizen else ""
    return body.replace("{first_name}", first or "there").replace("{case_reference}", case_reference or "your case")


async def add_note(
    session: AsyncSession,
    *,
    actor: Principal,
    body: str,
    conversation_id: uuid.UUID | None,
    citizen_id: uuid.UUID | None,
    case_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
) -> Interaction:
    """An internal note on the citizen's timeline (in the conversation, else a new one); never sent anywhere."""
    text = body.strip()
    if not text:
        raise invalid("A note needs some text.", FieldError("body", "empty"))
    if conversation_id is not None:
        conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    elif citizen_id is not None:
        conversation = await interactions.start_conversation(
            session, citizen_id=citizen_id, channel=Channel.web, case_id=case_id
        )
    else:
        raise invalid("This work has no citizen record, so a note has no timeline to go on.")
    note = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.web,
        direction=Direction.internal,
        kind=InteractionKind.note,
        body=text,
        case_id=case_id,
        staff_id=actor.id,
    )
    actor.audit(
        session,
        action="interaction.note",
        subject_kind="interaction",
        subject_id=str(note.id),
        citizen_id=conversation.citizen_id,
        agency_id=agency_id,
    )
    return note


async def _case_note(
    session: AsyncSession, *, actor: Principal, case: Case, body: str, payload: dict[str, str]
) -> None:
    """A status-change entry on the case's timeline (nothing when the case has no citizen)."""
    if case.citizen_id is None:
        return
    conversation = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=case.citizen_id)
    if conversation is None:
        conversation = await interactions.start_conversation(
            session, citizen_id=case.citizen_id, channel=Channel(case.opened_channel), case_id=case.id
        )
    await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.web,
        direction=Direction.internal,
        kind=InteractionKind.status_change,
        body=body,
        payload=payload,
        case_id=case.id,
        staff_id=actor.id,
    )


async def assign_case(session: AsyncSession, *, actor: Principal, case: Case, staff_id: uuid.UUID | None) -> Case:
    """Give a case to a member of its agency (or nobody), noted on its timeline and in the audit log."""
    previous = await cases.assign(session, case=case, staff_id=staff_id)
    names = await staff_names(session, ids={staff_id} if staff_id else set())
    whom = names.get(staff_id, "nobody") if staff_id else "nobody"
    await _case_note(
        session,
        actor=actor,
        case=case,
        body=f"Case {case.reference} assigned to {whom}",
        payload={"assigned_to": str(staff_id) if staff_id else ""},
    )
    actor.audit(
        session,
        action="case.assign",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=case.citizen_id,
        agency_id=case.agency_id,
        detail={"from": str(previous) if previous else None, "to": str(staff_id) if staff_id else None},
    )
    return case


async def assign_team(
    session: AsyncSession, *, actor: Principal, case: Case, team_id: uuid.UUID | None, team_name: str | None
) -> Case:
    """Give a case to a team of its agency (any member may pick it up), or take it from its team; noted on its
    timeline and in the audit log. The caller has checked the team is the case's agency's."""
    previous = case.assigned_team_id
    case.assigned_team_id = team_id
    case.updated_at = utcnow()
    await _case_note(
        session,
        actor=actor,
        case=case,
        body=f"Case {case.reference} given to the team {team_name}"
        if team_id
        else f"Case {case.reference} taken from its team",
        payload={"assigned_team": str(team_id) if team_id else ""},
    )
    actor.audit(
        session,
        action="case.assign_team",
        subject_kind="case",
        subject_id=str(case.id),
        citizen_id=case.citizen_id,
        agency_id=case.agency_id,
        detail={"from": str(previous) if previous else None, "to": str(team_id) if team_id else None},
    )
    return case


async def link_cases(
    session: AsyncSession, *, actor: Principal, case: Case, other_reference: str, kind: str
) -> LinkView:
    """Link two cases the actor may see; `duplicate` merges `case` into the other, closing it, with a note on
    both timelines."""
    other = await cases.get_by_reference(session, reference=other_reference)
    if other is None or not actor.may_see(other.agency_id):
        raise invalid(
            f"No case you may see has the reference '{other_reference.strip()[:40]}'.",
            FieldError("reference", "unknown case"),
        )
    if kind == "duplicate":
        row = await cases.merge(session, duplicate=case, into=other, staff_id=actor.id)
        await _case_note(
            session,
            actor=actor,
            case=case,
            body=f"Merged into {other.reference} as a duplicate; this case is closed",
            payload={"merged_into": other.reference},
        )
        await _case_note(
            session,
            actor=actor,
            case=other,
            body=f"{case.reference} was merged into this case as a duplicate",
            payload={"merged_from": case.reference},
        )
        action = "case.merge"
    else:
        row = await cases.link(session, case=case, other=other, kind=kind, staff_id=actor.id)
        action = "case.link"
    for subject in (case, other):
        actor.audit(
            session,
            action=action,
            subject_kind="case",
            subject_id=str(subject.id),
            citizen_id=subject.citizen_id,
            agency_id=subject.agency_id,
            detail={"case": str(case.id), "linked_case": str(other.id), "kind": row.kind},
        )
    return LinkView(row, case.reference, other.reference)
