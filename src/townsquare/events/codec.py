"""How an event's payload travels as JSON between processes: each field's declared type decides its form (ids and
times as ISO strings, enums by value, numbers and flags as themselves) and reads it back to the same value.

Never guesses: a value that does not fit its field's type is a ValueError, a missing required field a KeyError.
"""

from __future__ import annotations

import enum
import types
import uuid
from collections.abc import Mapping
from dataclasses import MISSING, Field, fields
from datetime import date, datetime
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

Json = str | int | float | bool | None


class FieldLayout:
    """One payload field: its name, the type it holds, whether it may be None, and its default (if any)."""

    __slots__ = ("base", "default", "name", "optional")

    def __init__(self, f: Field[Any], hint: Any) -> None:
        self.name = f.name
        self.optional = get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)
        self.base = next(a for a in get_args(hint) if a is not type(None)) if self.optional else hint
        self.default = f.default  # MISSING when the field must be given

    def load(self, raw: object) -> object:
        """The field's value from its JSON form; a ValueError names the field."""
        try:
            return _load(self.base, raw)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from None


class Codec:
    """Dumps and loads the payloads of one dataclass type; built once per type."""

    _cache: ClassVar[dict[type, Codec]] = {}

    def __init__(self, kind: type) -> None:
        hints = get_type_hints(kind)
        self.kind = kind
        self.layout = tuple(FieldLayout(f, hints[f.name]) for f in fields(kind))

    @classmethod
    def of(cls, kind: type) -> Codec:
        codec = cls._cache.get(kind)
        if codec is None:
            codec = cls._cache[kind] = Codec(kind)
        return codec

    def dump(self, value: object) -> dict[str, Json]:
        return {f.name: dump(getattr(value, f.name)) for f in self.layout}

    def load(self, data: Mapping[str, Any]) -> dict[str, object]:
        """Constructor arguments from `data`: a missing field takes its default, or None if optional."""
        values: dict[str, object] = {}
        for f in self.layout:
            raw = data.get(f.name)
            if raw is not None:
                values[f.name] = f.load(raw)
            elif f.name not in data and f.default is not MISSING:
                values[f.name] = f.default
            elif f.optional:
                values[f.name] = None
            else:
                raise KeyError(f"{getattr(self.kind, 'name', self.kind.__name__)}: {f.name} is required")
        return values


def dump(value: object) -> Json:
    """One value in its JSON form."""
    if isinstance(value, enum.Enum):
        return dump(value.value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("event times must carry their zone (UTC)")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"an event cannot carry a {type(value).__name__}")


def _load(base: Any, raw: object) -> object:
    """`raw` (from JSON) as a value of type `base`; ValueError when it is not one."""
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return base(raw)
    if base is bool or base is str:
        if not isinstance(raw, base):
            raise ValueError(f"expected {base.__name__}")
        return raw
    if base is int or base is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or (base is int and not isinstance(raw, int)):
            raise ValueError(f"expected {base.__name__}")
        return base(raw)
    if not isinstance(raw, str):
        raise ValueError("expected text")
    if base is uuid.UUID:
        return uuid.UUID(raw)
    if base is datetime:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError("a time without its zone")
        return moment
    if base is date:
        return date.fromisoformat(raw)
    raise TypeError(f"an event field of type {base!r} cannot be read")
