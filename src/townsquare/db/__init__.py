"""Storage infrastructure: the declarative base, column types, the engine and sessions.

Knows nothing of any domain; domains import from here, never the other way.
"""

from townsquare.db.base import Base, IdMixin, TimestampMixin, new_id
from townsquare.db.changes import Change, assign
from townsquare.db.engine import Database

__all__ = ["Base", "Change", "Database", "IdMixin", "TimestampMixin", "assign", "new_id"]
