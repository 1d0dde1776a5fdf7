"""hygiene.py: which characters no door lets in, the field paths that name them, text normalised for channels
that cannot refuse, JSON read within limits without recursion, safe attachment names, and JSON that degrades.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
from collections.abc import Iterator
from typing import get_args

import pytest
from markupsafe import Markup
from pydantic import BaseModel

from townsquare.citizens.schemas import ContactChannel
from townsquare.engagement.replies import REPLYABLE
from townsquare.hygiene import (
    MAX_FILENAME_CHARS,
    MAX_INTEGER,
    MAX_JSON_DEPTH,
    MAX_PROBLEMS,
    JsonRefused,
    SafeJSONResponse,
    clean_text,
    dump_stored_json,
    find_unreadable,
    json_too_deep,
    load_json,
    load_stored_json,
    safe_filename,
    unreadable,
)
from townsquare.web.templating import templates

LONE = "\ud800"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("a\x00b", "NUL character (U+0000)"),
        ("escape \x1b[31m", "control character U+001B"),
        ("delete \x7f", "control character U+007F"),
        ("next line \x85", "control character U+0085"),
        (f"half {LONE} a pair", "lone UTF-16 surrogate (U+D800)"),
        ("low \udfff", "lone UTF-16 surrogate (U+DFFF)"),
    ],
)
def test_text_that_cannot_be_stored_is_named_with_its_character(text: str, why: str) -> None:
    found = unreadable(text)
    assert found is not None
    assert why in found


@pytest.mark.parametrize("text", ["", "tab\there", "lines\r\nand\nmore", "Élise 🙂 ½ \ufffd", "\u00a0nbsp", "日本語"])
def test_ordinary_text_passes(text: str) -> None:
    assert unreadable(text) is None
    assert clean_text(text) is text


def test_every_bad_string_in_a_json_value_is_found_by_its_field_path() -> None:
    value = {
        "display_name": "ok",
        "metadata": {"note": "a\x00b", "fine": [1, 2.5, True, None]},
        "identities": [{"value": "fine"}, {"value": f"x{LONE}"}],
        "k\x00ey": "value",
    }
    found = find_unreadable(value)
    assert [p.path for p in found] == ["metadata.note", "identities.1.value", "k\\u0000ey"]
    assert "NUL" in found[0].message
    assert "surrogate" in found[1].message
    assert found[2].message.startswith("has a name that contains")
    assert find_unreadable("a\x00")[0].path == "body"
    assert find_unreadable({"a": "x"}) == []


def test_problems_are_capped_and_deep_values_are_walked_without_recursion() -> None:
    assert len(find_unreadable({f"f{i}": "\x00" for i in range(500)})) == MAX_PROBLEMS
    deep: object = "\x00"
    for _ in range(2000):  # deeper than Python's recursion limit
        deep = [deep]
    found = find_unreadable(deep)
    assert len(found) == 1
    assert found[0].path == ".".join(["0"] * 2000)


def test_clean_text_drops_controls_and_replaces_lone_surrogates() -> None:
    assert clean_text(f"Pot\x00hole\x1b on {LONE}Elm\r\n\tSt\x7f") == "Pothole on \ufffdElm\r\n\tSt"


def test_load_json_refuses_deep_nesting_by_scanning_never_by_recursing() -> None:
    for data in (b"[" * 50_000, "[" * 50_000, b'{"a":' * 50_000):
        with pytest.raises(JsonRefused) as refused:
            load_json(data)
        assert refused.value.reason == "too_deep"
        assert refused.value.close_code == 1007
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_too_deep(at_limit) is False
    assert json_too_deep("[" + at_limit + "]") is True
    assert load_json(at_limit) is not None


def test_brackets_inside_strings_do_not_count_and_escaped_quotes_do_not_end_a_string() -> None:
    text = json.dumps({"note": "[" * 500 + '"\\' + "{" * 500})
    assert load_json(text) == {"note": "[" * 500 + '"\\' + "{" * 500}
    unterminated = '["' + "[" * 500
    with pytest.raises(JsonRefused) as refused:
        load_json(unterminated)
    assert refused.value.reason == "malformed"


@pytest.mark.parametrize("data", [b"{not json", b'{"a": NaN}', b"[Infinity]", b'"\xff"', b"1" * 5000])
def test_load_json_refuses_what_is_not_json(data: bytes) -> None:
    with pytest.raises(JsonRefused) as refused:
        load_json(data)
    assert refused.value.reason == "malformed"
    assert isinstance(refused.value, ValueError)


def test_load_json_refuses_a_document_over_its_size_before_reading_it() -> None:
    with pytest.raises(JsonRefused) as refused:
        load_json('{"text": "' + "é" * 600 + '"}', max_bytes=1000)  # 600 characters, 1,200 bytes
    assert refused.value.reason == "too_large"
    assert refused.value.close_code == 1009
    assert load_json('{"text": "é"}', max_bytes=1000) == {"text": "é"}


def test_utf8_encoded_surrogates_come_back_as_lone_surrogates_for_the_checker_to_find() -> None:
    for data in (b'{"note": "\xed\xa0\x80"}', b'{"note": "\\ud800"}'):
        value = load_json(data)
        assert [p.path for p in find_unreadable(value)] == ["note"]
    assert load_json(b'"\\ud83d\\ude00"') == "\U0001f600"  # a real pair is one character


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../../../tmp/x", "x"),
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        (".htaccess", "htaccess"),
        ("...", "attachment"),
        ("", "attachment"),
        ("  ", "attachment"),
        ("re\x00port\x1b.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        ("trailing. . ", "trailing"),
        (f"half{LONE}.png", "half.png"),
    ],
)
def test_safe_filename_keeps_a_plain_last_segment(name: str, kept: str) -> None:
    assert safe_filename(name) == kept


def test_safe_filename_caps_the_length_and_keeps_the_extension() -> None:
    long = safe_filename("x" * 1000 + ".jpeg")
    assert len(long) == MAX_FILENAME_CHARS
    assert long.endswith("x.jpeg")
    assert safe_filename("/", fallback="media-1.png") == "media-1.png"


def test_json_for_a_column_refuses_what_postgresql_refuses() -> None:
    for value in ({"a": "\x00"}, {"a": LONE}, {LONE: 1}, [[["\x00"]]], {"n": math.nan}):
        with pytest.raises(ValueError, match=r"cannot be stored|not JSON compliant|Out of range"):
            dump_stored_json(value)
    assert json.loads(dump_stored_json({"esc": "\x1b", "emoji": "🙂"})) == {"esc": "\x1b", "emoji": "🙂"}


def test_json_from_a_column_degrades_a_lone_surrogate_to_a_replacement_character() -> None:
    assert load_stored_json('{"note": "\\ud800 x", "\\udc00": ["ok"]}') == {"note": "\ufffd x", "\ufffd": ["ok"]}
    assert load_stored_json('"\\ud83d\\ude00"') == "\U0001f600"
    assert load_stored_json(b'{"a": 1}') == {"a": 1}


def test_json_responses_and_pages_render_a_lone_surrogate_as_a_replacement_character() -> None:
    body = bytes(SafeJSONResponse({"note": f"a{LONE}b", "ok": [1]}).body)
    assert json.loads(body) == {"note": "a\ufffdb", "ok": [1]}
    page = templates.env.from_string("<p>{{ text }}</p>{{ markup }}").render(
        text=f"<{LONE}>",
        markup=Markup(f"<b>{LONE}</b>"),  # noqa: S704 - our own literal markup
    )
    assert page == "<p>&lt;\ufffd&gt;</p><b>\ufffd</b>"
    page.encode("utf-8")


def _integers(schema: object, path: str) -> Iterator[tuple[str, dict[str, object]]]:
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            yield path, schema
        for key, child in schema.items():
            yield from _integers(child, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, child in enumerate(schema):
            yield from _integers(child, f"{path}/{i}")


def test_every_integer_an_input_schema_takes_fits_an_integer_column() -> None:
    found = 0
    for package in ("agencies", "cases", "citizens", "drafts", "engagement", "interactions", "routing", "staff"):
        module = importlib.import_module(f"townsquare.{package}.schemas")
        for name, model in inspect.getmembers(module, inspect.isclass):
            if issubclass(model, BaseModel) and model.__module__ == module.__name__ and name.endswith("In"):
                for where, schema in _integers(model.model_json_schema(), name):
                    found += 1
                    assert 0 <= int(str(schema.get("minimum"))) <= int(str(schema.get("maximum"))) <= MAX_INTEGER, where
    assert found >= 10


def test_preferred_channels_are_the_channels_a_reply_can_reach_a_person_on() -> None:
    assert set(get_args(ContactChannel)) == {c.value for c in REPLYABLE}
