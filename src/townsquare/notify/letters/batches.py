"""The daily print batch: every accepted letter not yet batched, in one ZIP of PDFs with manifest.csv, for the
print supplier. Letters in it become printed and their interactions `sent`.

Never batches a letter twice: a letter leaves `accepted` in the transaction that puts it in a batch, and on
PostgreSQL two runs at once skip each other's letters (SKIP LOCKED).
"""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.clock import utcnow
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import DeliveryStatus
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters.models import Letter, LetterStatus, PrintBatch

ADDRESS_COLUMNS = 7  # the addressee and up to six address lines
MANIFEST_COLUMNS = [
    "sequence",
    "letter_id",
    "file",
    "pages",
    "paper",
    "language",
    "reference",
    *(f"address_{i}" for i in range(1, ADDRESS_COLUMNS + 1)),
    "created_at",
]


@dataclass(frozen=True)
class BatchFile:
    """One letter's place in the batch."""

    sequence: int
    letter: Letter

    @property
    def name(self) -> str:
        return f"{self.sequence:05d}-{self.letter.id}.pdf"


def manifest_csv(files: list[BatchFile]) -> str:
    """manifest.csv: one row per PDF in print order, the address as separate columns (UTF-8, comma, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for f in files:
        lines = [*f.letter.address_lines, *[""] * ADDRESS_COLUMNS][:ADDRESS_COLUMNS]
        writer.writerow(
            [
                f.sequence,
                f.letter.id,
                f.name,
                f.letter.pages,
                f.letter.paper,
                f.letter.language,
                f.letter.reference or "",
                *lines,
                f.letter.created_at.isoformat(),
            ]
        )
    return out.getvalue()


def _zip(day: date, files: list[tuple[str, bytes]], manifest: str) -> bytes:
    """The ZIP, its entries dated at the batch's day so the same letters make the same bytes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("manifest.csv", stamp), manifest.encode("utf-8"))
        for name, data in files:
            archive.writestr(zipfile.ZipInfo(name, stamp), data, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


async def _waiting(session: AsyncSession, *, until: datetime) -> list[Letter]:
    stmt = (
        select(Letter)
        .where(Letter.status == LetterStatus.accepted, Letter.batch_id.is_(None), Letter.created_at < until)
        .order_by(Letter.created_at, Letter.id)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars())


async def build_batch(session: AsyncSession, store: AttachmentStore, day: date) -> PrintBatch | None:
    """Batch every accepted letter made before the end of `day` (UTC); None when there is none. The caller
    commits; `DeliveryChanged` for each letter's interaction is published after that commit."""
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    letters = await _waiting(session, until=end_of_day)
    if not letters:
        return None
    files = [BatchFile(i, letter) for i, letter in enumerate(letters, start=1)]
    manifest = manifest_csv(files)
    pdfs = [(f.name, await asyncio.to_thread(store.read, f.letter.pdf_sha256)) for f in files]
    archive = await asyncio.to_thread(_zip, day, pdfs, manifest)
    sha256 = await asyncio.to_thread(store.save, archive)
    earlier = await session.scalar(select(func.count()).select_from(PrintBatch).where(PrintBatch.day == day))
    batch = PrintBatch(
        day=day,
        sequence=int(earlier or 0) + 1,
        letter_count=len(letters),
        zip_sha256=sha256,
        zip_size_bytes=len(archive),
        manifest=manifest,
    )
    session.add(batch)
    await session.flush()
    now = utcnow()
    for letter in letters:
        letter.status = LetterStatus.printed
        letter.batch_id = batch.id
        letter.printed_at = now
        if letter.interaction_id is not None:
            await interactions.set_delivery(session, interaction_id=letter.interaction_id, status=DeliveryStatus.sent)
            publish_after_commit(
                session, DeliveryChanged(interaction_id=letter.interaction_id, status=DeliveryStatus.sent.value)
            )
    await session.flush()
    return batch
