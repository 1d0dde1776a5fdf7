"""What the person hears about their appointment, through the platform's notifications: the confirmation, a move, a
cancellation, the reminder the day before, a freed slot offered from the waiting list.

Each is a notification (their preferred channel first, then the others, a letter last: a person with no smartphone
and no email gets a text or a letter), in the caller's transaction, once per event (its idempotency key names the
appointment, the event and the appointment's version). The words are the deployment's templates; nobody reachable,
or no template, is logged and skipped: the booking itself never fails for it. Never commits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, Service
from townsquare.appointments import links
from townsquare.appointments.models import Appointment
from townsquare.citizens.models import Citizen
from townsquare.errors import Problem
from townsquare.notify.kinds import MessageType
from townsquare.notify.models import Notification
from townsquare.notify.notifications import Notifier, Request, named
from townsquare.offices.models import Office
from townsquare.settings import Settings

log = logging.getLogger(__name__)
KIND = {
    "booked": MessageType.appointment_confirmation,
    "moved": MessageType.appointment_change,
    "cancelled": MessageType.appointment_cancellation,
    "reminder": MessageType.appointment_reminder,
    "offered": MessageType.appointment_offer,
}
LANGUAGES = ("en", "fr")


def place(office: Office, language: str) -> str:
    """The office as a letter or a text names it: its name in the language, then its address."""
    name = office.name_fr if language == "fr" and office.name_fr else office.name
    return ", ".join([name, *(str(line) for line in office.address or [])])


def when(appointment: Appointment, timezone: str, language: str) -> tuple[str, str]:
    """The appointment's local date (ISO: the notification spells it) and time in the person's way of writing it."""
    local = appointment.starts_at.astimezone(ZoneInfo(timezone))
    locale = language if language in LANGUAGES else "en"
    return local.date().isoformat(), format_time(local.time(), format="short", locale=locale)


async def values(
    session: AsyncSession, settings: Settings, appointment: Appointment, *, timezone: str, language: str
) -> dict[str, object]:
    office = await session.get_one(Office, appointment.office_id)
    service = await session.get_one(Service, appointment.service_id)
    agency = await session.get_one(Agency, appointment.agency_id)
    day, time = when(appointment, timezone, language)
    values: dict[str, object] = {} if appointment.case_id else {"reference": ""}  # a case's: the notification's own
    return values | {
        "agency": named(agency, language),
        "service": named(service, language),
        "date": day,
        "time": time,
        "place": place(office, language),
        "url": links.manage_url(settings, appointment.id),
        "calendar": links.calendar_url(settings, appointment.id),
    }


async def tell(
    session: AsyncSession,
    settings: Settings,
    appointment: Appointment,
    event: str,
    *,
    timezone: str,
    notifier: Notifier | None = None,
    letter: bool = False,
) -> Notification | None:
    """Tell the person about `event` (a key of `KIND`); with `letter`, a letter by post as well when they have a
    postal address (booked by phone or at the counter: something to keep)."""
    citizen = await session.get_one(Citizen, appointment.citizen_id)
    personal = await values(session, settings, appointment, timezone=timezone, language=citizen.language)
    if event == "offered":
        personal["url"] = links.offer_url(settings, appointment.id)
        personal["minutes"] = settings.appointment_offer_minutes
    key = f"appointment:{appointment.id}:{event}:{appointment.sequence}"
    sender = notifier or Notifier(settings)
    told = await _send(session, sender, appointment, KIND[event], key, personal)
    if letter and (told is None or (told.plan and told.plan[0][0] != "mail")):
        await _send(session, sender, appointment, KIND[event], key + ":letter", personal, channels=("mail",))
    return told


async def _send(
    session: AsyncSession,
    notifier: Notifier,
    appointment: Appointment,
    kind: MessageType,
    key: str,
    personal: dict[str, object],
    channels: tuple[str, ...] | None = None,
) -> Notification | None:
    request = Request(
        citizen_id=appointment.citizen_id,
        message_type=kind,
        personalisation=personal,
        case_id=appointment.case_id,
        conversation_id=appointment.conversation_id,
        idempotency_key=key,
        channels=channels,
    )
    try:
        async with session.begin_nested():
            return await notifier.send(session, request)
    except Problem as refused:
        if refused.status not in (404, 422):
            raise
        log.info("appointment %s: no %s sent (%s)", appointment.id, kind.value, refused.title)
        return None


def reminder_due(appointment: Appointment, settings: Settings, timezone: str, now: datetime) -> datetime | None:
    """When the reminder goes: the day before, at the set local time; none when that is already past."""
    hour, minute = (int(part) for part in settings.appointment_reminder_time.split(":"))
    zone = ZoneInfo(timezone)
    day_before = appointment.starts_at.astimezone(zone).date() - timedelta(days=1)
    due = datetime(day_before.year, day_before.month, day_before.day, hour, minute, tzinfo=zone)
    return due if due > now else None
