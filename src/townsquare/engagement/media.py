"""Copying files a provider keeps (MMS media, files sent on WhatsApp or Messenger) into attachment storage, as an
outbox job.

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
SOCIAL = "social"  # the provider of files that came on a social network (WhatsApp's are behind the Graph API)
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
        timeout = httpx.Timeout(20.0)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, transport=self.transport) as client:
            for att_id, url in pending:
                try:
                    data = await self._download(client, url, provider=envelope.recipient)
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

    async def _download(self, client: httpx.AsyncClient, url: str, *, provider: str) -> bytes | None:
        """The file at `url`, or None when it is gone, too large or of a type not allowed; raises when unreachable.
        Twilio's credentials go to Twilio's files only, the Graph API's token to WhatsApp's only; any other
        provider's files (Messenger's, Instagram's, a Mastodon server's media) are asked for without any."""
        s = self.settings
        basic: tuple[str, str] | None = None
        headers: dict[str, str] = {}
        if provider == SOCIAL:
            graph = s.meta_graph_base_url.rstrip("/") + "/"
            if url.startswith(graph) and s.meta_access_token:  # a WhatsApp file: ask the Graph API where it is
                found = await self._graph_media(client, url, s.meta_access_token)
                if found is None:
                    return None
                url, headers = found, {"Authorization": f"Bearer {s.meta_access_token}"}
            # Anything else on a social network (Messenger's and Instagram's files) is fetched without credentials.
        elif provider in TWILIO_DOORS and s.twilio_account_sid and s.twilio_auth_token:
            basic = (s.twilio_account_sid, s.twilio_auth_token)
        try:
            async with client.stream("GET", url, auth=basic, headers=headers) as response:
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

    async def _graph_media(self, client: httpx.AsyncClient, url: str, token: str) -> str | None:
        """Where the Graph API says a WhatsApp media object's file is (its `url`, valid for minutes, fetched with the
        same token); None when Meta no longer has it."""
        try:
            response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise TemporaryFailure(type(exc).__name__) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"the graph api answered {response.status_code}")
        try:
            found = response.json().get("url") if response.status_code == 200 else None
        except (ValueError, AttributeError):
            found = None
        return found if isinstance(found, str) and found.startswith(("https://", "http://")) else None
