"""Meta's channels beyond the flow: how a reply to a Messenger, Instagram or WhatsApp account may go (the windows of
`engagement.social`, applied to the person's last message), delivery reports, and what the flow says back.

Everything leaves through the outbox (channel `meta`, sent by `channels.meta_graph`), in the caller's transaction.
Nothing here commits, and nothing logs an account id or a message's text.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens.models import Citizen, Identity
from townsquare.clock import utcnow
from townsquare.engagement import social
from townsquare.engagement.messages import Outcome
from townsquare.engagement.social import Network, Way
from townsquare.errors import FieldError, invalid
from townsquare.events import DeliveryChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, Interaction
from townsquare.notify import service as outbox
from townsquare.notify.models import OutboxMessage
from townsquare.settings import Settings

log = logging.getLogger(__name__)
OUTBOX_CHANNEL = "meta"  # the outbox channel of everything sent through the Graph API
WINDOW_FIELD = "outside Meta's messaging window"

# What the products report about a message the platform sent; None: no news worth keeping.
PROVIDER_STATUS: dict[str, DeliveryStatus | None] = {
    "sent": DeliveryStatus.sent,
    "delivered": DeliveryStatus.delivered,
    "read": DeliveryStatus.delivered,
    "played": DeliveryStatus.delivered,  # a voice message listened to
    "failed": DeliveryStatus.failed,
    "deleted": None,
}
_RANK = {DeliveryStatus.queued: 0, DeliveryStatus.sent: 1, DeliveryStatus.delivered: 2, DeliveryStatus.failed: 2}


def external_id(network: Network, message_id: str) -> str:
    """A Meta message id as the platform keeps it: named by its product, so no other network's id can collide."""
    return f"{network.value}:{message_id}"


@dataclass(frozen=True)
class Shaped:
    """A reply as it may go: the text actually sent and what the provider needs beside it."""

    text: str
    way: Way
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def marks(self) -> dict[str, str]:
        """What the reply's timeline entry keeps of it: how it went when not free-form, so the desk says why."""
        return {} if self.way is Way.free_form else {"sent_as": self.way.value}


async def shape_reply(
    session: AsyncSession,
    *,
    identity: Identity,
    network: Network,
    text: str,
    answered: Interaction | None,
    settings: Settings | None,
) -> Shaped:
    """How a reply to this account goes now: free-form, as the approved template (WhatsApp) or tagged HUMAN_AGENT
    (Messenger, Instagram); a 422 problem naming the window when it may not go at all, so the agent hears why."""
    decision = social.how_to_send(
        network,
        last_wrote=identity.last_seen_at,
        now=utcnow(),
        template=settings.meta_whatsapp_template if settings else None,
        human_agent=bool(settings and settings.meta_human_agent_tag),
    )
    if isinstance(decision, social.Refusal):
        raise invalid(decision.reason, FieldError("channel", WINDOW_FIELD))
    payload: dict[str, Any] = {"network": network.value, "sent_as": decision.way.value}
    # Replies leave from the number or page this account wrote to (else the provider takes the settings').
    wrote_to = answered.payload.get("to") if answered is not None and answered.identity_id == identity.id else None
    payload["from"] = str(wrote_to) if wrote_to else None
    if decision.way is Way.template:
        citizen = await session.get(Citizen, identity.citizen_id)
        payload["template"] = decision.template
        payload["language"] = citizen.language if citizen is not None else "en"
        return Shaped(social.template_parameter(text), decision.way, payload)
    problem = social.too_long(network, text.strip())
    if problem is not None:
        raise invalid(problem, FieldError("text", "too long for one message"))
    if decision.way is Way.human_agent:
        payload["tag"] = "HUMAN_AGENT"
    return Shaped(text.strip(), decision.way, payload)


async def delivery_update(
    session: AsyncSession, *, network: Network, message_id: str, provider_status: str, error_code: str | None = None
) -> Interaction | None:
    """Apply a product's report on a message the platform sent (WhatsApp's statuses, Messenger's deliveries).

    Never moves backwards (a late `sent` after `read` changes nothing); a failure keeps Meta's error code. None when
    the platform sent nothing under that id. Does not commit.
    """
    found = await interactions.find_by_external_id(
        session, channel=Channel.social, external_id=external_id(network, message_id)
    )
    if found is None or found.direction is not Direction.outbound:
        return None
    said = provider_status.strip().lower()[:32]
    status = PROVIDER_STATUS.get(said)
    current = found.delivery_status or DeliveryStatus.queued
    payload = {**found.payload, "provider_status": said}
    if status is DeliveryStatus.failed and error_code:
        payload["error_code"] = error_code[:16]
    found.payload = payload
    changed = status is not None and _RANK[status] > _RANK[current]
    if changed and status is not None:
        found.delivery_status = status
        publish_after_commit(session, DeliveryChanged(interaction_id=found.id, status=status.value))
    await session.flush()
    return found


@dataclass(frozen=True)
class Sender:
    """Who a contact came from on Meta, and the number or page they wrote to: where the flow's answers go."""

    network: Network
    account: str  # the wa_id (or business-scoped id), the PSID or the IGSID, exactly as Meta sent it
    business: str | None  # the WhatsApp phone number id, the Page id or the Instagram account id


async def send_answers(session: AsyncSession, *, outcome: Outcome, sender: Sender) -> int:
    """Queue what the flow said back to a new contact (the answers it recorded) through the Graph API; the person
    just wrote, so the window is open. A redelivered contact's answers went out the first time. Does not commit."""
    if outcome.duplicate:
        return 0
    for answer in outcome.replies:
        await outbox.enqueue(
            session,
            channel=OUTBOX_CHANNEL,
            recipient=sender.account[:320],
            payload=_free_form(sender, answer.text),
            idempotency_key=f"interaction:{answer.interaction_id}",
            interaction_id=uuid.UUID(answer.interaction_id),
        )
    return len(outcome.replies)


async def answer_refusal(session: AsyncSession, *, sender: Sender, message_id: str, text: str) -> bool:
    """Tell the person why a message of theirs could not be taken (a file of a type not accepted, too long), once
    per message however often Meta delivers it; nothing of theirs is on record to attach it to. Does not commit."""
    key = f"meta-refusal:{external_id(sender.network, message_id)}"[:128]
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None:
        return False
    payload = _free_form(sender, text)
    await outbox.enqueue(
        session, channel=OUTBOX_CHANNEL, recipient=sender.account[:320], payload=payload, idempotency_key=key
    )
    return True


def _free_form(sender: Sender, text: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"network": sender.network.value, "sent_as": Way.free_form.value, "text": text}
    if sender.business:
        payload["from"] = sender.business
    return payload
