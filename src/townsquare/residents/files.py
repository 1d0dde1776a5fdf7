"""A resident's own files: what they sent us and what we sent them (a letter's PDF), to download from the portal.

Only files of their own timeline that staff did not write for themselves (no internal notes), and only files we
keep (a provider's link is not ours to serve).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.interactions.models import Attachment, Direction, Interaction


@dataclass(frozen=True)
class OwnFile:
    filename: str
    content_type: str
    sha256: str


async def own_file(session: AsyncSession, *, citizen_id: uuid.UUID, attachment_id: uuid.UUID) -> OwnFile | None:
    """The file if it is on the resident's own timeline and kept here; None otherwise (the same for both)."""
    row = (
        await session.execute(
            select(Attachment.filename, Attachment.content_type, Attachment.sha256)
            .join(Interaction, Interaction.id == Attachment.interaction_id)
            .where(
                Attachment.id == attachment_id,
                Interaction.citizen_id == citizen_id,
                Interaction.direction != Direction.internal,
                Attachment.sha256.is_not(None),
            )
        )
    ).first()
    if row is None or row.sha256 is None:
        return None
    return OwnFile(row.filename, row.content_type, row.sha256)
