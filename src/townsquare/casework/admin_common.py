"""What the administration pages' use cases share: gathering every mistake of a form before refusing it, the
before/after an audit row keeps, the agencies a caller administers, and words split from a comma list.

Never commits; a refusal is one 422 problem naming each field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency
from townsquare.errors import FieldError, invalid
from townsquare.staff.auth import Principal

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Mistakes:
    """The mistakes found in one form, refused together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def extend(self, errors: Iterable[FieldError | None]) -> None:
        self.errors += [e for e in errors if e is not None]

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def refuse(self, summary: str) -> None:
        """Raise one 422 naming every mistake, if there is one."""
        if self.errors:
            raise invalid(summary, *self.errors)


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """An audit row's detail: each field that changed, before and after (nothing else)."""
    changed = sorted(k for k in after if before.get(k) != after[k])
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after[k] for k in changed}}


def word_list(text: str) -> list[str]:
    """Words or phrases from a comma- or line-separated list, trimmed, each once, in order."""
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.split(",")]
    return list(dict.fromkeys(p[:100] for p in parts if p))


async def administered_agencies(session: AsyncSession, me: Principal) -> list[Agency]:
    """The agencies the caller administers (every one for an administrator), by name."""
    stmt = select(Agency).order_by(Agency.name)
    if me.agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(me.agency_ids))
    return list((await session.execute(stmt)).scalars())


def chosen_agency(agencies: list[Agency], sent: str, mistakes: Mistakes) -> Agency | None:
    """The agency a form chose by id among `agencies` (those the caller administers), else a mistake."""
    found = next((a for a in agencies if str(a.id) == sent), None)
    if found is None:
        mistakes.add("agency", "Choose one of your agencies.")
    return found


def in_scope(me: Principal, agency_id: uuid.UUID) -> bool:
    return me.may_see(agency_id)


async def roll_back(session: AsyncSession) -> None:
    """Undo a refused change before the form is shown again."""
    await session.rollback()
