"""What the desk and the simulator show of letters and print batches: typed views, never ORM rows.

Reading a letter's PDF or a batch's ZIP (people's names and addresses) is written to the audit log and committed.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import not_found
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters.models import Letter, LetterStatus, PrintBatch
from townsquare.staff.auth import Principal


@dataclass(frozen=True)
class LetterView:
    id: uuid.UUID
    status: str
    reference: str | None
    subject: str
    language: str
    pages: int
    created_at: datetime
    printed_at: datetime | None
    returned_at: datetime | None
    return_reason: str | None
    batch_id: uuid.UUID | None
    filename: str


@dataclass(frozen=True)
class BatchView:
    id: uuid.UUID
    day: date
    sequence: int
    letter_count: int
    created_at: datetime
    filename: str
    size_bytes: int
    zip_sha256: str


@dataclass(frozen=True)
class FileView:
    filename: str
    content_type: str
    data: bytes


def _letter(row: Letter) -> LetterView:
    return LetterView(
        row.id,
        row.status.value,
        row.reference,
        row.subject,
        row.language,
        row.pages,
        row.created_at,
        row.printed_at,
        row.returned_at,
        row.return_reason,
        row.batch_id,
        row.filename,
    )


def _batch(row: PrintBatch) -> BatchView:
    return BatchView(
        row.id,
        row.day,
        row.sequence,
        row.letter_count,
        row.created_at,
        row.filename,
        row.zip_size_bytes,
        row.zip_sha256,
    )


def _seen_by(me: Principal | None, letter: Letter) -> bool:
    return me is None or me.may_see_any({letter.agency_id} if letter.agency_id else set())


async def batches(session: AsyncSession, *, limit: int = 60) -> list[BatchView]:
    """The newest print batches first."""
    stmt = select(PrintBatch).order_by(PrintBatch.day.desc(), PrintBatch.sequence.desc()).limit(limit)
    return [_batch(b) for b in (await session.execute(stmt)).scalars()]


async def letters(
    session: AsyncSession,
    *,
    me: Principal | None,
    status: LetterStatus | None = None,
    batch_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[LetterView]:
    """Letters the caller's agencies may see (`me` None: the simulator, every letter), newest first."""
    stmt = select(Letter).order_by(Letter.created_at.desc(), Letter.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Letter.status == status)
    if batch_id is not None:
        stmt = stmt.where(Letter.batch_id == batch_id)
    visible = me.visible() if me is not None else None
    if visible is not None:
        stmt = stmt.where((Letter.agency_id.in_(visible)) | Letter.agency_id.is_(None))
    return [_letter(row) for row in (await session.execute(stmt)).scalars()]


async def batch(session: AsyncSession, *, batch_id: uuid.UUID) -> BatchView:
    row = await session.get(PrintBatch, batch_id)
    if row is None:
        raise not_found("Print batch")
    return _batch(row)


async def letter_pdf(
    session: AsyncSession, *, letter_id: uuid.UUID, store: AttachmentStore, me: Principal | None, purpose: str
) -> FileView:
    """A letter's PDF; a staff member's read is audited and committed."""
    row = await session.get(Letter, letter_id)
    if row is None or not _seen_by(me, row):
        raise not_found("Letter")
    data = await asyncio.to_thread(store.read, row.pdf_sha256)
    if me is not None:
        me.audit(
            session,
            action="letter.read",
            subject_kind="letter",
            subject_id=str(row.id),
            citizen_id=row.citizen_id,
            agency_id=row.agency_id,
            purpose=purpose,
        )
        await session.commit()
    return FileView(row.filename, "application/pdf", data)


async def batch_zip(
    session: AsyncSession, *, batch_id: uuid.UUID, store: AttachmentStore, me: Principal | None, purpose: str
) -> FileView:
    """A batch's ZIP (every letter in it, so every agency's); a staff member's download is audited per letter."""
    row = await session.get(PrintBatch, batch_id)
    if row is None:
        raise not_found("Print batch")
    data = await asyncio.to_thread(store.read, row.zip_sha256)
    if me is not None:
        inside = await session.execute(
            select(Letter.id, Letter.citizen_id, Letter.agency_id).where(Letter.batch_id == row.id)
        )
        for letter_id, citizen_id, agency_id in inside:
            me.audit(
                session,
                action="letter.read",
                subject_kind="letter",
                subject_id=str(letter_id),
                citizen_id=citizen_id,
                agency_id=agency_id,
                purpose=purpose,
                detail={"batch_id": str(row.id)},
            )
        await session.commit()
    return FileView(row.filename, "application/zip", data)
