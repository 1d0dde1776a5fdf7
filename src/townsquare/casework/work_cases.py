"""Joining the work in front of an agent to one of the citizen's existing cases (opening a new one is
`work_actions.open_case`): the contact is then part of that case, and the join is on the audit log.

Only the holder of the work links it, only to a case of the same citizen that their agencies may see and that was
not merged away; a refusal is a `Problem` the workspace shows, and nothing is changed. Never commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.casework.work_actions import held_item
from townsquare.errors import FieldError, invalid
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Interaction
from townsquare.staff.auth import Principal

MAX_REFERENCE = 40


async def _their_case(session: AsyncSession, me: Principal, citizen_id: uuid.UUID, reference: str) -> Case:
    """The case by its reference if it is this citizen's and the agent's agencies may see it."""
    wanted = reference.strip().upper()[:MAX_REFERENCE]
    if not wanted:
        raise invalid("Choose the case this contact is about.", FieldError("reference", "choose one of their cases"))
    case = await cases.get_by_reference(session, reference=wanted)
    if case is None or not me.may_see(case.agency_id):  # unknown or another agency's: answered alike
        raise invalid(
            f"None of the cases your agencies may see has the reference {wanted}.",
            FieldError("reference", "not a case of your agencies"),
        )
    if case.citizen_id != citizen_id:
        raise invalid(
            f"Case {case.reference} is not this person's: link only a case of the person you are helping.",
            FieldError("reference", "another person's case"),
        )
    if case.merged_into_id is not None:
        raise invalid(
            f"Case {case.reference} was merged into another case as a duplicate; link that case instead.",
            FieldError("reference", "merged into another case"),
        )
    return case


async def link_case(session: AsyncSession, *, me: Principal, item_id: uuid.UUID, reference: str) -> Case:
    """Join the work to one of its citizen's existing cases: the work names the case, the work's conversation
    joins it (so what the person already sent shows on the case), and the audit log says who joined them."""
    item = await held_item(session, me, item_id)
    if item.case_id is not None or item.context.get("case_reference"):
        raise invalid("This work has a case already.")
    if item.citizen_id is None:
        raise invalid("This work has no citizen record, so it cannot join one of their cases.")
    case = await _their_case(session, me, item.citizen_id, reference)
    if item.conversation_id is not None:
        conversation = await interactions.get_conversation(session, conversation_id=item.conversation_id)
        if conversation.case_id not in (None, case.id):
            raise invalid("This conversation is part of another case already.")
        conversation.case_id = case.id
        await session.execute(
            update(Interaction)
            .where(Interaction.conversation_id == conversation.id, Interaction.case_id.is_(None))
            .values(case_id=case.id)
        )
    item.case_id = case.id
    item.context = {**item.context, "case_reference": case.reference}
    me.audit(
        session,
        action="work_item.link_case",
        subject_kind="work_item",
        subject_id=str(item.id),
        citizen_id=item.citizen_id,
        agency_id=item.agency_id,
        detail={"case_id": str(case.id), "reference": case.reference},
    )
    await session.flush()
    return case
