"""reply(): answer a conversation on any channel the citizen has, through the transactional outbox.

Does not commit: a reply is written in the caller's transaction, so it leaves only if that change commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.engagement.messages import ReplyResult
from townsquare.errors import FieldError, invalid
from townsquare.events import Event, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.notify import rendering
from townsquare.notify import service as outbox

REPLY_QUEUED = "interaction.reply_queued"

# Which identity a channel delivers to; channels not listed deliver to the citizen's own sessions.
ADDRESS_KIND: dict[Channel, IdentityKind] = {
    Channel.sms: IdentityKind.phone,
    Channel.voice: IdentityKind.phone,
    Channel.email: IdentityKind.email,
    Channel.social: IdentityKind.social,
}
REPLYABLE = {
    Channel.sms,
    Channel.voice,
    Channel.email,
    Channel.social,
    Channel.chat,
    Channel.web,
    Channel.mobile,
}


async def reply(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    content: rendering.Content,
    channel: Channel | None = None,
    staff_id: uuid.UUID | None = None,
) -> ReplyResult:
    """Render `content` for the channel (default: where the citizen last wrote from) and queue it."""
    if not content.text.strip():
        raise invalid("A reply needs some text.", FieldError("text", "empty"))
    conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    target = channel or await interactions.last_inbound_channel(session, conversation_id=conversation.id)
    target = target or conversation.channel
    if target not in REPLYABLE:
        raise invalid(
            f"Replies cannot be sent on the {target.value} channel; choose sms, email, chat or another.",
            FieldError("channel", "not a channel replies can be sent on"),
        )
    recipient = str(conversation.citizen_id)
    if target in ADDRESS_KIND:
        identity = await citizens.contact_for(session, citizen_id=conversation.citizen_id, kind=ADDRESS_KIND[target])
        if identity is None:
            raise invalid(
                f"This citizen has no {ADDRESS_KIND[target].value} on record, so no {target.value} can be sent.",
                FieldError("channel", f"no {ADDRESS_KIND[target].value} identity"),
            )
        recipient = identity.value
    payload = rendering.render(content, target.value)
    interaction = await interactions.record(
        session,
        conversation=conversation,
        channel=target,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body=rendering.summary(payload),
        payload={"rendered": payload},
        staff_id=staff_id,
        delivery_status=DeliveryStatus.queued,
    )
    row = await outbox.enqueue(
        session,
        channel=target.value,
        recipient=recipient,
        payload=payload,
        idempotency_key=f"interaction:{interaction.id}",
        interaction_id=interaction.id,
    )
    publish_after_commit(
        session,
        Event(
            REPLY_QUEUED,
            {
                "interaction_id": str(interaction.id),
                "conversation_id": str(conversation.id),
                "citizen_id": str(conversation.citizen_id),
                "channel": target.value,
            },
        ),
    )
    return ReplyResult(str(interaction.id), str(row.id), target, payload)
