"""What putting a record into its desired state did: created, updated or left unchanged.

Used by the catalogue and knowledge imports to report (and dry-run) a change without knowing any domain.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Change(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


def assign(row: Any, **values: Any) -> bool:
    """Set each attribute that differs from its value; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
