"""reply(): answer a conversation on any channel the citizen has, through the transactional outbox.

Does not commit: a reply is written in the caller's transaction, so it leaves only if that change commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.engagement import mastodon, meta, post_out, social
from townsquare.engagement.messages import ReplyResult
from townsquare.errors import FieldError, invalid
from townsquare.events import ReplyQueued, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import (
    Channel,
    Conversation,
    DeliveryStatus,
    Direction,
    Interaction,
    InteractionKind,
)
from townsquare.notify import agent_replies, rendering
from townsquare.notify import service as outbox
from townsquare.notify.push import service as push
from townsquare.routing import service as routing
from townsquare.settings import Settings

# Which identity a channel delivers to; channels not listed deliver to the citizen's own sessions.
ADDRESS_KIND: dict[Channel, IdentityKind] = {
    Channel.sms: IdentityKind.phone,
    Channel.voice: IdentityKind.phone,
    Channel.email: IdentityKind.email,
    Channel.social: IdentityKind.social,
    Channel.mail: IdentityKind.postal,  # a letter, printed and posted (`notify.letters`)
}
REPLYABLE = {
    Channel.sms,
    Channel.voice,
    Channel.email,
    Channel.social,
    Channel.chat,
    Channel.web,
    Channel.mobile,
    Channel.push,  # to the person's devices with notifications on, opening the conversation on the portal
    Channel.mail,  # by post: the default answer to a letter unless the person prefers another way (`post_out`)
}
CONVERSATION_PATH = "/account/messages/{}"  # where a push opens the conversation, to read it and answer


@dataclass(frozen=True)
class ReplyOptions:
    """How replies are shaped for this deployment (from Settings; defaults suit tests)."""

    sms_max_segments: int = 3
    read_more: Callable[[uuid.UUID], str] | None = None  # link to the full text of a shortened message
    settings: Settings | None = None  # for a staff member's email: the greeting and signature (agent_reply template)


async def _target(session: AsyncSession, conversation: Conversation, channel: Channel | None) -> Channel:
    """The channel a reply goes on: the one chosen, else where the person last wrote from (a letter is answered by
    letter unless they prefer another reachable channel); refused when replies cannot go there."""
    target = channel or await interactions.last_inbound_channel(session, conversation_id=conversation.id)
    target = target or conversation.channel
    if channel is None and target is Channel.mail:
        target = await post_out.channel_for(session, citizen_id=conversation.citizen_id)
    if target not in REPLYABLE:
        raise invalid(
            f"Replies cannot be sent on the {target.value} channel; choose sms, email, chat or another.",
            FieldError("channel", "not a channel replies can be sent on"),
        )
    return target


async def reply(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    content: rendering.Content,
    channel: Channel | None = None,
    staff_id: uuid.UUID | None = None,
    options: ReplyOptions | None = None,
    identity_id: uuid.UUID | None = None,
) -> ReplyResult:
    """Render `content` for the channel (default: where the citizen last wrote from) and queue it.

    The reply leaves from the address the person wrote to, to the identity they wrote from (or to `identity_id`,
    one of the person's contacts of the channel's kind, when staff chose it); an email reply carries the threading
    headers of the message it answers; an SMS longer than the segment budget is shortened with a link to the full
    text; a push goes to every device of theirs with notifications on and opens the conversation.
    """
    opts = options or ReplyOptions()
    if not content.text.strip():
        raise invalid("A reply needs some text.", FieldError("text", "empty"))
    conversation = await interactions.get_conversation(session, conversation_id=conversation_id)
    target = await _target(session, conversation, channel)
    answered = await interactions.last_inbound(session, conversation_id=conversation.id, channel=target)
    if target is Channel.social:  # a Mastodon account is answered by its own rule: public once, private after
        account = await mastodon.account_of(
            session, citizen_id=conversation.citizen_id, answered=answered, chosen=identity_id
        )
        if account is not None:
            return await mastodon.answer(
                session,
                conversation=conversation,
                account=account,
                answered=answered,
                content=content,
                staff_id=staff_id,
                settings=opts.settings,
                read_more=opts.read_more,
            )
    recipient, identity = await _recipient(session, conversation, target, answered, identity_id)
    shaped = await _meta_shaped(session, identity, content, answered, opts) if target is Channel.social else None
    content = rendering.Content(shaped.text, content.subject, content.link) if shaped else content
    case = await cases.get_by_id(session, case_id=conversation.case_id) if conversation.case_id else None
    if staff_id is not None and opts.settings is not None:
        framed = await agent_replies.dressed(
            session,
            opts.settings,
            channel=target.value,
            text=content.text,
            staff_id=staff_id,
            citizen_id=conversation.citizen_id,
            case=case,
        )
        if framed is not None:
            content = rendering.Content(text=framed, subject=content.subject, link=content.link)
    interaction = await interactions.record(
        session,
        conversation=conversation,
        channel=target,
        direction=Direction.outbound,
        kind=InteractionKind.message,
        body="",
        staff_id=staff_id,
        delivery_status=DeliveryStatus.queued,
    )
    more = opts.read_more(interaction.id) if opts.read_more else None
    language = await _language(session, target, conversation.citizen_id)
    payload = rendering.render(
        content, target.value, sms_max_segments=opts.sms_max_segments, more_link=more, language=language
    )
    if answered is not None and answered.payload.get("to"):
        payload["from"] = answered.payload["to"]
    if target is Channel.email:
        reference = case.reference if case else None
        payload.update(_email_thread(content, conversation.subject, answered, reference, language))
        payload["language"] = language  # the footer's words
    if target is Channel.mail:
        answered_subject = (answered.payload.get("subject") if answered else None) or conversation.subject or ""
        payload = await post_out.letter(
            session,
            text=content.text,
            subject=content.subject,
            citizen_id=conversation.citizen_id,
            case=case,
            answered=answered_subject,
        )
        payload["interaction_id"] = str(interaction.id)  # the letter's PDF goes on this timeline entry
    if target is Channel.push:
        title = content.subject or rendering.new_message(language)
        path = CONVERSATION_PATH.format(conversation.id)
        payload.update(title=title, url=path, interaction_id=str(interaction.id), language=language)
    payload.update(shaped.payload if shaped else {})
    interaction.body = rendering.summary(payload)
    interaction.payload = {"rendered": payload, **(shaped.marks if shaped else {})}
    if more and more in str(payload.get("body", "")):
        interaction.payload["full_text"] = content.text  # what the read-more link shows
    await session.flush()
    row = await outbox.enqueue(
        session,
        channel=meta.OUTBOX_CHANNEL if shaped is not None else target.value,
        recipient=recipient,
        payload=payload,
        idempotency_key=f"interaction:{interaction.id}",
        interaction_id=interaction.id,
    )
    if staff_id is not None:
        await routing.mark_answered(session, conversation_id=conversation.id, at=interaction.occurred_at)
    publish_after_commit(
        session,
        ReplyQueued(
            interaction_id=interaction.id,
            conversation_id=conversation.id,
            citizen_id=conversation.citizen_id,
            channel=target.value,
        ),
    )
    return ReplyResult(str(interaction.id), str(row.id), target, payload)


async def _meta_shaped(
    session: AsyncSession,
    identity: Identity | None,
    content: rendering.Content,
    answered: Interaction | None,
    opts: ReplyOptions,
) -> meta.Shaped | None:
    """How a reply to a Messenger, Instagram or WhatsApp account may go in their messaging windows (a 422 problem
    saying why when it may not); None for another network's account."""
    network = social.network_of(identity.namespace) if identity is not None else None
    if network is None or identity is None:
        return None
    return await meta.shape_reply(
        session, identity=identity, network=network, text=content.text, answered=answered, settings=opts.settings
    )


async def _recipient(
    session: AsyncSession,
    conversation: Conversation,
    target: Channel,
    answered: Interaction | None,
    chosen: uuid.UUID | None,
) -> tuple[str, Identity | None]:
    """Where the reply goes: an address of the person's (the one chosen, else the one they wrote from, else their
    best), their push devices, or the person themselves (their chats and portal sessions); with the identity."""
    if target is Channel.push:
        return await _devices(session, conversation.citizen_id), None
    if target not in ADDRESS_KIND:
        return str(conversation.citizen_id), None
    identity = await _address(session, conversation.citizen_id, ADDRESS_KIND[target], answered, chosen)
    if identity is None:
        raise invalid(
            f"This citizen has no {ADDRESS_KIND[target].value} on record, so no {target.value} can be sent.",
            FieldError("channel", f"no {ADDRESS_KIND[target].value} identity"),
        )
    if identity.opted_out_at is not None and target in (Channel.sms, Channel.social):
        raise invalid(
            "This person texted STOP to stop messages to that number; reply on another channel, "
            "or wait until they text START.",
            FieldError("channel", "the recipient opted out"),
        )
    return identity.value, identity


async def _devices(session: AsyncSession, citizen_id: uuid.UUID) -> str:
    """The person's devices with notifications on, as a push's recipient; none is a 422 problem."""
    devices = await push.live_for(session, citizen_id=citizen_id)
    if not devices:
        raise invalid(
            "This person has no device with notifications on, so no push can be sent.",
            FieldError("channel", "no push subscription"),
        )
    return ",".join(str(d) for d in devices[: push.MAX_DEVICES])


async def _address(
    session: AsyncSession,
    citizen_id: uuid.UUID,
    kind: IdentityKind,
    answered: Interaction | None,
    chosen: uuid.UUID | None = None,
) -> Identity | None:
    """The contact staff chose, else the identity the person last wrote from on this channel, else their best
    contact of that kind."""
    if chosen is not None:
        identity = await session.get(Identity, chosen)
        if identity is None or identity.kind is not kind or identity.citizen_id != citizen_id:
            raise invalid(
                f"That is not one of this person's contacts for a {kind.value}.",
                FieldError("identity", "not their contact of that kind"),
            )
        return identity
    if answered is not None and answered.identity_id is not None:
        identity = await session.get(Identity, answered.identity_id)
        if identity is not None and identity.kind is kind and identity.citizen_id == citizen_id:
            return identity
    return await citizens.contact_for(session, citizen_id=citizen_id, kind=kind)


async def _language(session: AsyncSession, target: Channel, citizen_id: uuid.UUID) -> str:
    """The person's language, for an email's or a push's own words (a subject or title when none is given, an
    email's footer)."""
    if target not in (Channel.email, Channel.push):
        return "en"
    return (await citizens.get(session, citizen_id=citizen_id)).language


def _email_thread(
    content: rendering.Content,
    subject: str | None,
    answered: Interaction | None,
    reference: str | None,
    language: str,
) -> dict[str, Any]:
    """Subject and threading headers so the reply sits in the person's mail thread and finds its way back."""
    original = (answered.payload.get("subject") if answered else None) or subject or ""
    title = content.subject or (original if original.lower().startswith("re:") else f"Re: {original}".strip())
    if title in ("", "Re:"):
        title = rendering.no_subject(language)
    if reference and reference not in title:
        title = f"{title} [{reference}]"
    headers: dict[str, Any] = {"subject": title[:250]}
    if answered is not None and answered.external_id:
        earlier = [str(r) for r in answered.payload.get("references", []) if isinstance(r, str)]
        headers["in_reply_to"] = answered.external_id
        headers["references"] = [*earlier[-20:], answered.external_id]
    return headers
