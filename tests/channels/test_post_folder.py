"""The mail room's watched folder: a settled scan is taken once and moved to done/ with where it landed, a refused
one to rejected/ with the reason, the same file again to done/ as already recorded; a file still being written,
a hidden one and a link are left alone; nothing is lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency
from tests.support import scans
from townsquare.app import Runtime
from townsquare.channels.post_folder import MailRoomFolder
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    update = {"mail_scan_dpi": 200, "mail_scan_dir": tmp_path / "scans", "mail_scan_settle_seconds": 60.0}
    return settings.model_copy(update=update)


def _settled(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    old = path.stat().st_mtime - 120
    os.utime(path, (old, old))
    return path


async def test_scans_are_taken_once_and_moved_with_a_note(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    await create_agency(session)
    await session.commit()
    inbox = settings.mail_scan_dir
    assert inbox is not None
    inbox.mkdir()
    letter = scans.png(scans.typed(["Please repair the swing in Elm Park."]))
    _settled(inbox / "0001.png", letter)
    _settled(inbox / "0002.png", letter)  # the scanner sent the same page twice
    _settled(inbox / "0003.pdf", scans.with_script())
    (inbox / "0004.pdf").write_bytes(scans.with_script())  # still being written: changed just now
    _settled(inbox / ".hidden.png", letter)
    (inbox / "link.png").symlink_to(inbox / "0001.png")
    folder = MailRoomFolder(settings, runtime.db, runtime.pipeline)

    for sub in ("done", "rejected"):
        (inbox / sub).mkdir()
    assert await folder.run_pass() is False

    done = sorted(p.name for p in (inbox / "done").iterdir())
    rejected = sorted(p.name for p in (inbox / "rejected").iterdir())
    assert [n.split("-", 1)[1] for n in done if n.endswith(".png")] == ["0001.png", "0002.png"]
    notes = [json.loads((inbox / "done" / n).read_text()) for n in done if n.endswith(".json")]
    assert [note["duplicate"] for note in notes] == [False, True]
    assert notes[0]["interaction_id"] == notes[1]["interaction_id"]
    (reason,) = [n for n in rejected if n.endswith(".reason.txt")]
    assert "422" in (inbox / "rejected" / reason).read_text()
    assert "script" in (inbox / "rejected" / reason).read_text()
    left = sorted(p.name for p in inbox.iterdir() if p.is_file() or p.is_symlink())
    assert left == [".hidden.png", "0004.pdf", "link.png"]
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 1

    assert await folder.run_pass() is False  # the next pass finds nothing new to take
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 1
