"""What the public pages read: the published datasets as the data package describes them, the dashboard's
figures, and a published file opened for download with the validators a cache needs.

Reads files only (never the database), so a page view costs the same however many requests a city holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from townsquare.analytics.open_data.dashboard import Dashboard
from townsquare.analytics.open_data.fields import DASHBOARD, DATASETS, MEDIA_TYPES, PACKAGE, Field, published_files
from townsquare.analytics.open_data.files import read_json

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileView:
    path: str
    format: str
    bytes: int
    rows: int


@dataclass(frozen=True)
class DatasetView:
    name: str
    title: str
    description: str
    files: tuple[FileView, ...]
    fields: tuple[Field, ...]
    rows: int


@dataclass(frozen=True)
class Published:
    created: datetime
    licence: str
    licence_url: str
    datasets: tuple[DatasetView, ...]


def published(folder: Path) -> Published | None:
    """The datasets of the last export, or None before the first (or when its package cannot be read)."""
    data = read_json(folder, PACKAGE)
    if not isinstance(data, dict):
        return None
    try:
        return _published(data)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _published(data: dict[str, Any]) -> Published:
    resources = {r["path"]: r for r in data.get("resources", []) if isinstance(r, dict) and "path" in r}
    datasets = []
    for dataset in DATASETS:
        files = tuple(
            FileView(path, fmt, int(resources[path]["bytes"]), int(resources[path]["rows"]))
            for fmt in ("csv", "json")
            if (path := dataset.path(fmt)) in resources
        )
        if files:
            datasets.append(
                DatasetView(dataset.name, dataset.title, dataset.description, files, dataset.fields, files[0].rows)
            )
    licence = (data.get("licenses") or [{}])[0]
    return Published(
        created=datetime.fromisoformat(str(data["created"]).replace("Z", "+00:00")),
        licence=str(licence.get("name", "")),
        licence_url=str(licence.get("path", "")),
        datasets=tuple(datasets),
    )


def dashboard(folder: Path) -> Dashboard | None:
    """The dashboard's figures of the last export, or None before the first."""
    data = read_json(folder, DASHBOARD)
    if not isinstance(data, dict):
        return None
    try:
        return Dashboard.from_json(data)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class Download:
    """A published file, opened: the bytes served are the bytes its validators describe, even if the next
    export renames a new file over it meanwhile."""

    name: str
    handle: IO[bytes]
    size: int
    modified: datetime

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.name.rsplit(".", 1)[1]]

    @property
    def etag(self) -> str:
        return f'"{self.size:x}-{int(self.modified.timestamp() * 1_000_000):x}"'

    @property
    def last_modified(self) -> str:
        return format_datetime(self.modified, usegmt=True)

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether the client's copy is this one (If-None-Match first; If-Modified-Since only without it)."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return self.etag in tags or "*" in tags
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            return since.tzinfo is not None and self.modified.replace(microsecond=0) <= since
        return False

    def chunks(self) -> Iterator[bytes]:
        try:
            while block := self.handle.read(CHUNK):
                yield block
        finally:
            self.handle.close()

    def close(self) -> None:
        self.handle.close()


def open_file(folder: Path, name: str) -> Download | None:
    """A published file by name, or None for a name that is not one or a file not (yet) written."""
    if name not in published_files():
        return None
    try:
        handle = (folder / name).open("rb")
    except OSError:
        return None
    stat = os.fstat(handle.fileno())
    return Download(name, handle, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
