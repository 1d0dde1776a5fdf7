"""What an import would change, field by field: the files' models compared with the same models exported from
the database, as lines a person reviews (`city-works.toml: services[POTHOLE].sla_hours: 72 → 48`).

Only compares. Lists are matched by what identifies an entry (a slug, a code, an email), not by position. An entry
the files leave out is deactivated where it has an `active` flag, removed where the import makes the list exact
(an agency's contact points, a calendar's holidays, a form's questions and choices), and otherwise left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

# The lists an import writes exactly as the file gives them: what the file leaves out is deleted.
EXACT = frozenset({"contact_points", "holidays", "attributes", "values"})
# How an entry of these lists is known; any other list's entries by the first of IDENTIFYING they have.
IDENTITY: dict[str, Callable[[Any], str]] = {
    "contact_points": lambda p: f"{p.channel.value}:{p.address}",
    "sla_targets": lambda t: "/".join(x for x in (t.service, t.channel.value if t.channel else None) if x) or "any",
    "canned_responses": lambda c: f"{c.slug}.{c.language}",
}
LEFT_ALONE = "- (left alone)"
IDENTIFYING = ("code", "slug", "email", "key", "type", "day", "name")


@dataclass(frozen=True)
class DiffLine:
    """One change in one file: a field's old and new value, an entry added, or an entry the files leave out."""

    file: str
    path: str
    change: str  # "72 → 48", "+", "- (deactivated)"…

    @property
    def changes(self) -> bool:
        """Whether applying it writes anything (an entry left alone is only told)."""
        return self.change != LEFT_ALONE

    def __str__(self) -> str:
        if self.change == "+":
            return f"{self.file}: + {self.path}"
        if self.change.startswith("- "):
            return f"{self.file}: - {self.path} {self.change[2:]}"
        return f"{self.file}: {self.path}: {self.change}"


@dataclass
class Diff:
    """The lines, and the entries to deactivate (each the database's entry, path → model) per file."""

    lines: list[DiffLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to write (there may still be entries the files leave out and the import leaves alone)."""
        return not any(line.changes for line in self.lines)

    def text(self) -> list[str]:
        return [str(line) for line in self.lines]


def shown(value: Any) -> str:
    """A value as a diff line writes it: strings quoted, None as (none), lists bracketed."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return shown(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, BaseModel):
        return shown(value.model_dump())
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def identity(kind: str, item: Any) -> str:
    if kind in IDENTITY:
        return IDENTITY[kind](item)
    for name in IDENTIFYING:
        value = getattr(item, name, None)
        if value is not None:
            return shown(value).strip('"')
    return "?"


def _key(key: Any) -> str:
    return str(key.value if isinstance(key, Enum) else key)


class Comparer:
    """Walks two models of one file, writing lines and collecting what to deactivate."""

    def __init__(self, file: str, lines: list[DiffLine], keep: Callable[[str, Any], bool] | None = None) -> None:
        self.file = file
        self.lines = lines
        self.keep = keep or (lambda kind, item: False)  # an entry left out here that another file now holds
        self.deactivated: dict[str, list[Any]] = {}  # list path → the database's entries to deactivate

    def line(self, path: str, change: str) -> None:
        self.lines.append(DiffLine(self.file, path, change))

    def models(self, path: str, old: BaseModel, new: BaseModel) -> None:
        for name in type(new).model_fields:
            where = f"{path}.{name}" if path else name
            self.value(where, name, getattr(old, name), getattr(new, name))

    def value(self, path: str, name: str, old: Any, new: Any) -> None:
        if old == new:
            return
        if isinstance(new, BaseModel) and isinstance(old, BaseModel):
            self.models(path, old, new)
        elif isinstance(new, BaseModel) and old is None:
            self.line(path, "+")
        elif isinstance(old, BaseModel) and new is None:
            self.line(path, LEFT_ALONE)
        elif isinstance(new, list) and isinstance(old, list) and any(isinstance(v, BaseModel) for v in old + new):
            self.entries(path, name, old, new)
        elif isinstance(new, dict) and isinstance(old, dict):
            self.mapping(path, old, new)
        else:
            self.line(path, f"{shown(old)} → {shown(new)}")

    def mapping(self, path: str, old: dict[Any, Any], new: dict[Any, Any]) -> None:
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{path}.{_key(key)}"
            if key not in new:
                self.line(where, "- (removed)")
            elif key not in old:
                self.line(where, "+" if isinstance(new[key], BaseModel | dict) else f"(none) → {shown(new[key])}")
            else:
                self.value(where, _key(key), old[key], new[key])

    def entries(self, path: str, kind: str, old: list[Any], new: list[Any]) -> None:
        before = {identity(kind, item): item for item in old}
        after = {identity(kind, item): item for item in new}
        for key, item in after.items():
            where = f"{path}[{key}]"
            if key in before:
                self.value(where, kind, before[key], item)
            else:
                self.line(where, "+")
        for key, item in before.items():
            if key in after or self.keep(kind, item):
                continue
            where = f"{path}[{key}]"
            if kind in EXACT:
                self.line(where, "- (removed)")
            elif "active" in type(item).model_fields:
                if item.active:
                    self.line(where, "- (deactivated)")
                    self.deactivated.setdefault(path, []).append(item)
            else:
                self.line(where, LEFT_ALONE)
