"""What a case list is asked for: the search, the filters and the order, read from a query string and written
back to one (for page links and saved views), every value checked.

A value that is not one of the list's own (an unknown status, a damaged id, a date that is not a date) is a 422
naming the field, never a silent "everything".
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from townsquare.cases.models import CaseStatus
from townsquare.errors import FieldError, invalid
from townsquare.interactions.models import Channel

SORTS = ("newest", "oldest", "due", "updated")  # "due": cases with a target, the soonest first
SLA_STATES = ("overdue", "due_soon", "on_track", "no_target")
PERIODS = ("today", "week", "month")
STATES = ("open", "finished")  # open: not yet resolved, closed or cancelled
FINISHED = frozenset({CaseStatus.resolved, CaseStatus.closed, CaseStatus.cancelled})
MAX_QUERY = 200


@dataclass(frozen=True)
class CaseFilters:
    """One case list's question. Empty values ask nothing of their field. `assignee` is "me", "none" (nobody and
    no team), "my_teams", "team:<id>" or a staff id."""

    q: str = ""
    agency: uuid.UUID | None = None
    service: uuid.UUID | None = None
    status: CaseStatus | None = None
    state: str = ""
    assignee: str = ""
    sla: str = ""
    channel: str = ""
    period: str = ""
    since: date | None = None
    until: date | None = None
    area: str = ""  # the start of a postal code
    sort: str = "newest"

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> CaseFilters:
        """The filters in a query string's parameters; a 422 naming each bad one."""
        errors: list[FieldError] = []

        def pick(name: str, allowed: tuple[str, ...], default: str = "") -> str:
            value = (params.get(name) or default).strip()
            if value and value not in allowed:
                errors.append(FieldError(name, f"one of {', '.join(allowed)}"))
                return default
            return value

        def an_id(name: str) -> uuid.UUID | None:
            value = (params.get(name) or "").strip()
            try:
                return uuid.UUID(value) if value else None
            except ValueError:
                errors.append(FieldError(name, "not an id"))
                return None

        def a_day(name: str) -> date | None:
            value = (params.get(name) or "").strip()
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                errors.append(FieldError(name, "a date as YYYY-MM-DD"))
                return None

        raw_status = pick("status", tuple(s.value for s in CaseStatus))
        assignee = (params.get("assignee") or "").strip()
        if assignee and not _assignee_ok(assignee):
            errors.append(FieldError("assignee", "me, none, my_teams, team:<id> or a staff id"))
            assignee = ""
        area = (params.get("area") or "").strip().upper().replace(" ", "")
        if len(area) > 10 or (not area.isalnum() and area):
            errors.append(FieldError("area", "the start of a postal code, letters and digits"))
            area = ""
        filters = cls(
            q=(params.get("q") or "").strip()[:MAX_QUERY],
            agency=an_id("agency"),
            service=an_id("service"),
            status=CaseStatus(raw_status) if raw_status else None,
            state=pick("state", STATES),
            assignee=assignee,
            sla=pick("sla", SLA_STATES),
            channel=pick("channel", tuple(c.value for c in Channel)),
            period=pick("period", PERIODS),
            since=a_day("from"),
            until=a_day("to"),
            area=area,
            sort=pick("sort", SORTS, "newest") or "newest",
        )
        if filters.since and filters.until and filters.since > filters.until:
            errors.append(FieldError("to", "on or after the first day"))
        if errors:
            raise invalid("Some of the list's filters could not be used; check the ones marked.", *errors)
        return filters

    def params(self) -> dict[str, str]:
        """The filters as query-string parameters, empty ones left out (the inverse of `parse`)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "" or (f.name == "sort" and value == "newest"):
                continue
            key = {"since": "from", "until": "to"}.get(f.name, f.name)
            out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def query_string(self) -> str:
        return urlencode(self.params())

    def without(self, *names: str) -> CaseFilters:
        """These filters with some cleared (a "remove this filter" link)."""
        defaults: dict[str, Any] = {f.name: f.default for f in fields(self)}
        return replace(self, **{name: defaults[name] for name in names})

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order was asked."""
        return any(k != "sort" for k in self.params())


def _assignee_ok(value: str) -> bool:
    if value in ("me", "none", "my_teams"):
        return True
    raw = value.removeprefix("team:")
    try:
        uuid.UUID(raw)
    except ValueError:
        return False
    return True
