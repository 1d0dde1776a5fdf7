"""The assistant's memory of one conversation (`AssistantSession`): what it asked last and what it keeps.

`pending_data` holds the open question's details plus a few things kept across turns (the conversation's
language, the person's last question, the last article given). Nothing here commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.assistant.models import AssistantSession

KEPT = ("language", "question", "last_article_id")  # survive a change of pending question


async def load(session: AsyncSession, *, conversation_id: uuid.UUID) -> AssistantSession:
    """The conversation's assistant session, made on its first turn; locked until the caller's transaction
    ends (on PostgreSQL), so two processes answering the same conversation take turns and each reads the step
    the other left."""
    state = await session.get(AssistantSession, conversation_id, with_for_update=True)
    if state is None:
        state = AssistantSession(conversation_id=conversation_id, pending_data={}, verified={}, turns=0, misses=0)
        session.add(state)
        await session.flush()
    return state


def kept(state: AssistantSession, key: str) -> Any:
    return (state.pending_data or {}).get(key)


def remember(state: AssistantSession, **values: Any) -> None:
    """Keep values across turns (a new dict, so the JSON column is seen as changed)."""
    state.pending_data = {**(state.pending_data or {}), **values}


def set_pending(state: AssistantSession, pending: str | None, **data: Any) -> None:
    """What the assistant now waits for (None: nothing), with that question's details."""
    base = {k: v for k, v in (state.pending_data or {}).items() if k in KEPT}
    state.pending = pending
    state.pending_data = {**base, **data}


def pending_value(state: AssistantSession, key: str) -> Any:
    return (state.pending_data or {}).get(key) if state.pending else None
