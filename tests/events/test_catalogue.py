"""The event catalogue: one name per event type, written once, and payloads that survive the trip to JSON and back."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import uuid
from pathlib import Path
from typing import Any, get_type_hints

import pytest

import townsquare
from townsquare.events import CATALOGUE, Event, WorkItemChanged, catalogue

SRC = Path(townsquare.__file__).parent


def _subclasses(kind: type[Event]) -> set[type[Event]]:
    found = set(kind.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _sample(kind: type[Event], *, optional_empty: bool) -> Event:
    hints = get_type_hints(kind)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        hint = hints[f.name]
        if optional_empty and f.default is None:
            values[f.name] = None
        elif uuid.UUID in (hint, *getattr(hint, "__args__", ())):
            values[f.name] = uuid.uuid4()
        else:
            values[f.name] = f"{f.name} é ✓"
    return kind(**values)


def test_every_event_type_has_one_well_formed_name_in_the_catalogue() -> None:
    assert all(kind.name == name for name, kind in CATALOGUE.items())
    assert all(re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", name) for name in CATALOGUE)
    ours = {kind for kind in _subclasses(Event) if kind.__module__.startswith("townsquare.")}
    assert ours == set(CATALOGUE.values())  # an event type outside the catalogue could not be received elsewhere


def test_two_event_types_may_not_share_a_name() -> None:
    with pytest.raises(RuntimeError, match=r"work_item\.changed"):
        catalogue._catalogue(WorkItemChanged, WorkItemChanged)


@pytest.mark.parametrize("kind", list(CATALOGUE.values()), ids=list(CATALOGUE))
@pytest.mark.parametrize("optional_empty", [False, True], ids=["full", "optional-empty"])
def test_payloads_go_to_json_and_back_unchanged(kind: type[Event], optional_empty: bool) -> None:
    event = _sample(kind, optional_empty=optional_empty)
    wire = json.loads(json.dumps(event.data))
    assert all(value is None or isinstance(value, str) for value in wire.values())
    assert CATALOGUE[event.name].from_data(wire) == event


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
