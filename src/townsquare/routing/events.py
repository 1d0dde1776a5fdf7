"""Events the routing domain publishes after commit (ids only, never personal data)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.events import Event, publish_after_commit
from townsquare.routing.models import Agent, WorkItem

WORK_ITEM_CHANGED = "work_item.changed"
AGENT_CHANGED = "agent.changed"


def item_changed(session: AsyncSession, item: WorkItem, **extra: str | None) -> None:
    """Tell desks and wallboards, once the transaction commits, that `item` moved."""
    data: dict[str, str | None] = {
        "work_item_id": str(item.id),
        "agency_id": str(item.agency_id),
        "status": item.status.value,
        "staff_id": str(item.assigned_to_id) if item.assigned_to_id else None,
        "channel": item.channel,
        "citizen_id": str(item.citizen_id) if item.citizen_id else None,
        "conversation_id": str(item.conversation_id) if item.conversation_id else None,
    }
    data.update(extra)
    publish_after_commit(session, Event(WORK_ITEM_CHANGED, data))


def agent_changed(session: AsyncSession, agent: Agent) -> None:
    """Tell the agent's own desk and the wallboards that their presence changed."""
    publish_after_commit(
        session, Event(AGENT_CHANGED, {"staff_id": str(agent.staff_id), "presence": agent.presence.value})
    )
