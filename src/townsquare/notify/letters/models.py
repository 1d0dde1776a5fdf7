"""Tables of letters and the print batches that carry them to the print supplier.

A letter's PDF and a batch's ZIP live in the attachment store (content-addressed); rows hold their SHA-256.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townsquare.clock import utcnow
from townsquare.db import Base, IdMixin
from townsquare.notify.letters.kinds import LetterStatus as LetterStatus


class PrintBatch(IdMixin, Base):
    """One ZIP of letters (PDFs and manifest.csv) for the print supplier; several may be made on one day."""

    __tablename__ = "print_batches"
    __table_args__ = (UniqueConstraint("day", "sequence"),)

    day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)  # 1 for the day's first batch, 2 for a second run …
    letter_count: Mapped[int] = mapped_column(Integer)
    zip_sha256: Mapped[str] = mapped_column(String(64))
    zip_size_bytes: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[str] = mapped_column(Text)  # manifest.csv as it is in the ZIP
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def filename(self) -> str:
        return f"letters-{self.day.isoformat()}-{self.sequence}.zip"


class Letter(IdMixin, Base):
    """One letter to one postal address, from acceptance by the letter provider to printing or return."""

    __tablename__ = "letters"
    __table_args__ = (
        Index("ix_letters_status_created", "status", "created_at"),
        Index("ix_letters_reference", "reference"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("interactions.id"), index=True)
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("citizens.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    address_lines: Mapped[list[str]] = mapped_column(default=list)  # as the window shows them, addressee first
    language: Mapped[str] = mapped_column(String(8))
    reference: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    pages: Mapped[int] = mapped_column(Integer)
    paper: Mapped[str] = mapped_column(String(8))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[LetterStatus] = mapped_column(default=LetterStatus.accepted)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("print_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(String(200))

    @property
    def filename(self) -> str:
        return f"letter-{self.id}.pdf"
