"""Filling in a form together, the desk's side: during a call or a chat, the person handling the work sends the
resident a link to her own draft of a service's form (or to add a photo to it), on the channel and contact they
choose; with her agreement they fill in or correct answers through the drafts' own merge rule; they end the link.

The link goes out as a reply in the work's conversation (the outbox, the channel's own format); the token is in
the message that leaves and nowhere else: the timeline keeps the message with the link hidden. Each action is
audited, checks that this staff member holds the work, and never commits (the desk's route does, once). The
panel the work page shows is read in `cofill_view.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from townsquare.agencies.models import Agency, Service
from townsquare.casework.work_actions import held_item
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import DraftLink, LinkPurpose
from townsquare.drafts.models import Draft
from townsquare.drafts.service import SaveResult
from townsquare.engagement import replies
from townsquare.engagement.replies import ReplyOptions
from townsquare.errors import FieldError, conflict, invalid
from townsquare.interactions.models import Channel, Conversation, Interaction
from townsquare.notify.notifications import named
from townsquare.notify.rendering import Content
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount

PATH = "/together/"
HIDDEN = "(link hidden: it opens the form once)"
SENT, ENDED = "draft.link_sent", "draft.link_ended"
# Where a link can go: the channel and the kind of contact it needs (a chat reaches every open chat of hers).
SENDS_TO = {"sms": Channel.sms, "email": Channel.email, "chat": Channel.chat}

# The message carrying the link, in the person's language: who sends what, the link, and that it opens once.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "form": "{agent} at {agency} sent you a form to fill in together while you talk: {service}. Open it here: "
        "{url} It opens once, on one phone or computer, for {minutes} minutes.",
        "upload": "{agent} at {agency} asks you for a photo for: {service}. Add it here: {url} It opens once, on "
        "one phone or computer, for {minutes} minutes.",
        "subject": "A form to fill in together: {service}",
    },
    "fr": {
        "form": "{agent} de {agency} vous envoie un formulaire à remplir ensemble pendant votre échange : {service}."
        " Ouvrez-le ici : {url} Il s'ouvre une seule fois, sur un seul téléphone ou ordinateur, pendant {minutes}"
        " minutes.",
        "upload": "{agent} de {agency} vous demande une photo pour : {service}. Ajoutez-la ici : {url} Il s'ouvre"
        " une seule fois, sur un seul téléphone ou ordinateur, pendant {minutes} minutes.",
        "subject": "Un formulaire à remplir ensemble : {service}",
    },
}


def first_name(display_name: str) -> str:
    """How a member of staff is named to residents: their first name."""
    return (display_name or "").strip().split(" ")[0] or "A member of staff"


@dataclass(frozen=True)
class Sending:
    """What the "Fill in a form together" form sent: the service, what the link opens, and where it goes
    (`sms:<identity id>`, `email:<identity id>` or `chat`)."""

    service_code: str
    purpose: str
    to: str


def _audit(session: AsyncSession, me: Principal, item: WorkItem, draft: Draft, action: str, **detail: Any) -> None:
    me.audit(
        session,
        action=action,
        subject_kind="draft",
        subject_id=str(draft.id),
        citizen_id=draft.citizen_id,
        agency_id=item.agency_id,
        detail={"work_item_id": str(item.id), **detail},
    )


async def _service(session: AsyncSession, me: Principal, code: str) -> Service:
    """An active service of one of the staff member's agencies, by code; 422 otherwise."""
    if not code:
        raise invalid("Choose the service whose form to send.", FieldError("service_code", "Choose a service."))
    service = await session.scalar(select(Service).where(Service.code == code[:64]))
    if service is None or not service.active or not me.may_see(service.agency_id):
        raise invalid(
            "That service is not one your agencies offer.", FieldError("service_code", "Not a service of yours.")
        )
    return service


async def _recipient(
    session: AsyncSession, item: WorkItem, citizen: Citizen, to: str
) -> tuple[Channel, uuid.UUID | None]:
    """The channel and (for a text or an email) the contact a link goes to, if it is one of the person's."""
    kind, _, ident = to.partition(":")
    channel = SENDS_TO.get(kind)
    if channel is None:
        raise invalid("Choose where to send the link.", FieldError("to", "Choose a phone, an email or the chat."))
    if channel is Channel.chat:
        conversation = await session.get_one(Conversation, item.conversation_id)
        chats = conversation.channel is Channel.chat or any(i.kind is IdentityKind.device for i in citizen.identities)
        if not chats:
            raise invalid("This citizen has no chat to send the link to.", FieldError("to", "No chat of theirs."))
        return channel, None
    citizen_id = citizen.id
    try:
        identity = await session.get(Identity, uuid.UUID(ident))
    except ValueError:
        identity = None
    if identity is None or identity.citizen_id != citizen_id:
        raise invalid("That is not one of this citizen's contacts.", FieldError("to", "Not a contact of theirs."))
    return channel, identity.id


def _text(language: str, purpose: LinkPurpose, *, agent: str, agency: str, service: str, url: str, minutes: int) -> str:
    words = WORDS.get(language, WORDS["en"])
    return words[purpose.value].format(agent=agent, agency=agency, service=service, url=url, minutes=minutes)


async def _hide_token(session: AsyncSession, interaction_id: str, token: str) -> Interaction:
    """The message as the timeline keeps it: the same words, the link's token hidden (the outbox row alone, which
    the provider is handed, holds it)."""
    interaction = await session.get_one(Interaction, uuid.UUID(interaction_id))
    interaction.body = interaction.body.replace(token, HIDDEN)
    rendered = dict(interaction.payload.get("rendered") or {})
    for key in ("body", "text", "html"):
        if isinstance(rendered.get(key), str):
            rendered[key] = rendered[key].replace(token, HIDDEN)
    interaction.payload = {**interaction.payload, "rendered": rendered}
    return interaction


async def send_link(
    session: AsyncSession,
    *,
    me: Principal,
    item_id: uuid.UUID,
    sent: Sending,
    settings: Settings,
    options: ReplyOptions,
) -> DraftLink:
    """Send the person a link to her own open draft of the service (started for her when she has none), on the
    contact chosen; a link still live for this work ends. Audited; never commits."""
    item = await held_item(session, me, item_id)
    if item.conversation_id is None or item.citizen_id is None:
        raise invalid("This work has no conversation with a citizen, so no link can be sent on it.")
    try:
        purpose = LinkPurpose(sent.purpose or "form")
    except ValueError:
        raise invalid("Choose what the link opens.", FieldError("purpose", "The form, or a photo.")) from None
    service = await _service(session, me, sent.service_code)
    citizen = await citizens.get(session, citizen_id=item.citizen_id)
    channel, identity_id = await _recipient(session, item, citizen, sent.to)
    draft = await drafts.start_or_resume(session, citizen_id=citizen.id, service_id=service.id)
    minutes = settings.together_link_minutes
    link, token = await links.create(
        session,
        draft=draft,
        staff_id=me.id,
        work_item_id=item.id,
        channel=channel.value,
        purpose=purpose,
        minutes=minutes,
    )
    agency = await session.get_one(Agency, service.agency_id)
    staff_member = await session.get_one(StaffAccount, me.id)
    language = citizen.language if citizen.language in WORDS else "en"
    url = settings.public_url.rstrip("/") + PATH + token
    names = {"agent": first_name(staff_member.display_name), "agency": named(agency, language)}
    text = _text(language, purpose, **names, service=named(service, language), url=url, minutes=minutes)
    subject = WORDS[language]["subject"].format(service=named(service, language))
    result = await replies.reply(
        session,
        conversation_id=item.conversation_id,
        content=Content(text, subject=subject),
        channel=channel,
        staff_id=me.id,
        options=options,
        identity_id=identity_id,
    )
    link.interaction_id = (await _hide_token(session, result.interaction_id, token)).id
    _audit(session, me, item, draft, SENT, link_id=str(link.id), channel=channel.value, purpose=purpose.value)
    await session.flush()
    return link


async def service_with_form(session: AsyncSession, service_id: uuid.UUID) -> Service:
    """The draft's service with its questions."""
    query = select(Service).where(Service.id == service_id).options(selectinload(Service.attributes))
    return (await session.execute(query)).scalar_one()


async def _live(session: AsyncSession, item: WorkItem) -> tuple[DraftLink, Draft]:
    """The link live on this work and its draft, if staff may fill it in now; 409 saying why not otherwise."""
    link = await links.live_for_item(session, work_item_id=item.id)
    if link is None:
        raise conflict("No form is being filled in together on this work: send the resident a link first.")
    draft = await session.get_one(Draft, link.draft_id)
    if draft.submitted_at is not None:
        raise conflict("The resident has already sent this form, so its answers can no longer be changed.")
    if link.opened_at is None:
        raise conflict("The resident has not opened the link yet: answers can be filled in once she allows it.")
    if links.session_refusal(link, draft) is not None:
        raise conflict("The link's time is up: send the resident a new one to go on filling in the form together.")
    if link.allowed_at is None:
        raise conflict(
            "The resident has not allowed you to fill in this form. She can choose “Allow” on her page; "
            "until then, her answers show here as she types them."
        )
    return link, draft


ReadChanges = Callable[[Service, str], dict[str, Any]]


async def save_answers(
    session: AsyncSession,
    *,
    me: Principal,
    item_id: uuid.UUID,
    base: int,
    read_changes: ReadChanges,
    bases: dict[str, int] | None = None,
) -> SaveResult:
    """Fill in or correct answers of the draft shared on this work, with the resident's agreement, through the
    drafts' merge rule: fields she changed since the version each was drawn at (`bases`, else `base`) come back as
    conflicts, never overwritten. `read_changes` reads the changed answers for the draft's service, as the draft
    keeps them (the portal's own rule, in the agency's time zone). An answer another agency's records gave cannot
    be changed (422). Attributed to this staff member and audited (by the drafts service); never commits."""
    item = await held_item(session, me, item_id)
    _link, draft = await _live(session, item)
    service = await service_with_form(session, draft.service_id)
    agency = await session.get_one(Agency, service.agency_id)
    stored = read_changes(service, agency.timezone)
    if not stored:
        raise invalid("Change an answer before saving.", FieldError("changes", "Nothing was changed."))
    locked = sorted(code for code in stored if code in (draft.prefill or {}))
    if locked:
        raise invalid(
            "Answers verified from another agency's records cannot be changed by staff.",
            *(FieldError(code, "Verified from another agency's records.") for code in locked[:10]),
        )
    # A page refreshed while the agent typed keeps each box with the version it was drawn at: one merge per version.
    drawn: dict[int, dict[str, Any]] = {}
    for code, value in stored.items():
        drawn.setdefault((bases or {}).get(code, base), {})[code] = value
    result = SaveResult(draft=draft)
    for version in sorted(drawn):
        saved = await drafts.save(
            session,
            draft_id=draft.id,
            citizen_id=draft.citizen_id,
            base_version=version,
            changes=drawn[version],
            author=drafts.staff_author(me.id),
        )
        result.draft = saved.draft
        result.applied += saved.applied
        result.conflicts += saved.conflicts
    return result


async def end_link(session: AsyncSession, *, me: Principal, item_id: uuid.UUID) -> None:
    """End the link live on this work: the device that opened it no longer reaches the draft (which stays hers).
    Audited; never commits."""
    item = await held_item(session, me, item_id)
    link = await links.live_for_item(session, work_item_id=item.id)
    if link is None:
        raise conflict("No link is live on this work.")
    await links.end(session, link=link)
    draft = await session.get_one(Draft, link.draft_id)
    _audit(session, me, item, draft, ENDED, link_id=str(link.id))
