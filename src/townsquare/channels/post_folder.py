"""The mail room's watched folder: a scanner (or a network share a scanning bureau writes to) drops scans in
TOWNSQUARE_MAIL_SCAN_DIR; each is taken through `engagement.post` once, then moved to done/ (with a note of
where it landed) or rejected/ (with the reason), so nothing is lost and nothing is read twice.

A file still being written (changed within the settle time), a hidden file or a link is left alone. When OCR
cannot run here the file stays where it is and is tried again. Logs name files and ids, never what a letter says.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from time import time

from townsquare.clock import utcnow
from townsquare.db import Database
from townsquare.engagement import post
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.polling import wake_or_poll
from townsquare.settings import Settings

log = logging.getLogger(__name__)
DONE = "done"
REJECTED = "rejected"
PER_PASS = 20  # files taken in one pass; the next pass starts at once when more are waiting
PARTIAL = (".part", ".tmp", ".crdownload", "~")  # names scanners and copy tools give a file while writing it


class MailRoomFolder:
    """Takes the scans dropped in the watched folder, one at a time, on the app's own event loop."""

    def __init__(self, settings: Settings, db: Database, pipeline: Pipeline) -> None:
        assert settings.mail_scan_dir is not None
        self.settings = settings
        self.db = db
        self.pipeline = pipeline
        self.inbox = settings.mail_scan_dir
        self.wake = asyncio.Event()

    async def run_forever(self, stop: asyncio.Event) -> None:
        for folder in (self.inbox, self.inbox / DONE, self.inbox / REJECTED):
            folder.mkdir(parents=True, exist_ok=True)
        await wake_or_poll(
            self.run_pass,
            wake=self.wake,
            stop=stop,
            poll_seconds=self.settings.mail_scan_poll_seconds,
            name="mail room folder",
        )

    def ready(self) -> list[Path]:
        """Files in the folder itself that have settled, oldest first."""
        settled_before = time() - self.settings.mail_scan_settle_seconds
        found: list[tuple[float, Path]] = []
        with os.scandir(self.inbox) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith(PARTIAL) or entry.is_symlink():
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                modified = entry.stat(follow_symlinks=False).st_mtime
                if modified <= settled_before:
                    found.append((modified, Path(entry.path)))
        return [path for _, path in sorted(found)]

    async def run_pass(self) -> bool:
        """Take up to `PER_PASS` settled files; True when more were waiting."""
        waiting = await asyncio.to_thread(self.ready)
        for path in waiting[:PER_PASS]:
            await self.take_file(path)
        return len(waiting) > PER_PASS

    async def take_file(self, path: Path) -> str:
        """Take one file: "done", "rejected", or "kept" (left in place to be tried again)."""
        limit = self.settings.max_attachment_bytes
        data = await asyncio.to_thread(_read_at_most, path, limit + 1)
        scan = post.Scan(data=data, filename=path.name, door="folder")
        async with self.db.session() as session:
            try:
                outcome = await post.take(session, self.pipeline, scan)
                await session.commit()
            except post.Unavailable:
                await session.rollback()
                log.warning("scan %s kept in the folder: OCR is unavailable", path.name)
                return "kept"
            except Problem as exc:
                await session.rollback()
                if exc.status >= 500:
                    raise
                reason = f"{exc.status} {exc.title}: {exc.detail}\n"
                await asyncio.to_thread(_move, path, self.inbox / REJECTED, ".reason.txt", reason)
                log.info("scan %s rejected: %s", path.name, exc.type_slug)
                return "rejected"
        note = {
            "interaction_id": outcome.interaction_id,
            "citizen_id": outcome.citizen_id,
            "case_reference": outcome.case_reference,
            "work_item_id": outcome.work_item_id,
            "duplicate": outcome.duplicate,
        }
        await asyncio.to_thread(_move, path, self.inbox / DONE, ".json", json.dumps(note, indent=2) + "\n")
        log.info("scan %s taken as interaction %s", path.name, outcome.interaction_id)
        return "done"


def _read_at_most(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _move(path: Path, folder: Path, suffix: str, note: str) -> Path:
    """Move `path` into `folder` under a name no earlier file has, its note written beside it first."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}-{path.name}"
    n = 1
    while target.exists() or target.with_name(target.name + suffix).exists():
        n += 1
        target = folder / f"{stamp}-{n}-{path.name}"
    target.with_name(target.name + suffix).write_text(note, encoding="utf-8")
    path.replace(target)
    return target
