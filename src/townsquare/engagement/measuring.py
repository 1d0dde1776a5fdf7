"""Step 6's note to analytics: every inbound contact the flow handled becomes a touch, in the same transaction.

What the touch says: who, when, on which channel, about which case, service or subject, and whether the assistant
answered it (`answered`) or could not (`failed`: it handed over, or did not understand).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics import touches
from townsquare.assistant.engine import Turn
from townsquare.engagement.placing import Placed
from townsquare.interactions.models import Direction
from townsquare.routing.models import WorkItem


def self_service(turn: Turn | None) -> str | None:
    """How the assistant did, when it answered the contact."""
    if turn is None:
        return None
    if turn.handoff is not None or turn.intent == "unknown":
        return touches.FAILED
    if turn.article is not None:
        return touches.ANSWERED
    return None


def note(session: AsyncSession, placed: Placed, *, item: WorkItem | None, turn: Turn | None) -> None:
    """Write the touch of one handled contact (inbound contacts only)."""
    interaction = placed.interaction
    if interaction.direction is not Direction.inbound:
        return
    case = placed.case
    case_id: uuid.UUID | None = case.id if case is not None else (item.case_id if item is not None else None)
    service = placed.service
    service_id = service.id if service is not None else (item.service_id if item is not None else None)
    article = turn.article if turn is not None else None
    agency_id = (
        case.agency_id
        if case is not None
        else service.agency_id
        if service is not None
        else item.agency_id
        if item is not None
        else article.agency_id  # the agency whose article answered
        if article is not None
        else None
    )
    touches.contact(
        session,
        citizen_id=placed.citizen.id,
        channel=interaction.channel.value,
        kind=interaction.kind.value,
        occurred_at=interaction.occurred_at,
        interaction_id=interaction.id,
        conversation_id=interaction.conversation_id,
        case_id=case_id,
        service_id=service_id,
        agency_id=agency_id,
        subject=f"article:{article.group_id}" if article is not None and service_id is None else None,
        self_service=self_service(turn),
        language=placed.citizen.language,
    )
