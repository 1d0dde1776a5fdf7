"""Where a field sits in a TOML file: the line of each table header and key, by the same path an error names
(`services[2].attributes[0].datatype`), so a refusal can say "line 214". `tomllib` keeps no positions.

Reads the text line by line as TOML lays it out (headers, `key = value`); never parses values.
"""

from __future__ import annotations

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")
PART = re.compile(r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'")
INDEX = re.compile(r"\[(\d+)\]")


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in PART.findall(dotted)]


def key_lines(text: str) -> dict[str, int]:
    """Every table, array-of-tables entry and key of the document → its line number (1-based)."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}  # an array of tables (its path, with its parents' indexes) → entries so far
    table = ""
    quoted: str | None = None  # inside a multi-line string: its delimiter
    for number, line in enumerate(text.splitlines(), start=1):
        if quoted is not None:
            if line.count(quoted) % 2 == 1:
                quoted = None
            continue
        header = HEADER.match(line)
        if header and not KEY.match(line):
            parts = _parts(header.group(2))
            path = ""
            for position, part in enumerate(parts):
                path = f"{path}.{part}" if path else part
                last = position == len(parts) - 1
                if counts.get(path) and not (last and header.group(1) == "[["):
                    path = f"{path}[{counts[path] - 1}]"  # a table inside the latest entry of an array of tables
            if header.group(1) == "[[":
                counts[path] = counts.get(path, 0) + 1
                path = f"{path}[{counts[path] - 1}]"
            table = path
            lines.setdefault(table, number)
            continue
        key = KEY.match(line)
        if key:
            path = table
            for part in _parts(key.group(1)):
                path = f"{path}.{part}" if path else part
                lines.setdefault(path, number)
            for delimiter in ('"""', "'''"):
                if line.count(delimiter) % 2 == 1:
                    quoted = delimiter
    return lines


def line_of(lines: dict[str, int], field: str) -> int | None:
    """The line of `field`, or of the nearest enclosing key or table the file has (a missing key: its table)."""
    path = field
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
