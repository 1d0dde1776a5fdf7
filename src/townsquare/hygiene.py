"""Text and JSON we can store and read back: finding characters no door may let in (NUL, control characters,
lone surrogates), normalising text for channels that cannot be refused, JSON read within depth and size limits,
safe attachment names, and JSON that degrades a bad value to U+FFFD rather than failing a page.

Infrastructure: imports nothing from the domain packages, and never logs or echoes the text it checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from starlette.responses import JSONResponse

MAX_JSON_DEPTH = 32  # arrays and objects inside each other; far past any real payload, far below recursion limits
MAX_INTEGER = 2_147_483_647  # the largest value of an Integer column on PostgreSQL
MAX_PROBLEMS = 20  # reported at once; the rest follow once these are fixed
MAX_FILENAME_CHARS = 200
FALLBACK_FILENAME = "attachment"
ALLOWED_CONTROLS = "tab, carriage return and line feed"

# NUL and the C0/C1 control characters except tab, LF and CR, and lone UTF-16 surrogates. A str holds a
# surrogate only unpaired (json.loads and the UTF-8 codecs join real pairs), so any one found is lone.
_UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # what PostgreSQL refuses in text and jsonb
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# Outside strings only brackets count; a string token (even unterminated) is skipped whole.
_JSON_TOKENS_BYTES = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_JSON_TOKENS_TEXT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
# In a filename also format characters (a right-to-left override makes "txt.exe" look like "exe.txt") and
# the characters file systems reserve.
_FILENAME_DROP = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_FILENAME_RESERVED = re.compile(r'[<>:"|?*]')


@dataclass(frozen=True)
class TextProblem:
    """One field holding text that cannot be stored: where (`metadata.note`, `identities.0.value`) and why."""

    path: str
    message: str


class JsonRefused(ValueError):
    """A JSON document refused before or while reading it: too large, nested too deep, or not JSON."""

    def __init__(self, reason: Literal["too_large", "too_deep", "malformed"], detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail

    @property
    def close_code(self) -> int:
        """The websocket close code for this refusal: 1009 message too big, 1007 payload not acceptable."""
        return 1009 if self.reason == "too_large" else 1007


def _describe(char: str) -> str:
    code = ord(char)
    if code == 0:
        return "a NUL character (U+0000)"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone UTF-16 surrogate (U+{code:04X}), which is not a character"
    return f"the control character U+{code:04X} (only {ALLOWED_CONTROLS} are allowed)"


def unreadable(text: str) -> str | None:
    """Why this text cannot be stored ("contains a NUL character (U+0000)"), or None when it can."""
    found = _UNREADABLE.search(text)
    return None if found is None else "contains " + _describe(found.group())


def label(name: str, limit: int = 64) -> str:
    """A field name fit to show back: bad characters as \\uXXXX escapes, bounded."""
    return _UNREADABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", name[:limit])


def _join(path: str, name: str) -> str:
    return f"{path}.{label(name)}" if path else label(name)


def find_unreadable(value: Any, path: str = "") -> list[TextProblem]:
    """Every string and object key of a JSON-like value holding a character that cannot be stored, with its path.

    Walks with its own stack, so no nesting can exhaust the interpreter's; stops at MAX_PROBLEMS.
    """
    found: list[TextProblem] = []
    stack: list[tuple[str, Any] | TextProblem] = [(path, value)]
    while stack and len(found) < MAX_PROBLEMS:
        entry = stack.pop()
        if isinstance(entry, TextProblem):  # a bad key, met in document order
            found.append(entry)
            continue
        where, item = entry
        if isinstance(item, str):
            why = unreadable(item)
            if why is not None:
                found.append(TextProblem(where or "body", why))
        elif isinstance(item, dict):
            children: list[tuple[str, Any] | TextProblem] = []
            for key, child in item.items():
                name = str(key)
                why = unreadable(name)
                if why is not None:
                    children.append(TextProblem(_join(where, name), "has a name that " + why))
                children.append((_join(where, name), child))
            stack.extend(reversed(children))  # popped in document order
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(_join(where, str(i)), child) for i, child in enumerate(item)]))
    return found


def clean_text(text: str) -> str:
    """Text as a channel that cannot refuse keeps it: NUL and control characters (but tab, CR and LF) dropped,
    lone surrogates replaced by U+FFFD."""
    if _UNREADABLE.search(text) is None:
        return text
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def degrade(value: Any) -> Any:
    """A JSON-like value whose strings (and keys) have every lone surrogate replaced by U+FFFD; others as they are."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {degrade(k): degrade(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [degrade(v) for v in value]
    return value


def safe_filename(name: str, *, fallback: str = FALLBACK_FILENAME) -> str:
    """An attachment's name as kept and shown: the last path segment only, no control or format characters,
    no reserved characters, no leading dots, bounded (the extension kept); `fallback` when nothing is left."""
    base = _FILENAME_DROP.sub("", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = _FILENAME_RESERVED.sub("_", base).strip().lstrip(".").rstrip(". ").strip()
    if len(base) > MAX_FILENAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        keep = f"{dot}{ext}" if dot and stem and len(ext) <= 16 else ""
        base = base[: MAX_FILENAME_CHARS - len(keep)].rstrip(". ") + keep
    return base or fallback


# ---------------------------------------------------------------- JSON within limits


def json_too_deep(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `max_depth`: one linear scan, nothing parsed or recursed."""
    firsts: Iterator[str]
    if isinstance(data, bytes):
        firsts = (chr(data[m.start()]) for m in _JSON_TOKENS_BYTES.finditer(data))
    else:
        firsts = (data[m.start()] for m in _JSON_TOKENS_TEXT.finditer(data))
    depth = 0
    for first in firsts:  # a bracket, or the quote opening a string
        if first in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif first in "]}":
            depth = max(0, depth - 1)
    return False


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python reads them, JSON and PostgreSQL do not


def load_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH, max_bytes: int | None = None) -> Any:
    """A JSON document read within limits; JsonRefused (too_large, too_deep, malformed) otherwise, never a
    RecursionError. Bytes are read as UTF-8, whose encoded surrogates come back as lone surrogates."""
    if max_bytes is not None:
        size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise JsonRefused("too_large", f"The JSON is {size} bytes; at most {max_bytes} are accepted.")
    if json_too_deep(data, max_depth):
        raise JsonRefused("too_deep", f"The JSON nests arrays and objects more than {max_depth} levels deep.")
    try:
        return json.loads(data, parse_constant=_no_constants)
    except RecursionError:
        raise JsonRefused("too_deep", "The JSON nests arrays and objects too deeply.") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, an over-long integer, NaN
        raise JsonRefused("malformed", "That is not valid JSON.") from None


# ---------------------------------------------------------------- JSON columns and JSON responses


def dump_stored_json(value: Any) -> str:
    """A JSON column's text; ValueError for what PostgreSQL refuses (NUL, lone surrogates, NaN), so SQLite never
    keeps a value that PostgreSQL would not and that could not be read back."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise ValueError("a JSON value holds a NUL character or a lone surrogate and cannot be stored")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return json.dumps(value, allow_nan=False)


def load_stored_json(text: str | bytes) -> Any:
    """A JSON column's value; a lone surrogate kept by an older release (escaped as \\udXXX) comes back as U+FFFD,
    so the row renders again everywhere it is shown."""
    value = json.loads(text)
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return degrade(value) if _ESCAPED_SURROGATE.search(raw) else value


class SafeJSONResponse(JSONResponse):
    """The app's JSON response: a lone surrogate that reaches it becomes U+FFFD instead of a 500, which after a
    commit would tell the caller that nothing was saved when it was."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return super().render(degrade(content))
