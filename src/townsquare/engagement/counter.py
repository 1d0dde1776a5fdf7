"""A visit to an office, through the one flow: a check-in (the kiosk, the resident's own phone from the poster's
QR code, the greeter at the door) is a contact on channel `counter`, kind `visit` — the phone as its handle when
one is given, else anonymous — handled once by the pipeline (the person's timeline, a `counter` work item in the
universal queue with its SLA), then given its ticket. A visitor who gave a phone is texted through the outbox.

Every refusal (a closed office, a service not offered, a malformed phone, a second open ticket) is raised before
the caller commits, so nothing is half-written; a form sent twice (the same `token`) is the same visit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.citizens import service as citizens
from townsquare.citizens.models import Citizen, IdentityKind
from townsquare.clock import utcnow
from townsquare.counters import tickets, words
from townsquare.counters.kinds import CheckIn
from townsquare.counters.models import Ticket
from townsquare.counters.views import service_names
from townsquare.engagement import replies
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, Problem, conflict, invalid
from townsquare.interactions.models import Channel, Interaction, InteractionKind
from townsquare.notify.rendering import Content
from townsquare.offices.models import Counter, Office
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings

TOKEN_LENGTH = 64
ALREADY_IN_LINE = "already-in-line"


@dataclass(frozen=True)
class Visit:
    """Who checks in, for what, how."""

    office: Office
    service_code: str
    language: str
    via: CheckIn
    phone: str = ""
    token: str = ""  # the check-in form's own id: sent twice, it is one visit
    staff_id: uuid.UUID | None = None  # the greeter
    identity_checked: bool = False  # the greeter saw their identity document
    booked_for: datetime | None = None  # arriving for an appointment: called ahead of walk-ins from this time on
    appointment_id: uuid.UUID | None = None
    citizen_id: uuid.UUID | None = None  # already known (an appointment's person): no handle is resolved
    case_reference: str | None = None  # the case the visit continues
    sms_identity_id: uuid.UUID | None = None  # a known person's phone for "it's your turn"


@dataclass(frozen=True)
class CheckedIn:
    ticket: Ticket
    duplicate: bool = False  # the same form came again: its ticket, nothing new


def _phone(raw: str, settings: Settings) -> str | None:
    raw = raw.strip()[:40]
    if not raw:
        return None
    try:
        return citizens.normalise_phone(raw, region=settings.default_region)
    except Problem:
        raise invalid(
            "That phone number cannot be read; check it, or leave it empty.", FieldError("phone", "not a phone number")
        ) from None


async def check_in(
    session: AsyncSession, pipeline: Pipeline, visit: Visit, *, now: datetime | None = None
) -> CheckedIn:
    """The visit through the flow, then its ticket (and the "you are in line" text). Does not commit."""
    now = now or utcnow()
    booked = visit.booked_for is not None
    place = await tickets.walk_in(session, office=visit.office, service_code=visit.service_code, now=now, booked=booked)
    phone = _phone(visit.phone, pipeline.settings)
    if visit.identity_checked and phone is None:
        raise invalid("Give their phone number to identify them.", FieldError("phone", "needed to identify"))
    token = "".join(c for c in visit.token if c.isalnum() or c in "-_")[:TOKEN_LENGTH]
    message = InboundMessage(
        channel=Channel.counter,
        kind=InteractionKind.visit,
        text=f"Walk-in at {visit.office.name} for {place.service.name}",
        sender=Sender(IdentityKind.phone, phone) if phone else None,
        external_id=f"visit:{visit.office.id}:{token}" if token else None,
        service_code=place.service.code,
        metadata={"office": visit.office.slug, "via": visit.via.value, "language": visit.language},
        received_at=now,
        citizen_id=visit.citizen_id,
        case_reference=visit.case_reference,
    )
    outcome = await pipeline.handle(session, message)
    if outcome.duplicate:
        interaction_id = uuid.UUID(outcome.interaction_id)
        earlier = await session.scalar(select(Ticket).where(Ticket.interaction_id == interaction_id))
        if earlier is None:
            raise conflict("This check-in was already sent; take a new ticket.")
        return CheckedIn(earlier, duplicate=True)
    item = await session.get(WorkItem, uuid.UUID(outcome.work_item_id)) if outcome.work_item_id else None
    if item is not None and (held := await tickets.open_ticket_of(session, work_item_id=item.id)) is not None:
        raise Problem(409, "Already in line", f"This person already has ticket {held.label} here.", ALREADY_IN_LINE)
    await _speak(session, outcome.citizen_id, outcome.citizen_created, item, visit)
    ticket = await tickets.issue(
        session,
        walk_in=place,
        via=visit.via,
        language=visit.language,
        citizen_id=uuid.UUID(outcome.citizen_id),
        conversation_id=uuid.UUID(outcome.conversation_id),
        interaction_id=uuid.UUID(outcome.interaction_id),
        work_item_id=item.id if item else None,
        sms_identity_id=visit.sms_identity_id or _texted(phone, outcome.identity_id),
        booked_for=visit.booked_for,
        appointment_id=visit.appointment_id,
        now=now,
    )
    await _label_visit(session, uuid.UUID(outcome.interaction_id), ticket, item)
    if ticket.sms_identity_id is not None:
        text = words.in_line(
            ticket.language,
            office=visit.office.name_fr if ticket.language == "fr" and visit.office.name_fr else visit.office.name,
            label=ticket.label,
            service=service_names(place.service).in_(ticket.language),
            wait_seconds=ticket.estimated_wait_seconds,
        )
        await _text(session, ticket, text)
    return CheckedIn(ticket)


def _texted(phone: str | None, identity_id: str | None) -> uuid.UUID | None:
    """The identity a phone given at check-in was resolved to: "it's your turn" goes there."""
    return uuid.UUID(identity_id) if phone and identity_id else None


async def _speak(session: AsyncSession, citizen_id: str, created: bool, item: WorkItem | None, visit: Visit) -> None:
    """The visit is served in the language chosen at check-in; a person first met now keeps it as theirs."""
    if created:
        citizen = await session.get_one(Citizen, uuid.UUID(citizen_id))
        citizen.language = visit.language
    if item is not None:
        item.language = visit.language
        if visit.identity_checked and visit.staff_id is not None:
            identified = dict((item.context or {}).get("identified_by") or {})
            identified.update(verified=True, verification_method="staff_checked", checked_by=str(visit.staff_id))
            item.context = {**(item.context or {}), "identified_by": identified}


async def _label_visit(session: AsyncSession, interaction_id: uuid.UUID, ticket: Ticket, item: WorkItem | None) -> None:
    """The visit on the timeline and the work item name the ticket, so staff find the person by it."""
    interaction = await session.get_one(Interaction, interaction_id)
    interaction.payload = {**(interaction.payload or {}), "ticket": ticket.label, "ticket_id": str(ticket.id)}
    if item is not None:
        item.context = {**(item.context or {}), "ticket": ticket.label}
    await session.flush()


async def _text(session: AsyncSession, ticket: Ticket, text: str) -> None:
    """A text to the phone given at check-in, through the outbox (in the visit's conversation)."""
    if ticket.conversation_id is None or ticket.sms_identity_id is None:
        return
    await replies.reply(
        session,
        conversation_id=ticket.conversation_id,
        content=Content(text=text),
        channel=Channel.sms,
        identity_id=ticket.sms_identity_id,
    )


async def its_your_turn(session: AsyncSession, *, ticket: Ticket, counter: Counter) -> None:
    """Text the visitor who gave a phone that they are called, and to which counter. Does not commit."""
    if ticket.sms_identity_id is None:
        return
    office = await session.get_one(Office, ticket.office_id)
    name = office.name_fr if ticket.language == "fr" and office.name_fr else office.name
    await _text(session, ticket, words.turn(ticket.language, office=name, label=ticket.label, counter=counter.label))
