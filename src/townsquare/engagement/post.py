"""The post in: a scanned letter from any door (the watched folder, the desk's upload, `POST /api/v1/mail`) read
once, threaded, and handed to the one flow as a `letter` on the `mail` channel, with the scan as its attachment.

The same file again (its SHA-256 is the external id) is answered from the record without reading it again.
Never commits; a refusal is a `Problem` raised before anything is written.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.clock import utcnow
from townsquare.engagement import post_senders
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Outcome
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, InteractionKind
from townsquare.ratelimit import RateLimiter
from townsquare.routing.models import WorkItem
from townsquare.scans import ocr, reading
from townsquare.settings import Settings

log = logging.getLogger(__name__)
DOORS = ("folder", "desk", "api")
CUT = "\n\n[The text read from the scan was cut here; the scan holds the rest.]"
_reading_now = asyncio.Semaphore(1)  # OCR is a CPU's worth of work: one scan at a time per process


@dataclass(frozen=True)
class Scan:
    """A scanned letter as a door received it."""

    data: bytes
    filename: str
    door: str
    received_at: datetime = field(default_factory=utcnow)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class Unavailable(Problem):
    """OCR cannot run in this process (Tesseract or a language is missing): the scan is not at fault."""


async def within_rate(limiter: RateLimiter, who: str, per_minute: int) -> None:
    """At most `per_minute` scans a minute from one key or member of staff (`who`): a 429 with its wait beyond."""
    decision = await limiter.hit("mail-scans", who, per_minute)
    if not decision.allowed:
        raise Problem(
            429,
            "Too many requests",
            f"At most {per_minute} scans a minute; try again in {decision.retry_after} seconds.",
            "rate-limited",
            extra={"retry_after": decision.retry_after},
        )


def limits(settings: Settings) -> reading.Limits:
    return reading.Limits(
        max_bytes=settings.max_attachment_bytes,
        max_pages=settings.mail_scan_max_pages,
        max_pixels=settings.mail_scan_max_pixels,
        dpi=settings.mail_scan_dpi,
    )


def refusal(exc: reading.Refused) -> Problem:
    """A refused scan as the problem every door answers with."""
    titles = {413: "Scan too large", 415: "Not a scan", 422: "Scan refused"}
    return Problem(exc.status, titles.get(exc.status, "Scan refused"), exc.reason, exc.code)


def _read(data: bytes, settings: Settings) -> tuple[str, ocr.Reading]:
    kind, images = reading.pages(data, limits(settings))
    return kind, ocr.read(images, languages=settings.mail_scan_languages, timeout=settings.mail_scan_timeout_seconds)


async def read(scan: Scan, settings: Settings) -> tuple[str, ocr.Reading]:
    """The scan's type and what it says, off the event loop; a `Problem` when it is refused or OCR cannot run."""
    try:
        async with _reading_now:
            return await asyncio.to_thread(_read, scan.data, settings)
    except reading.Refused as exc:
        log.info("scan from the %s refused: %s", scan.door, exc.code)
        raise refusal(exc) from None
    except ocr.Unavailable as exc:
        log.error("OCR is unavailable: %s", exc)
        raise Unavailable(503, "OCR unavailable", "Letters cannot be read here now; try again later.") from None


async def take(
    session: AsyncSession, pipeline: Pipeline, scan: Scan, *, scope: frozenset[uuid.UUID] | None = None
) -> Outcome:
    """Record one scanned letter through the flow (once per file) and say on its work item what it needs."""
    settings = pipeline.settings
    external_id = f"scan:{scan.sha256}"
    if len(scan.data) > settings.max_attachment_bytes:
        raise refusal(reading.Refused(413, "too-large", f"The scan is over {settings.max_attachment_bytes} bytes."))
    if await interactions.find_by_external_id(session, channel=Channel.mail, external_id=external_id):
        # The same file again: the flow answers from the record, and nothing is read twice.
        return await pipeline.handle(session, InboundMessage(channel=Channel.mail, external_id=external_id))
    kind, said = await read(scan, settings)
    threading = await post_senders.find(session, settings, said, scope)
    text = said.text
    if len(text) > settings.max_body_chars:
        text = text[: settings.max_body_chars - len(CUT)] + CUT
    message = InboundMessage(
        channel=Channel.mail,
        kind=InteractionKind.letter,
        text=text,
        sender=threading.sender,
        citizen_id=threading.citizen_id,
        conversation_id=threading.conversation_id,
        case_reference=threading.case_reference,
        external_id=external_id,
        attachments=(InboundAttachment(scan.filename[:255] or "scan", kind, scan.data),),
        metadata={"scan": {"door": scan.door, "pages": len(said.pages), "sha256": scan.sha256}},
        received_at=scan.received_at,
        agency_scope=scope,
    )
    outcome = await pipeline.handle(session, message)
    if not outcome.duplicate:
        await _say_what_it_needs(session, settings, outcome, threading, text, scan)
    return outcome


async def _say_what_it_needs(
    session: AsyncSession,
    settings: Settings,
    outcome: Outcome,
    threading: post_senders.Threading,
    text: str,
    scan: Scan,
) -> None:
    """The letter's work item says how it was threaded and what a person must do: look at a scan nothing could
    be read from, identify a sender nobody knows (with the people it may be from), or just answer it."""
    quoted = cases.find_reference(text, prefix=settings.case_reference_prefix)
    if threading.how:
        how = threading.how
    elif outcome.case_reference and outcome.case_reference == quoted:
        how = "reference"
    elif threading.sender is not None and not outcome.citizen_created:
        how = "sender"
    else:
        how = None
    proposed: list[dict[str, Any]] = []
    if outcome.citizen_created and how is None:
        citizen_id = uuid.UUID(outcome.citizen_id)
        proposed = await post_senders.propose(session, settings, threading, citizen_id=citizen_id, key=scan.sha256)
    needs = "look" if not text.strip() else ("identify" if how is None and outcome.citizen_created else None)
    letter: dict[str, Any] = {
        "door": scan.door,
        "threaded_by": how,
        "needs": needs,
        "code": threading.code,
        "letter_id": str(threading.letter_id) if threading.letter_id else None,
        "quoted_reference": quoted,
        "sender": {"name": threading.block.name, "address": list(threading.block.address)} if threading.block else None,
        "proposed": proposed,
    }
    if outcome.work_item_id is not None:
        item = await session.get(WorkItem, uuid.UUID(outcome.work_item_id))
        if item is not None:
            item.context = {**item.context, "letter": letter}
    log.info("letter %s from the %s: threaded by %s, needs %s", outcome.interaction_id, scan.door, how, needs)
