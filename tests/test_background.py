"""The background loops by name: which the settings turn on, which need one holder, `--only` refusing a name that is
no loop or a loop turned off, and starting and stopping them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from townsquare import background
from townsquare.app import build_runtime
from townsquare.settings import Settings

ALL_ON = {
    "outbox_worker": True,
    "routing_worker": True,
    "notifications_worker": True,
    "webhook_worker": True,
    "analytics_worker": True,
    "appointments_worker": True,
    "print_batch_time": "16:30",
    "open_data_export_time": "03:30",
}


def _names(loops: list[background.Loop]) -> list[str]:
    return [loop.name for loop in loops]


async def test_the_settings_choose_the_loops_and_the_schedules_need_one_holder(
    settings: Settings, tmp_path: Path
) -> None:
    everything = build_runtime(settings.model_copy(update={**ALL_ON, "mail_scan_dir": tmp_path / "scans"}))
    try:
        chosen = background.chosen(everything, None)
        assert _names(chosen) == [n for n in background.NAMES if n != "mastodon"]  # no Mastodon account here
        assert {loop.name for loop in chosen if loop.sole} == {
            "silent-calls",
            "print-batch",
            "open-data",
            "mail-folder",
        }
    finally:
        await everything.db.dispose()
    quiet = build_runtime(settings)  # the tests' settings turn every loop off
    try:
        assert background.chosen(quiet, None) == []
    finally:
        await quiet.db.dispose()


async def test_only_refuses_a_name_that_is_no_loop_or_a_loop_turned_off(settings: Settings) -> None:
    rt = build_runtime(settings.model_copy(update={"outbox_worker": True}))
    try:
        assert _names(background.chosen(rt, ["outbox"])) == ["outbox"]
        with pytest.raises(background.NotRunnable, match="no background loop is called outbx; the loops are outbox,"):
            background.chosen(rt, ["outbx"])
        with pytest.raises(
            background.NotRunnable, match=r"print-batch is turned off here \(see TOWNSQUARE_PRINT_BATCH"
        ):
            background.chosen(rt, ["outbox", "print-batch"])
    finally:
        await rt.db.dispose()


async def test_started_loops_end_after_their_pass_once_told_to_stop(settings: Settings) -> None:
    rt = build_runtime(settings.model_copy(update=ALL_ON))
    stop = asyncio.Event()
    try:
        tasks = background.start(rt, stop, only=["outbox", "print-batch"])
        assert [task.get_name() for task in tasks] == ["background:outbox", "background:print-batch"]
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        assert all(task.done() and task.exception() is None for task in tasks)
    finally:
        await rt.bus.wait_idle()
        await rt.db.dispose()
