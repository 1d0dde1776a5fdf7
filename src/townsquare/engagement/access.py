"""Who may reach which record: the one authorization rule of each resource, as dependencies every door uses.

A record of another agency answers exactly as one that does not exist, so references and ids cannot be probed.
Every read of a person's data is written to the audit log and committed before the data leaves. Route bodies
never decide access themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen
from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Conversation, Interaction
from townsquare.routing import service as routing
from townsquare.staff.auth import CurrentPrincipal, Principal, Rule, enforces

READS = frozenset({"GET", "HEAD"})

CASE = Rule("case", 2, "a caller working for the case's agency")
CONVERSATION = Rule("conversation", 2, "a caller working for the agency that owns it (its case's, else its work's)")
INTERACTION = Rule("interaction", 2, "a caller who may see its case, else its conversation")
CITIZEN = Rule("citizen", 2, "any API caller: the record is shared; entries of another agency's case are hidden")


def purpose(request: Request) -> str:
    """Why a record was reached: the route, as `GET /api/v1/cases/{reference}`."""
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


@dataclass(frozen=True)
class Seen:
    """One record of a person that a caller was shown."""

    subject_kind: str
    subject_id: str
    citizen_id: uuid.UUID | None
    agency_id: uuid.UUID | None = None


async def audit_reads(
    session: AsyncSession, principal: Principal, request: Request, action: str, seen: Iterable[Seen]
) -> None:
    """One audit row per record shown (who, for which agencies, what, why, when), committed before it leaves."""
    why = purpose(request)
    for row in seen:
        principal.audit(
            session,
            action=action,
            subject_kind=row.subject_kind,
            subject_id=row.subject_id,
            citizen_id=row.citizen_id,
            agency_id=row.agency_id,
            purpose=why,
        )
    await session.commit()


def case_seen(case: Case) -> Seen:
    return Seen("case", str(case.id), case.citizen_id, case.agency_id)


async def case_in_scope(session: AsyncSession, principal: Principal, reference: str) -> Case:
    """The case with this reference if the caller may see it; another agency's answers as an unknown one."""
    case = await cases.get_by_reference(session, reference=reference)
    if case is None or not principal.may_see(case.agency_id):
        raise not_found("Case", f"No case has the reference '{reference}'.")
    return case


async def conversation_owners(session: AsyncSession, conversation: Conversation) -> set[uuid.UUID]:
    """The agencies a conversation belongs to: its case's, else those that have had work on it."""
    if conversation.case_id is not None:
        return {(await cases.get_by_id(session, case_id=conversation.case_id)).agency_id}
    return await routing.agencies_of_conversation(session, conversation_id=conversation.id)


async def conversation_in_scope(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    """The conversation if the caller may see it; another agency's answers as an unknown one."""
    conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    if not principal.may_see_any(await conversation_owners(session, conversation)):
        raise not_found("Conversation")
    return conversation


async def interaction_in_scope(session: AsyncSession, principal: Principal, interaction_id: uuid.UUID) -> Interaction:
    """The interaction if the caller may see its case (else its conversation); otherwise as an unknown one."""
    interaction = await interactions.get_interaction(session, interaction_id=interaction_id)
    if interaction.case_id is not None:
        owners = {(await cases.get_by_id(session, case_id=interaction.case_id)).agency_id}
    else:
        conversation = await interactions.get_conversation(session, conversation_id=interaction.conversation_id)
        owners = await conversation_owners(session, conversation)
    if not principal.may_see_any(owners):
        raise not_found("Interaction")
    return interaction


@enforces(CASE)
async def visible_case(reference: str, request: Request, session: SessionDep, principal: CurrentPrincipal) -> Case:
    """The case named in the path, read as the caller may (audited when read)."""
    case = await case_in_scope(session, principal, reference)
    if request.method in READS:
        await audit_reads(session, principal, request, "case.read", [case_seen(case)])
    return case


@enforces(CONVERSATION)
async def visible_conversation(
    conversation_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Conversation:
    """The conversation named in the path, read as the caller may (audited when read)."""
    conversation = await conversation_in_scope(session, principal, conversation_id)
    if request.method in READS:
        seen = Seen("conversation", str(conversation.id), conversation.citizen_id)
        await audit_reads(session, principal, request, "conversation.read", [seen])
    return conversation


@enforces(INTERACTION)
async def visible_interaction(
    interaction_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Interaction:
    """The interaction named in the path with its attachments, as the caller may (audited when read)."""
    interaction = await interaction_in_scope(session, principal, interaction_id)
    if request.method in READS:
        seen = [Seen("interaction", str(interaction.id), interaction.citizen_id)]
        seen += [Seen("attachment", str(a.id), interaction.citizen_id) for a in interaction.attachments]
        await audit_reads(session, principal, request, "interaction.read", seen)
    return interaction


async def _citizen(
    session: AsyncSession, principal: Principal, request: Request, citizen_id: uuid.UUID, action: str
) -> Citizen:
    citizen = await citizens.get(session, citizen_id=citizen_id)
    if request.method in READS:
        await audit_reads(session, principal, request, action, [Seen("citizen", str(citizen.id), citizen.id)])
    return citizen


@enforces(CITIZEN)
async def readable_citizen(
    citizen_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Citizen:
    """The citizen named in the path (a shared record), audited when read."""
    return await _citizen(session, principal, request, citizen_id, "citizen.read")


@enforces(CITIZEN)
async def citizen_for_timeline(
    citizen_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Citizen:
    """The citizen whose timeline is read, audited as a timeline read."""
    return await _citizen(session, principal, request, citizen_id, "timeline.read")


VisibleCase = Annotated[Case, Depends(visible_case)]
VisibleConversation = Annotated[Conversation, Depends(visible_conversation)]
VisibleInteraction = Annotated[Interaction, Depends(visible_interaction)]
ReadableCitizen = Annotated[Citizen, Depends(readable_citizen)]
TimelineCitizen = Annotated[Citizen, Depends(citizen_for_timeline)]
