"""Where the published files live (`DATA_DIR/open-data/`) and how they are written: each to a temporary file in
the same directory, flushed to disk, then renamed over the old one, so a reader or a download always gets a whole
file, the old one or the new one, never half of either.

Never writes outside its directory, and never a value it was not given by the export.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from townsquare.analytics.open_data.fields import Dataset
from townsquare.settings import Settings

Value = str | int | float | bool | None
FOLDER = "open-data"


def directory(settings: Settings) -> Path:
    """The folder the export writes and the download door reads."""
    return settings.data_dir / FOLDER


@dataclass
class Written:
    """One finished file: its name, size, SHA-256 and how many rows it holds."""

    path: str
    format: str
    bytes: int
    sha256: str
    rows: int


@dataclass
class _Temp:
    final: Path
    handle: IO[bytes]
    temp: Path
    digest: Any = field(default_factory=hashlib.sha256)
    size: int = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)


def _open_temp(final: Path) -> _Temp:
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    return _Temp(final=final, handle=os.fdopen(fd, "wb"), temp=Path(name))


def _settle(temp: _Temp) -> None:
    """Flush the file to disk and rename it over the published one."""
    temp.handle.flush()
    os.fsync(temp.handle.fileno())
    temp.handle.close()
    os.replace(temp.temp, temp.final)


def _discard(temp: _Temp) -> None:
    temp.handle.close()
    temp.temp.unlink(missing_ok=True)


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class DatasetWriter:
    """Writes one dataset as CSV and as a JSON array of objects, a page of rows at a time; `publish` renames both
    into place (leaving the block without publishing discards them)."""

    def __init__(self, folder: Path, dataset: Dataset) -> None:
        self.dataset = dataset
        self.rows = 0
        self._csv = _open_temp(folder / dataset.path("csv"))
        self._json = _open_temp(folder / dataset.path("json"))
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(dataset.columns)
        self._csv.write(header.getvalue().encode())
        self._json.write(b"[")
        self._published = False

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self._published:
            _discard(self._csv)
            _discard(self._json)

    def write(self, rows: Iterable[Mapping[str, Value]]) -> None:
        text = io.StringIO()
        out = csv.writer(text, lineterminator="\r\n")
        objects = []
        for row in rows:
            out.writerow([_csv_cell(row[name]) for name in self.dataset.columns])
            objects.append(orjson.dumps({name: row[name] for name in self.dataset.columns}))
            self.rows += 1
        if objects:
            self._csv.write(text.getvalue().encode())
            lead = b"\n" if self._json.size == 1 else b",\n"
            self._json.write(lead + b",\n".join(objects))

    def close(self) -> None:
        """Finish both files (not yet published)."""
        self._json.write(b"\n]\n" if self.rows else b"]\n")

    def publish(self) -> list[Written]:
        """Rename both files into place; what was written about them."""
        written = []
        for fmt, temp in (("csv", self._csv), ("json", self._json)):
            _settle(temp)
            written.append(Written(temp.final.name, fmt, temp.size, temp.digest.hexdigest(), self.rows))
        self._published = True
        return written


def write_json(folder: Path, name: str, value: Any) -> Written:
    """One JSON document, written atomically (indented: people read the data dictionary too)."""
    temp = _open_temp(folder / name)
    try:
        temp.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
        _settle(temp)
    except BaseException:
        _discard(temp)
        raise
    return Written(name, "json", temp.size, temp.digest.hexdigest(), 0)


def read_json(folder: Path, name: str) -> Any:
    """A JSON document written by `write_json`, or None when there is none (yet) or it cannot be read."""
    try:
        return orjson.loads((folder / name).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
