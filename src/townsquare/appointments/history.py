"""An appointment on the person's timeline: booked, moved, cancelled, arrived, missed — each an internal entry in the
appointment's conversation (the case's, when it continues one), as other contacts' events are.

The entry's payload says what happened in codes (event, times, office and service ids) so each page words it in its
reader's language; its body is the staff's English line. Never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.models import Appointment
from townsquare.citizens.models import Citizen
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, Interaction, InteractionKind
from townsquare.notify.notifications import named
from townsquare.offices.models import Office

CHANNEL = {
    BookedVia.portal: Channel.web,
    BookedVia.phone: Channel.voice,
    BookedVia.counter: Channel.counter,
    BookedVia.ivr: Channel.voice,
    BookedVia.chat: Channel.chat,
    BookedVia.waitlist: Channel.web,
}
SUBJECT = {"en": "Appointment: {service}", "fr": "Rendez-vous : {service}"}  # in the person's language
EVENTS = ("booked", "moved", "cancelled", "arrived", "no_show", "offered")
SENTENCE = {
    "booked": "Appointment booked",
    "moved": "Appointment moved",
    "cancelled": "Appointment cancelled",
    "arrived": "Arrived for the appointment",
    "no_show": "Did not come to the appointment",
    "offered": "Offered a freed appointment from the waiting list",
}


async def conversation(session: AsyncSession, appointment: Appointment, service: Service) -> Conversation:
    """The appointment's conversation: its own, else the case's it continues, else a new one about it."""
    if appointment.conversation_id is not None:
        return await interactions.get_conversation(session, conversation_id=appointment.conversation_id)
    found = None
    if appointment.case_id is not None:
        found = await interactions.conversation_for_case(
            session, case_id=appointment.case_id, citizen_id=appointment.citizen_id
        )
    if found is None:
        language = (await session.get_one(Citizen, appointment.citizen_id)).language
        subject = SUBJECT.get(language, SUBJECT["en"]).format(service=named(service, language))
        found = await interactions.start_conversation(
            session,
            citizen_id=appointment.citizen_id,
            channel=CHANNEL[appointment.booked_via],
            case_id=appointment.case_id,
            subject=subject[:300],
        )
    appointment.conversation_id = found.id
    return found


async def note(
    session: AsyncSession,
    appointment: Appointment,
    event: str,
    *,
    at: datetime,
    timezone: str,
    channel: Channel | None = None,
    staff_id: uuid.UUID | None = None,
    extra: dict[str, Any] | None = None,
) -> Interaction:
    """Write `event` (one of `EVENTS`) on the person's timeline."""
    office = await session.get_one(Office, appointment.office_id)
    service = await session.get_one(Service, appointment.service_id)
    thread = await conversation(session, appointment, service)
    local = appointment.starts_at.astimezone(ZoneInfo(timezone))
    body = f"{SENTENCE[event]}: {service.name}, {office.name}, {local:%Y-%m-%d %H:%M}"
    payload: dict[str, Any] = {
        "appointment_id": str(appointment.id),
        "event": event,
        "starts_at": appointment.starts_at.isoformat(),
        "office_id": str(office.id),
        "service_id": str(service.id),
        "service": service.name,
        "service_fr": named(service, "fr"),
        "timezone": timezone,
        **(extra or {}),
    }
    return await interactions.record(
        session,
        conversation=thread,
        channel=channel or CHANNEL[appointment.booked_via],
        direction=Direction.internal,
        kind=InteractionKind.appointment,
        body=body,
        occurred_at=at,
        case_id=appointment.case_id,
        payload=payload,
        staff_id=staff_id,
    )
