"""An identity check on the desk: the person handling a call or a visit says they checked who they are speaking
to. When the platform had already verified the person on this contact (a verified number or address, or the
assistant's own check), the check was one question too many: analytics counts it as *asked again*.

The check goes on the timeline as an internal note, once per piece of work; a second click changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics import touches
from townsquare.casework import desk
from townsquare.casework.work_actions import held_item
from townsquare.clock import utcnow
from townsquare.routing.models import WorkItem
from townsquare.staff.auth import Principal

CHECKED = "identity_checked_at"  # the work item's context key: when the check was made


def already_verified(context: dict[str, Any]) -> bool:
    """Whether the contact came with a proof of who it is: a verified handle, or the assistant's verification."""
    identified = context.get("identified_by")
    if isinstance(identified, dict) and identified.get("verified"):
        return True
    assistant = context.get("assistant")
    verified = assistant.get("verified") if isinstance(assistant, dict) else None
    return isinstance(verified, dict) and bool(verified.get("case_reference"))


def _contact(item: WorkItem) -> uuid.UUID | None:
    raw = (item.context or {}).get("first_interaction_id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def identity_checked(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> bool:
    """Note that `me` checked the person's identity during this work; True when that was asking again. Does not
    commit."""
    item = await held_item(session, me, item_id)
    context = dict(item.context or {})
    if context.get(CHECKED):
        return bool(context.get("identity_asked_again"))
    again = already_verified(context)
    await desk.add_note(
        session,
        actor=me,
        body="Identity checked with the person" + (" (they were already verified)" if again else ""),
        conversation_id=item.conversation_id,
        citizen_id=item.citizen_id,
        case_id=item.case_id,
        agency_id=item.agency_id,
    )
    contact = _contact(item)
    if again and contact is not None:
        await touches.asked_again(session, interaction_id=contact)
    item.context = {**context, CHECKED: utcnow().isoformat(), "identity_asked_again": again}
    return again
