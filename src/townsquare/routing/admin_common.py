"""What the contact-centre administration pages share: the agencies an administrator may act for, refusals gathered
field by field, and the audit row of a change with what it was before and after.

An administrator acts for every agency; an agency administrator only for its own (`Principal.agency_ids`). A record
of another agency answers as an unknown one.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.errors import FieldError, invalid, not_found
from townsquare.staff.auth import Principal

NAME_MAX = 200


@dataclass
class Refusals:
    """Every field a form got wrong, said at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def check(self, detail: str = "Some answers need changing: see each field below.") -> None:
        """Raise a 422 naming each field, if any was wrong."""
        if self.errors:
            raise invalid(detail, *self.errors)


async def agencies_of(session: AsyncSession, me: Principal) -> list[Agency]:
    """The agencies the administrator acts for, by name."""
    return [a for a in await agencies.list_agencies(session) if me.may_see(a.id)]


def in_scope(me: Principal, agency_id: uuid.UUID, what: str) -> None:
    """404, as for an unknown record, when the record's agency is not one the administrator acts for."""
    if not me.may_see(agency_id):
        raise not_found(what)


def chosen_agency(me: Principal, value: str, choices: list[Agency], refusals: Refusals) -> uuid.UUID | None:
    """The agency a form names, if it is one of the administrator's."""
    try:
        wanted = uuid.UUID(value)
    except ValueError:
        wanted = None
    if wanted is None or wanted not in {a.id for a in choices} or not me.may_see(wanted):
        refusals.add("agency_id", "Choose one of your agencies.")
        return None
    return wanted


def optional_id(value: str) -> uuid.UUID | None:
    """An id a form's choice holds, or None for "none" or a damaged value (the caller checks it is offered)."""
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def name(value: str, field_name: str, refusals: Refusals, *, required: bool = True) -> str:
    """A name of at most `NAME_MAX` characters, trimmed; refused when required and empty."""
    text = " ".join(value.split())
    if required and not text:
        refusals.add(field_name, "Enter a name.")
    elif len(text) > NAME_MAX:
        refusals.add(field_name, f"Keep it to {NAME_MAX} characters.")
    return text[:NAME_MAX]


def slug_of(text: str) -> str:
    """A slug for a name: "Roads & potholes" → "roads-potholes"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:56] or "item"


def audit_change(
    session: AsyncSession,
    me: Principal,
    *,
    action: str,
    kind: str,
    subject_id: uuid.UUID | str,
    agency_id: uuid.UUID | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    """The audit row of a change an administrator made, with the record's values before (None: created) and after."""
    me.audit(
        session,
        action=action,
        subject_kind=kind,
        subject_id=str(subject_id),
        agency_id=agency_id,
        detail={"before": before, "after": after},
        purpose="contact centre administration",
    )


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values as an audit row's JSON holds them (ids as text)."""
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()}
