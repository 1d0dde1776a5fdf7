"""The daily print batch: one ZIP of PDFs and manifest.csv, letters printed and their interactions sent (published
after commit), never a letter twice; and the CLI that runs it."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.factories import create_agency
from tests.notify.letters.factories import letter_to_send
from tests.notify.letters.pdfs import text_of
from townsquare import cli
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.events import DeliveryChanged
from townsquare.interactions.models import DeliveryStatus, Interaction
from townsquare.notify.letters import schedule
from townsquare.notify.letters.batches import MANIFEST_COLUMNS, build_batch
from townsquare.notify.letters.models import Letter, LetterStatus, PrintBatch
from townsquare.notify.letters.provider import LetterProvider
from townsquare.notify.letters.schedule import next_run
from townsquare.settings import Settings, get_settings


async def _two_letters(runtime: Runtime, session: AsyncSession) -> list[str]:
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    agency = await create_agency(session)
    ids = []
    for language in ("fr", "en"):
        sent = await letter_to_send(session, agency=agency, language=language)
        ids.append(await provider.send(sent.envelope))
    return ids


async def test_a_batch_zips_every_waiting_letter_with_a_manifest(runtime: Runtime, session: AsyncSession) -> None:
    ids = await _two_letters(runtime, session)
    published: list[DeliveryChanged] = []

    async def heard(event: DeliveryChanged) -> None:
        published.append(event)

    runtime.bus.subscribe(DeliveryChanged, heard)
    today = utcnow().date()
    batch = await build_batch(session, runtime.pipeline.store, today)
    assert batch is not None
    assert published == []  # nothing is told before the batch commits
    await session.commit()
    await runtime.bus.wait_idle()

    assert (batch.day, batch.sequence, batch.letter_count, batch.filename) == (today, 1, 2, f"letters-{today}-1.zip")
    archive = zipfile.ZipFile(io.BytesIO(runtime.pipeline.store.read(batch.zip_sha256)))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
    assert list(rows[0]) == MANIFEST_COLUMNS
    assert [r["letter_id"] for r in rows] == ids
    assert [r["sequence"] for r in rows] == ["1", "2"]
    assert sorted(archive.namelist()) == sorted(["manifest.csv", *(r["file"] for r in rows)])
    first = rows[0]
    assert (first["address_1"], first["address_3"], first["language"], first["pages"]) == (
        "Élodie Côté",
        "Montréal QC H2X 1Y4",
        "fr",
        "1",
    )
    assert first["reference"].startswith("TS-")
    assert first["reference"] in text_of(archive.read(first["file"]))[0]

    batch_id = str(batch.id)
    session.expire_all()
    letters = list((await session.execute(select(Letter))).scalars())
    assert {(str(x.batch_id), x.status, x.printed_at is not None) for x in letters} == {
        (batch_id, LetterStatus.printed, True)
    }
    statuses = {i.delivery_status for i in (await session.execute(select(Interaction))).scalars()}
    assert statuses == {DeliveryStatus.sent}
    assert sorted(str(e.interaction_id) for e in published) == sorted(str(x.interaction_id) for x in letters)
    assert {e.status for e in published} == {"sent"}


async def test_running_it_again_batches_no_letter_twice(runtime: Runtime, session: AsyncSession) -> None:
    await _two_letters(runtime, session)
    today = utcnow().date()
    assert await build_batch(session, runtime.pipeline.store, today) is not None
    await session.commit()
    assert await build_batch(session, runtime.pipeline.store, today) is None
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    late = await letter_to_send(session, language="en", agency=await create_agency(session, slug="parks"))
    late_id = await provider.send(late.envelope)
    second = await build_batch(session, runtime.pipeline.store, today)
    assert second is not None
    assert (second.sequence, second.letter_count) == (2, 1)
    await session.commit()
    archive = zipfile.ZipFile(io.BytesIO(runtime.pipeline.store.read(second.zip_sha256)))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
    assert [r["letter_id"] for r in rows] == [late_id]
    assert len((await session.execute(select(PrintBatch))).scalars().all()) == 2


async def test_a_batch_for_an_earlier_day_leaves_later_letters_waiting(runtime: Runtime, session: AsyncSession) -> None:
    await _two_letters(runtime, session)
    assert await build_batch(session, runtime.pipeline.store, utcnow().date() - timedelta(days=1)) is None


def test_the_daily_run_is_the_next_time_of_day_after_now() -> None:
    at = time(16, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 4, 15, 59, tzinfo=UTC), at) == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), at) == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)


async def test_the_cli_makes_the_batch(
    runtime: Runtime, session: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _two_letters(runtime, session)
    monkeypatch.setenv("TOWNSQUARE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TOWNSQUARE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        first = await asyncio.to_thread(CliRunner().invoke, cli.cli, ["print-batch"])
        again = await asyncio.to_thread(CliRunner().invoke, cli.cli, ["print-batch"])
        wrong = await asyncio.to_thread(CliRunner().invoke, cli.cli, ["print-batch", "--day", "yesterday"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert "2 letter(s)" in first.output
    assert str(settings.data_dir) in first.output
    assert again.exit_code == 0
    assert "No letter is waiting" in again.output
    assert wrong.exit_code == 2
    assert "not a day" in wrong.output


async def _finished_or_blocked(runtime: Runtime, task: asyncio.Task[object]) -> None:
    """Until `task` is done or its transaction waits on a row lock (bounded polling, never a fixed sleep)."""
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    for _ in range(1000):
        if task.done():
            return
        async with runtime.db.session() as probe:
            if await probe.scalar(waiting):
                return
        await asyncio.sleep(0.01)


@pytest.mark.postgres_only
async def test_two_runs_at_once_never_batch_a_letter_twice(runtime: Runtime, session: AsyncSession) -> None:
    ids = await _two_letters(runtime, session)
    today = utcnow().date()
    async with runtime.db.session() as first, runtime.db.session() as second:
        made = await build_batch(first, runtime.pipeline.store, today)  # holds its letters until it commits
        assert made is not None
        racing: asyncio.Task[object] = asyncio.create_task(build_batch(second, runtime.pipeline.store, today))
        await _finished_or_blocked(runtime, racing)
        await first.commit()
        assert await racing is None  # it skipped the letters the first run holds
        await second.commit()
    session.expire_all()
    batched = (await session.execute(select(Letter.batch_id))).scalars().all()
    assert len(batched) == len(ids)
    assert len(set(batched)) == 1
    assert len((await session.execute(select(PrintBatch))).scalars().all()) == 1


async def test_the_daily_scheduler_builds_the_batch_when_its_time_comes_and_stops_when_told(
    runtime: Runtime, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _two_letters(runtime, session)
    times = iter([utcnow()])  # the first run is due now; the next one is a day away
    monkeypatch.setattr(schedule, "next_run", lambda now, at: next(times, now + timedelta(days=1)))
    stop = asyncio.Event()
    scheduler = schedule.PrintBatchScheduler(runtime.db, runtime.pipeline.store, time(16, 30, tzinfo=UTC))
    task = asyncio.create_task(scheduler.run_forever(stop))
    for _ in range(1000):  # bounded polling until the batch is there
        async with runtime.db.session() as probe:
            if (await probe.execute(select(PrintBatch))).first() is not None:
                break
        await asyncio.sleep(0.01)
    stop.set()
    await task  # returns at once although the next run is a day away
    session.expire_all()
    statuses = set((await session.execute(select(Letter.status))).scalars())
    assert statuses == {LetterStatus.printed}
