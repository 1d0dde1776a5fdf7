"""Reading content files and reporting on an import: TOML documents, Markdown with `+++` TOML front matter,
errors that name the file and the field, and the per-kind tally of what an import created or updated.

Never raises a traceback at a person: every problem with a file becomes a `ContentError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from townsquare.db import Change
from townsquare.errors import Problem

FRONT_MATTER = "+++"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ContentError:
    """One thing wrong with one file: where (the field's path, if any) and what."""

    file: str
    field: str
    message: str
    line: int | None = None  # where in the file, when known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        where = f"{where}: {self.field}" if self.field else where
        return f"{where}: {self.message}"


class ContentInvalid(Exception):
    """The files cannot be imported as they are; nothing was written."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the content files")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), kind by kind."""

    changes: dict[str, dict[Change, list[str]]] = field(default_factory=dict)

    def add(self, kind: str, change: Change, name: str) -> None:
        self.changes.setdefault(kind, {c: [] for c in Change})[change].append(name)

    def count(self, kind: str, change: Change) -> int:
        return len(self.changes.get(kind, {}).get(change, []))

    @property
    def changed(self) -> bool:
        return any(names[c] for names in self.changes.values() for c in (Change.created, Change.updated))

    def lines(self, *, names: bool = True) -> list[str]:
        """One line per kind (`services: 2 created, 1 updated, 10 unchanged`), then the names created or updated."""
        out: list[str] = []
        for kind, by_change in self.changes.items():
            counts = ", ".join(f"{len(by_change[c])} {c.value}" for c in Change if by_change[c])
            out.append(f"  {kind}: {counts or 'none'}")
            if names:
                for change in (Change.created, Change.updated):
                    if by_change[change]:
                        out.append(f"    {change.value}: {', '.join(by_change[change])}")
        return out


def relative(path: Path, root: Path) -> str:
    """The file's name as the person gave the directory, for messages."""
    try:
        return str(root / path.relative_to(root))
    except ValueError:
        return str(path)


def files(root: Path, pattern: str) -> list[Path]:
    """Every file under `root` matching `pattern`, in a stable order; a missing directory is an error."""
    if not root.is_dir():
        raise ContentInvalid([ContentError(str(root), "", "is not a directory")])
    return sorted(p for p in root.rglob(pattern) if p.is_file())


def _text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ContentInvalid([ContentError(name, "", f"is not UTF-8 text ({error.reason})")]) from error
    except OSError as error:
        raise ContentInvalid([ContentError(name, "", f"cannot be read ({error.strerror or error})")]) from error


def read_toml(path: Path, name: str) -> dict[str, Any]:
    """A TOML document."""
    try:
        return tomllib.loads(_text(path, name))
    except tomllib.TOMLDecodeError as error:
        raise ContentInvalid([ContentError(name, "", f"is not valid TOML: {error}")]) from error


def read_markdown(path: Path, name: str) -> tuple[dict[str, Any], str]:
    """A Markdown file's TOML front matter (between `+++` lines at the top) and its body."""
    text = _text(path, name).lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise ContentInvalid([ContentError(name, "", "must start with a `+++` line opening its TOML front matter")])
    for end in range(1, len(lines)):
        if lines[end].strip() == FRONT_MATTER:
            break
    else:
        raise ContentInvalid([ContentError(name, "", "its front matter has no closing `+++` line")])
    try:
        meta = tomllib.loads("".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise ContentInvalid([ContentError(name, "front matter", f"is not valid TOML: {error}")]) from error
    return meta, "".join(lines[end + 1 :]).strip()


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_errors(name: str, error: ValidationError, prefix: str = "") -> list[ContentError]:
    """Pydantic's findings as content errors, each with its field's path (`services[2].attributes[0].datatype`)."""
    found = []
    for item in error.errors(include_url=False):
        where = _location(item["loc"])
        found.append(ContentError(name, f"{prefix}{where}" if where else prefix.rstrip("."), item["msg"]))
    return found


def problem_errors(name: str, problem: Problem, prefix: str = "") -> list[ContentError]:
    """A domain function's refusal as content errors, one per field it named."""
    if problem.errors:
        return [ContentError(name, f"{prefix}{e.field}", e.message) for e in problem.errors]
    return [ContentError(name, prefix.rstrip("."), problem.detail)]


def parse(model: type[M], data: dict[str, Any], name: str, errors: list[ContentError]) -> M | None:
    """`data` as `model`, or None with the problems added to `errors`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors.extend(validation_errors(name, error))
        return None
