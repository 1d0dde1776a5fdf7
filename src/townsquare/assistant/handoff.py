"""What a person taking over from the assistant is given: the transcript, the intent, what was verified, articles.

The shape is the one the desk shows (`work_item.context["assistant"]`); it is built from the conversation as
recorded, so it holds exactly what the person saw. Nothing here writes.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.interactions import service as interactions
from townsquare.interactions.models import Direction, Interaction
from townsquare.knowledge.models import Article, ArticleVersion

TRANSCRIPT_LENGTH = 20
REASONS = ("asked", "low_confidence", "not_helpful", "needs_person", "repeated_misses")
VIA = "assistant"


def speaker(interaction: Interaction) -> str:
    """Who said it, as the desk names them: the citizen, the assistant, or staff."""
    if interaction.direction is Direction.inbound:
        return "citizen"
    return "assistant" if (interaction.payload or {}).get("via") == VIA else "staff"


async def context(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    intent: str,
    reason: str,
    question: str | None,
    verified: dict[str, Any],
) -> dict[str, Any]:
    """The `assistant` entry of a handed-off work item's context."""
    if reason not in REASONS:
        raise ValueError(f"unknown hand-off reason {reason!r}")
    messages = await interactions.messages_after(session, conversation_id=conversation_id, limit=TRANSCRIPT_LENGTH)
    transcript = [{"from": speaker(m), "text": m.body, "at": m.occurred_at.isoformat()} for m in messages]
    version_ids: list[uuid.UUID] = []
    for m in messages:
        raw = (m.payload or {}).get("article_version_id") if m.direction is Direction.outbound else None
        if raw:
            parsed = uuid.UUID(str(raw))
            if parsed not in version_ids:
                version_ids.append(parsed)
    articles: list[dict[str, Any]] = []
    if version_ids:
        rows = await session.execute(
            select(ArticleVersion.id, ArticleVersion.title, ArticleVersion.number, Article.slug)
            .join(Article, Article.id == ArticleVersion.article_id)
            .where(ArticleVersion.id.in_(version_ids))
        )
        found = {row.id: {"slug": row.slug, "title": row.title, "version": row.number} for row in rows}
        articles = [found[v] for v in version_ids if v in found]
    return {
        "intent": intent,
        "reason": reason,
        "question": question or "",
        "transcript": transcript,
        "verified": dict(verified or {}),
        "articles": articles,
    }
