"""The "Fill in a form together" panel of the work page, as one typed read model: the form to send a link (the
services of the agency, the person's contacts), and once sent, where the link stands, the draft's answers as
she saves them with who entered each, and whether she lets this staff member fill in.

Reading the draft is a read of the person's data: it is written to the access log and committed before the
panel may be shown (the audited-read pattern); nothing else here writes. Values another agency holds, offered
into her draft with her consent, are never shown here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.cases.models import Case
from townsquare.casework import desk
from townsquare.casework import work_catalogue as catalogue
from townsquare.casework.cofill import service_with_form
from townsquare.casework.work import holds, work_item_in_scope
from townsquare.citizens import service as citizens
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import DraftLink
from townsquare.drafts.models import Draft
from townsquare.drafts.service import FieldConflict
from townsquare.interactions.models import Channel, Conversation
from townsquare.routing.models import WorkItem
from townsquare.staff.auth import Principal

READ = "draft.read"
CONTACT_KINDS = {IdentityKind.phone: "sms", IdentityKind.email: "email", IdentityKind.device: "chat"}


@dataclass(frozen=True)
class Contact:
    """Where a link can go: `to` as the form sends it, and the contact (None: the person's open chats)."""

    to: str
    channel: Channel
    identity: Identity | None


@dataclass
class CofillPanel:
    """Everything the panel shows. `state`: none (nothing sent yet), sent (not opened), opened (she has not let
    staff fill in), allowed, expired, ended or submitted."""

    item: WorkItem
    holds: bool
    state: str = "none"
    services: list[tuple[str, str]] = field(default_factory=list)  # (code, name) a link can be sent for
    contacts: list[Contact] = field(default_factory=list)
    link: DraftLink | None = None
    draft: Draft | None = None
    service: Service | None = None
    tz: str = "America/Toronto"
    authors: dict[str, str] = field(default_factory=dict)  # code → "resident", or the staff member's name
    case_reference: str | None = None
    conflicts: list[FieldConflict] = field(default_factory=list)  # after a save of this staff member's

    @property
    def can_send(self) -> bool:
        """Whether this staff member may send a (new) link on this work now."""
        return self.holds and self.item.conversation_id is not None and self.item.citizen_id is not None

    @property
    def live(self) -> bool:
        return self.state in ("sent", "opened", "allowed")

    @property
    def expires_at(self) -> datetime | None:
        if self.link is None:
            return None
        return self.link.session_expires_at if self.link.opened_at else self.link.expires_at


def _state(link: DraftLink | None, draft: Draft | None) -> str:
    if link is None or draft is None:
        return "none"
    if draft.submitted_at is not None:
        return "submitted"
    if link.ended_at is not None:
        return "ended"
    refused = links.session_refusal(link, draft) if link.opened_at else links.refusal(link, draft)
    if refused is not None:
        return "expired"
    if link.opened_at is None:
        return "sent"
    return "allowed" if link.allowed_at is not None else "opened"


def contacts_of(identities: Iterable[Identity], conversation_channel: Channel | None) -> list[Contact]:
    """The person's phones (a text), email addresses and, when she chats, her open chats."""
    found: list[Contact] = []
    chats = conversation_channel is Channel.chat
    for identity in identities:
        kind = CONTACT_KINDS.get(identity.kind)
        if kind == "chat":
            chats = True
        elif kind is not None and not (kind == "sms" and identity.opted_out_at is not None):
            found.append(Contact(f"{kind}:{identity.id}", Channel(kind), identity))
    if chats:
        found.append(Contact("chat", Channel.chat, None))
    return found


async def _services(session: AsyncSession, agency_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in await catalogue.case_services(session, agency_ids={agency_id})]


async def _newest(session: AsyncSession, item_id: uuid.UUID) -> DraftLink | None:
    query = (
        select(DraftLink)
        .where(DraftLink.work_item_id == item_id)
        .order_by(DraftLink.created_at.desc(), DraftLink.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _with_draft(session: AsyncSession, panel: CofillPanel, link: DraftLink) -> None:
    """The draft the link opens, its service and who entered what."""
    draft = await session.get_one(Draft, link.draft_id)
    panel.link, panel.draft, panel.state = link, draft, _state(link, draft)
    panel.service = await service_with_form(session, draft.service_id)
    panel.tz = (await session.get_one(Agency, panel.service.agency_id)).timezone
    authors = {code: drafts.staff_of(author) for code, author in (draft.field_authors or {}).items()}
    names = await desk.staff_names(session, ids={s for s in authors.values() if s is not None})
    panel.authors = {
        code: "resident" if staff is None else names.get(staff, "a member of staff") for code, staff in authors.items()
    }
    if draft.case_id is not None:
        panel.case_reference = await session.scalar(select(Case.reference).where(Case.id == draft.case_id))


async def panel_view(
    session: AsyncSession,
    *,
    me: Principal,
    item: WorkItem,
    identities: Iterable[Identity],
    purpose: str,
    refresh: bool = False,
) -> CofillPanel:
    """The panel for a work item the staff member may see (`item` already checked), the person's `identities`
    already read; the read of her draft (or, fetched on its own, of her record) audited and committed."""
    panel = CofillPanel(item=item, holds=holds(me, item))
    link = await _newest(session, item.id)
    if link is not None:
        await _with_draft(session, panel, link)
    if panel.can_send and not panel.live:
        panel.services = await _services(session, item.agency_id)
        conversation = await session.get(Conversation, item.conversation_id) if item.conversation_id else None
        panel.contacts = contacts_of(identities, conversation.channel if conversation else None)
    if panel.draft is not None:
        subject = ("draft", panel.draft.id, panel.draft.citizen_id)
    elif refresh and item.citizen_id is not None:  # on its own, the panel names her and her contacts
        subject = ("citizen", item.citizen_id, item.citizen_id)
    else:  # on the work page, whose read of her record is logged already
        return panel
    kind, subject_id, citizen_id = subject
    me.audit(
        session,
        action=READ if kind == "draft" else "citizen.read",
        subject_kind=kind,
        subject_id=str(subject_id),
        purpose=purpose,
        citizen_id=citizen_id,
        agency_id=item.agency_id,
        detail={"work_item_id": str(item.id), **({"refresh": True} if refresh else {})},
    )
    await session.commit()
    return panel


async def read_panel(
    session: AsyncSession,
    *,
    me: Principal,
    item_id: uuid.UUID,
    purpose: str,
    refresh: bool = True,
    conflicts: list[FieldConflict] | None = None,
) -> CofillPanel:
    """The panel on its own (the part the page fetches again when the draft changes, or shows again with the
    conflicts of a save), audited and committed."""
    item = await work_item_in_scope(session, me, item_id)
    identities: list[Identity] = []
    if item.citizen_id is not None:
        identities = list((await citizens.get(session, citizen_id=item.citizen_id)).identities)
    panel = await panel_view(session, me=me, item=item, identities=identities, purpose=purpose, refresh=refresh)
    panel.conflicts = conflicts or []
    return panel
