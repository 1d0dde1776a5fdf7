"""Publishing the routing domain's events after commit, built from its rows (`events.catalogue` names them)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.events import AgentChanged, WorkItemChanged, publish_after_commit
from townsquare.routing.models import Agent, WorkItem


def item_changed(
    session: AsyncSession,
    item: WorkItem,
    *,
    reason: str | None = None,
    staff_id: uuid.UUID | str | None = None,
    interaction_id: uuid.UUID | str | None = None,
) -> None:
    """Tell desks and wallboards, once the transaction commits, that `item` moved; `staff_id` names the agent
    concerned when it is not the holder (the one who just let it go)."""
    holder = staff_id if staff_id is not None else item.assigned_to_id
    publish_after_commit(
        session,
        WorkItemChanged(
            work_item_id=item.id,
            agency_id=item.agency_id,
            status=item.status.value,
            channel=item.channel,
            staff_id=_id(holder),
            citizen_id=item.citizen_id,
            conversation_id=item.conversation_id,
            interaction_id=_id(interaction_id),
            reason=reason,
        ),
    )


def agent_changed(session: AsyncSession, agent: Agent) -> None:
    """Tell the agent's own desk and the wallboards that their presence changed."""
    publish_after_commit(session, AgentChanged(staff_id=agent.staff_id, presence=agent.presence.value))


def _id(value: uuid.UUID | str | None) -> uuid.UUID | None:
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(value)
