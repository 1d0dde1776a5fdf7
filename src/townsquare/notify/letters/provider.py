"""The letter provider for the `mail` channel: renders the letter, keeps its PDF with the interaction and leaves
it accepted for the next print batch; its id is the provider id.

Idempotent per outbox key: a retry after a crash finds the letter it already made and never makes a second.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases.models import Case
from townsquare.citizens.service import POSTAL_MAX_LINES
from townsquare.clock import utcnow
from townsquare.db import Database, new_id
from townsquare.interactions.models import Attachment, Interaction
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.letters.models import Letter
from townsquare.notify.letters.rendering import LANGUAGES, LetterContent, Sender, layout_letter
from townsquare.notify.providers import Envelope, PermanentFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "mail"


def address_lines(recipient: str, name: str | None) -> tuple[str, ...]:
    """The lines the window shows: the addressee (unless the address already starts with them), then the address.

    Fewer than two address lines, or more than a postal address may have, is a permanent failure.
    """
    lines = [" ".join(line.split()) for line in recipient.replace("\r", "\n").split("\n")]
    kept = [line for line in lines if line]
    if len(kept) < 2 or len(kept) > POSTAL_MAX_LINES:
        raise PermanentFailure(f"a postal address needs 2 to {POSTAL_MAX_LINES} lines, not {len(kept)}")
    addressee = " ".join((name or "").split())
    if addressee and addressee.casefold() != kept[0].casefold():
        kept.insert(0, addressee)
    return tuple(line[:60] for line in kept)


def sender_of(payload: dict[str, Any], settings: Settings) -> Sender:
    """The agency named in the payload, else the platform's sender from the settings."""
    agency = payload.get("agency")
    if isinstance(agency, dict) and str(agency.get("name") or "").strip():
        lines = agency.get("address") or []
        return Sender(str(agency["name"]).strip(), tuple(str(line) for line in lines if str(line).strip()))
    return Sender(settings.letter_sender_name or settings.brand_name, tuple(settings.letter_sender_address))


@dataclass
class LetterProvider:
    """Speaks `notify.providers.Provider` for letters by post."""

    db: Database
    store: AttachmentStore
    settings: Settings
    name: str = "letters"
    settles_later: bool = True  # accepted now; sent when a print batch takes it, failed when it comes back

    async def send(self, envelope: Envelope) -> str:
        payload = envelope.payload
        recipient = address_lines(envelope.recipient, _str(payload.get("name")))
        async with self.db.session() as session:
            existing = await _by_key(session, envelope.idempotency_key)
            if existing is not None:
                return str(existing.id)
            letter = await self._make(session, envelope, recipient)
            try:
                await session.commit()
            except IntegrityError:  # another worker made this letter first: theirs stands
                await session.rollback()
                existing = await _by_key(session, envelope.idempotency_key)
                if existing is None:
                    raise
                return str(existing.id)
        log.info("letter %s accepted (%d pages)", letter.id, letter.pages)
        return str(letter.id)

    async def _make(self, session: AsyncSession, envelope: Envelope, recipient: tuple[str, ...]) -> Letter:
        payload = envelope.payload
        interaction = await _interaction(session, payload.get("interaction_id"))
        language = str(payload.get("language") or "en")
        language = language if language in LANGUAGES else "en"
        reference = _str(payload.get("reference"))
        letter_id = new_id()
        content = LetterContent(
            recipient=recipient,
            subject=_str(payload.get("subject")) or "",
            body=_str(payload.get("body")) or "",
            language=language,
            reference=reference,
            code=reference or f"L-{letter_id}",
            sender=sender_of(payload, self.settings),
            day=utcnow().date(),
        )
        rendered = await asyncio.to_thread(
            layout_letter, content, paper=self.settings.letter_paper, font=self.settings.letter_font
        )
        sha256 = await asyncio.to_thread(self.store.save, rendered.pdf)
        letter = Letter(
            id=letter_id,
            idempotency_key=envelope.idempotency_key,
            interaction_id=interaction.id if interaction else None,
            citizen_id=interaction.citizen_id if interaction else None,
            agency_id=await _agency_of(session, interaction),
            address_lines=list(recipient),
            language=language,
            reference=reference,
            subject=content.subject[:300],
            pages=rendered.pages,
            paper=self.settings.letter_paper,
            pdf_sha256=sha256,
            pdf_size_bytes=len(rendered.pdf),
        )
        session.add(letter)
        await session.flush()
        if interaction is not None:  # the timeline shows the letter with its PDF
            session.add(
                Attachment(
                    interaction_id=interaction.id,
                    filename=letter.filename,
                    content_type="application/pdf",
                    size_bytes=len(rendered.pdf),
                    sha256=sha256,
                )
            )
            await session.flush()
        return letter


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


async def _by_key(session: AsyncSession, key: str) -> Letter | None:
    return (await session.execute(select(Letter).where(Letter.idempotency_key == key))).scalar_one_or_none()


async def _interaction(session: AsyncSession, raw: object) -> Interaction | None:
    if raw is None:
        return None
    try:
        interaction_id = uuid.UUID(str(raw))
    except ValueError as exc:
        raise PermanentFailure("the letter's interaction_id is not an id") from exc
    interaction = await session.get(Interaction, interaction_id)
    if interaction is None:
        raise PermanentFailure("the letter's interaction does not exist")
    return interaction


async def _agency_of(session: AsyncSession, interaction: Interaction | None) -> uuid.UUID | None:
    """The agency whose case the letter is about: who may see it on the desk and mark it returned."""
    if interaction is None or interaction.case_id is None:
        return None
    agency_id: uuid.UUID | None = await session.scalar(select(Case.agency_id).where(Case.id == interaction.case_id))
    return agency_id
