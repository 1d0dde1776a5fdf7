"""What staff keep of their own work on the desk: the case-list views they saved."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin


class SavedView(IdMixin, Base):
    """A case list's filters and order under a name: the owner's own, or shared with one of the owner's teams
    (every member sees it). `query` is the list's query string as the page writes it, filters only."""

    __tablename__ = "saved_case_views"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
