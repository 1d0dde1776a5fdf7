"""/api/v1/interactions and /api/v1/conversations: the engagement door for integrations, and replies.

POST /interactions takes a contact from any channel through the same pipeline as every channel adapter.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from fastapi import APIRouter, Response, status

from townsquare.api.deps import PipelineDep, SettingsDep
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.engagement import links, replies
from townsquare.engagement.access import VisibleConversation, VisibleInteraction
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.engagement.schemas import InboundIn, IngestOut, ReplyIn, ReplyOut
from townsquare.errors import FieldError, invalid
from townsquare.interactions.schemas import ConversationOut, InteractionOut
from townsquare.notify.rendering import Content
from townsquare.staff.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["interactions"])


def _attachments(body: InboundIn) -> tuple[InboundAttachment, ...]:
    files = []
    for i, att in enumerate(body.attachments):
        data = None
        if att.content_base64 is not None:
            try:
                data = base64.b64decode(att.content_base64, validate=True)
            except (binascii.Error, ValueError):
                raise invalid(
                    "An attachment is not valid base64.", FieldError(f"attachments.{i}.content_base64", "not base64")
                ) from None
        elif att.url is None:
            raise invalid("An attachment needs content or a URL.", FieldError(f"attachments.{i}", "empty"))
        files.append(InboundAttachment(att.filename, att.content_type, data, att.url, att.size_bytes))
    return tuple(files)


def to_message(body: InboundIn, scope: frozenset[uuid.UUID] | None = None) -> InboundMessage:
    """The canonical message for an API contact, from a caller working for `scope` (None: every agency)."""
    sender = None
    if body.sender is not None:
        s = body.sender
        sender = Sender(kind=s.kind, value=s.value, namespace=s.namespace, display_name=s.display_name)
    return InboundMessage(
        channel=body.channel,
        text=body.text,
        sender=sender,
        external_id=body.external_id or None,
        recipient=body.to,
        subject=body.subject,
        kind=body.kind,
        attachments=_attachments(body),
        metadata=body.metadata,
        received_at=body.received_at or utcnow(),
        case_reference=body.case_reference or None,
        thread_refs=tuple(body.thread_refs),
        service_code=body.service_code or None,
        duration_seconds=body.duration_seconds,
        agency_scope=scope,
    )


@router.post(
    "/interactions",
    response_model=IngestOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": IngestOut, "description": "Already received under this external_id"}},
)
async def ingest(
    body: InboundIn, response: Response, session: SessionDep, pipeline: PipelineDep, principal: CurrentPrincipal
) -> IngestOut:
    """Record a contact from any channel; the same external_id sent again returns the first result (200)."""
    result = await pipeline.handle(session, to_message(body, principal.agency_ids))
    await session.commit()
    if result.duplicate:
        response.status_code = status.HTTP_200_OK
    return IngestOut.model_validate(result, from_attributes=True)


@router.get("/interactions/{interaction_id}", response_model=InteractionOut)
async def get_interaction(interaction: VisibleInteraction) -> InteractionOut:
    """One touchpoint with its attachments (as unknown if it belongs to another agency)."""
    return InteractionOut.model_validate(interaction)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
async def get_conversation(conversation: VisibleConversation) -> ConversationOut:
    """One conversation (as unknown if it belongs to another agency)."""
    return ConversationOut.model_validate(conversation)


@router.post("/conversations/{conversation_id}/replies", response_model=ReplyOut, status_code=status.HTTP_202_ACCEPTED)
async def reply(
    conversation: VisibleConversation,
    body: ReplyIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> ReplyOut:
    """Answer on the conversation's channel (or another the citizen has); sent by the outbox after commit."""
    result = await replies.reply(
        session,
        conversation_id=conversation.id,
        content=Content(text=body.text, subject=body.subject, link=body.link),
        channel=body.channel,
        staff_id=principal.id if principal.kind == "staff" else None,
        options=links.reply_options(settings),
    )
    principal.audit(
        session,
        action="conversation.reply",
        subject_kind="conversation",
        subject_id=str(conversation.id),
        citizen_id=conversation.citizen_id,
        detail={"interaction_id": result.interaction_id, "channel": str(result.channel)},
    )
    await session.commit()
    return ReplyOut(
        interaction_id=uuid.UUID(result.interaction_id),
        outbox_id=uuid.UUID(result.outbox_id),
        channel=result.channel,
        rendered=result.rendered,
        queued_at=utcnow(),
    )
