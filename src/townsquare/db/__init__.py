"""Storage infrastructure: the declarative base, column types, the engine and sessions.

Knows nothing of any domain; domains import from here, never the other way. `Session` is the unit-of-work type
the edges name in their signatures (dependencies, helpers), so no edge needs to import the ORM itself.
"""

from sqlalchemy.ext.asyncio import AsyncSession as Session

from townsquare.db.base import Base, IdMixin, TimestampMixin, new_id
from townsquare.db.changes import Change, assign
from townsquare.db.engine import Database

__all__ = ["Base", "Change", "Database", "IdMixin", "Session", "TimestampMixin", "assign", "new_id"]
