"""Copying files a provider keeps (MMS media) into attachment storage, as an outbox job.

The flow enqueues one job per contact whose attachments are only links (`media:<interaction id>`), in the
contact's own transaction; the outbox worker runs it with a lease, retries it with backoff when the provider
is unreachable, and gives up after its last attempt. A rerun fetches only what is still missing, so a retry
after a crash copies nothing twice. A file over the size limit, of a type not accepted, or that the provider
says is gone keeps its link only. Nothing here logs a URL (it can be read with the account's key).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.db.engine import Database
from townsquare.interactions.models import Attachment, Interaction
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify import service as outbox
from townsquare.notify.providers import Envelope, PermanentFailure, TemporaryFailure
from townsquare.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "media"  # the outbox channel of these jobs
TWILIO_DOORS = ("sms", "voice", "twilio")  # whose files are Twilio's: MMS media, a call's recordings


async def enqueue_fetch(session: AsyncSession, *, interaction: Interaction, provider: str) -> None:
    """Ask for the contact's linked files to be copied once it commits (in the caller's transaction)."""
    await outbox.enqueue(
        session,
        channel=CHANNEL,
        recipient=provider[:320],
        payload={"interaction_id": str(interaction.id)},
        idempotency_key=f"media:{interaction.id}",
    )


@dataclass
class MediaFetcher:
    """The outbox's provider for media jobs: fetches each missing file and keeps it."""

    db: Database
    store: AttachmentStore
    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None  # tests reach a provider's stand-in in-process

    async def send(self, envelope: Envelope) -> str:
        try:
            interaction_id = uuid.UUID(str(envelope.payload["interaction_id"]))
        except (KeyError, ValueError):
            raise PermanentFailure("a media job without an interaction id") from None
        async with self.db.session(deferred=True) as session:
            rows = await session.execute(
                select(Attachment.id, Attachment.source_url).where(
                    Attachment.interaction_id == interaction_id,
                    Attachment.sha256.is_(None),
                    Attachment.source_url.is_not(None),
                )
            )
            pending = [(att_id, str(url)) for att_id, url in rows.all()]
        kept: dict[uuid.UUID, tuple[str, int]] = {}
        unreachable = 0
        twilio = envelope.recipient in TWILIO_DOORS  # Twilio's credentials go to Twilio's files, never elsewhere
        timeout = httpx.Timeout(20.0)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, transport=self.transport) as client:
            for att_id, url in pending:
                try:
                    data = await self._download(client, url, twilio=twilio)
                except TemporaryFailure:
                    unreachable += 1
                    continue
                if data is None:
                    log.warning("media for attachment %s kept as a link only", att_id)
                    continue
                kept[att_id] = (self.store.save(data), len(data))
        await self._keep(kept)
        if unreachable:
            raise TemporaryFailure(f"{unreachable} file(s) could not be fetched now")
        return f"{len(kept)} kept"

    async def _keep(self, kept: dict[uuid.UUID, tuple[str, int]]) -> None:
        if not kept:
            return
        async with self.db.session() as session:
            for att_id, (sha256, size) in kept.items():
                attachment = await session.get(Attachment, att_id)
                if attachment is not None and attachment.sha256 is None:
                    attachment.sha256 = sha256
                    attachment.size_bytes = size
            await session.commit()

    async def _download(self, client: httpx.AsyncClient, url: str, *, twilio: bool) -> bytes | None:
        """The file at `url`, or None when it is gone, too large or of a type not allowed; raises when unreachable.
        Twilio's files are asked for with the account's credentials; any other provider's (a Mastodon server's
        media) are public to whoever has the link, and are asked for without any."""
        s = self.settings
        auth = (s.twilio_account_sid, s.twilio_auth_token)
        basic = (str(auth[0]), str(auth[1])) if twilio and all(auth) else None
        try:
            async with client.stream("GET", url, auth=basic) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    raise TemporaryFailure(f"the provider answered {response.status_code}")
                if response.status_code != 200:
                    return None
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if content_type not in s.allowed_attachment_types:
                    return None
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > s.max_attachment_bytes:
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(type(exc).__name__) from None
