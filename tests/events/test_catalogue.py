"""The event catalogue: one name per event type, written once, and payloads that survive the trip to JSON and back
(the form the bus between processes carries) with every value as it was: ids, times, enums, numbers, flags."""

from __future__ import annotations

import ast
import dataclasses
import enum
import json
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, get_type_hints

import pytest

import townsquare
from townsquare.events import CATALOGUE, Event, WorkItemChanged, catalogue
from townsquare.events.codec import FieldLayout

SRC = Path(townsquare.__file__).parent


def _subclasses(kind: type[Event]) -> set[type[Event]]:
    found = set(kind.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


class Mood(enum.StrEnum):
    calm = "calm"
    busy = "busy"


class Level(enum.IntEnum):
    low = 1
    high = 2


@dataclasses.dataclass(frozen=True)
class EveryKind(Event):
    """Not in the catalogue (a test's own): a payload of every type an event may carry."""

    name: ClassVar[str] = "test.every_kind"
    id: uuid.UUID
    text: str
    count: int
    share: float
    flag: bool
    at: datetime
    day: date
    mood: Mood
    level: Level
    maybe_at: datetime | None = None
    maybe_mood: Mood | None = None
    attempt: int = -1


SAMPLES: dict[Any, Any] = {
    uuid.UUID: uuid.UUID("6f1c1a52-3f7e-4e53-9a52-2bb1f6f5c0de"),
    str: 'text é ✓ \u2028 "quoted"',
    int: 7,
    float: 0.25,
    bool: True,
    datetime: datetime(2026, 3, 8, 6, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5))),
    date: date(2026, 2, 28),
    Mood: Mood.busy,
    Level: Level.high,
}


def _values(kind: type[Event], *, optional_empty: bool) -> dict[str, Any]:
    """A value of its declared type for every field of `kind` (None in optional ones, if asked)."""
    hints = get_type_hints(kind)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        layout = FieldLayout(f, hints[f.name])
        values[f.name] = None if optional_empty and layout.optional else SAMPLES[layout.base]
    return values


def _sample(kind: type[Event], *, optional_empty: bool) -> Event:
    return kind(**_values(kind, optional_empty=optional_empty))


def test_every_event_type_has_one_well_formed_name_in_the_catalogue() -> None:
    assert all(kind.name == name for name, kind in CATALOGUE.items())
    assert all(re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", name) for name in CATALOGUE)
    ours = {kind for kind in _subclasses(Event) if kind.__module__.startswith("townsquare.")}
    assert ours == set(CATALOGUE.values())  # an event type outside the catalogue could not be received elsewhere


def test_two_event_types_may_not_share_a_name() -> None:
    with pytest.raises(RuntimeError, match=r"work_item\.changed"):
        catalogue._catalogue(WorkItemChanged, WorkItemChanged)


@pytest.mark.parametrize("kind", [*CATALOGUE.values(), EveryKind], ids=[*CATALOGUE, EveryKind.name])
@pytest.mark.parametrize("optional_empty", [False, True], ids=["full", "optional-empty"])
def test_payloads_go_to_json_and_back_unchanged(kind: type[Event], optional_empty: bool) -> None:
    event = _sample(kind, optional_empty=optional_empty)
    back = kind.from_data(json.loads(json.dumps(event.data)))
    assert back == event
    for f in dataclasses.fields(kind):  # equal is not enough: a StrEnum equals its text, 1 equals True
        assert type(getattr(back, f.name)) is type(getattr(event, f.name)), f.name


def test_the_json_form_is_plain_and_readable() -> None:
    data = _sample(EveryKind, optional_empty=False).data
    assert data["id"] == "6f1c1a52-3f7e-4e53-9a52-2bb1f6f5c0de"
    assert data["at"] == "2026-03-08T06:59:59.123456-05:00"
    assert data["day"] == "2026-02-28"
    assert (data["mood"], data["level"], data["count"], data["flag"]) == ("busy", 2, 7, True)


def test_a_missing_field_with_a_default_takes_it_and_an_optional_one_is_none() -> None:
    data = _sample(EveryKind, optional_empty=False).data
    for name in ("attempt", "maybe_at", "maybe_mood"):
        del data[name]
    event = EveryKind.from_data(data)
    assert (event.attempt, event.maybe_at, event.maybe_mood) == (-1, None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "not an id"),
        ("count", "7"),
        ("count", True),
        ("count", 7.5),
        ("flag", "true"),
        ("text", 7),
        ("at", "2026-03-08T06:59:59"),  # a time without its zone
        ("at", 1741417199),
        ("mood", "furious"),
        ("level", 3),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(field: str, value: Any) -> None:
    data: dict[str, Any] = _sample(EveryKind, optional_empty=False).data
    data[field] = value
    with pytest.raises(ValueError, match=f"^{field}: "):
        EveryKind.from_data(data)


def test_an_event_cannot_carry_a_naive_time_or_an_unknown_type() -> None:
    naive = EveryKind(**{**_values(EveryKind, optional_empty=False), "at": datetime(2026, 1, 1)})  # noqa: DTZ001
    with pytest.raises(ValueError, match="zone"):
        _ = naive.data
    odd = EveryKind(**{**_values(EveryKind, optional_empty=False), "text": object()})
    with pytest.raises(TypeError, match="object"):
        _ = odd.data


@pytest.mark.parametrize("kind", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_a_payload_missing_a_required_field_is_refused(kind: type[Event]) -> None:
    required = next(f.name for f in dataclasses.fields(kind) if f.default is dataclasses.MISSING)
    data = _sample(kind, optional_empty=True).data
    del data[required]
    with pytest.raises(KeyError, match=required):
        kind.from_data(data)


def test_no_event_name_is_written_anywhere_but_the_catalogue() -> None:
    names = set(CATALOGUE)
    found = []
    for path in SRC.rglob("*.py"):
        if path == Path(catalogue.__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
    assert found == []
