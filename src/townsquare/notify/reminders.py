"""Proactive reminders from what the platform holds: a service's rules say when, each reminder is a notification.

- a date a case holds (an answer of its form, e.g. a licence's expiry or an appointment): a reminder `days` before
  it, scheduled when the case is opened (`for_case`);
- an application left unfinished: a reminder `days` after it was last touched, found by the worker's pass over
  drafts (`for_unfinished_applications`), once per application.
Each reminder has a key naming what it is for, so it is scheduled once. When due, it goes out through the
`Notifier` like any notification (its idempotency key is the reminder's); nobody reachable, it is skipped. The
resident sees what is scheduled for them and may cancel it. Never commits, except `ReminderDesk.run_once`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, AttributeDatatype, Service, ServiceAttribute
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen
from townsquare.db.changes import Change, assign
from townsquare.db.engine import Database
from townsquare.drafts.models import Draft
from townsquare.errors import FieldError, Problem, invalid, not_found
from townsquare.notify.kinds import REMINDER_TYPES, MessageType, ReminderStatus
from townsquare.notify.models import Reminder, ReminderRule
from townsquare.notify.notifications import Notifier, Request, named

log = logging.getLogger(__name__)
SEND_AT = time(14, 0)  # UTC: mid-morning across North America, afternoon in Europe
DATED = (MessageType.renewal_reminder, MessageType.appointment_reminder)


@dataclass(frozen=True)
class Upcoming:
    """A reminder as the resident sees it."""

    id: uuid.UUID
    message_type: MessageType
    about: str
    due_at: datetime
    status: ReminderStatus
    case_reference: str | None


async def add_rule(
    session: AsyncSession,
    *,
    service_id: uuid.UUID,
    message_type: MessageType,
    days: int,
    attribute_code: str | None = None,
) -> ReminderRule:
    """A service's reminder rule; a dated one names a date question of the service's form."""
    if message_type not in REMINDER_TYPES:
        raise invalid("Reminders are renewal, appointment or application reminders.", FieldError("type", "not one"))
    if not 0 < days <= 366:
        raise invalid("A reminder comes 1 to 366 days before or after.", FieldError("days", "out of range"))
    if message_type in DATED:
        codes = await session.execute(
            select(ServiceAttribute.code).where(
                ServiceAttribute.service_id == service_id, ServiceAttribute.datatype == AttributeDatatype.datetime
            )
        )
        if attribute_code not in set(codes.scalars()):
            raise invalid(
                "A dated reminder needs one of the service's date questions.",
                FieldError("attribute_code", "not a date question of this service"),
            )
    rule = ReminderRule(service_id=service_id, message_type=message_type, days=days, attribute_code=attribute_code)
    session.add(rule)
    await session.flush()
    return rule


@dataclass(frozen=True)
class RuleSpec:
    """A reminder rule as a catalogue file states it."""

    message_type: MessageType
    days: int
    attribute_code: str | None = None
    active: bool = True


async def put_rules(
    session: AsyncSession, *, service_id: uuid.UUID, rules: list[RuleSpec]
) -> list[tuple[MessageType, Change]]:
    """Each rule created, or updated to the spec (one per message type and service); rules not named stay."""
    existing = {
        r.message_type: r
        for r in (await session.execute(select(ReminderRule).where(ReminderRule.service_id == service_id))).scalars()
    }
    changes = []
    for spec in rules:
        row = existing.get(spec.message_type)
        if row is None:
            row = await add_rule(
                session,
                service_id=service_id,
                message_type=spec.message_type,
                days=spec.days,
                attribute_code=spec.attribute_code,
            )
            row.active = spec.active
            changes.append((spec.message_type, Change.created))
            continue
        updated = assign(row, days=spec.days, attribute_code=spec.attribute_code, active=spec.active)
        changes.append((spec.message_type, Change.updated if updated else Change.unchanged))
    await session.flush()
    return changes


def _on(day: date, days_before: int) -> datetime:
    return datetime.combine(day - timedelta(days=days_before), SEND_AT, tzinfo=UTC)


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


async def for_case(session: AsyncSession, case: Case, *, now: datetime) -> list[Reminder]:
    """Schedule the reminders the case's service asks for from the dates its answers hold (none in the past)."""
    if case.citizen_id is None or case.service_id is None:
        return []
    rules = await session.execute(
        select(ReminderRule).where(
            ReminderRule.service_id == case.service_id,
            ReminderRule.active.is_(True),
            ReminderRule.message_type.in_(DATED),
        )
    )
    service = await session.get_one(Service, case.service_id)
    made = []
    for rule in rules.scalars():
        day = _date((case.attributes or {}).get(rule.attribute_code or ""))
        if day is None:
            continue
        due = _on(day, rule.days)
        if due <= now:
            continue
        values: dict[str, object] = {"service": service.name, "date": day.isoformat(), "time": "", "place": ""}
        made.append(
            await _schedule(
                session,
                key=f"rule:{rule.id}:case:{case.id}:{day.isoformat()}",
                rule=rule,
                citizen_id=case.citizen_id,
                case_id=case.id,
                due=due,
                about=service.name,
                values=values,
            )
        )
    return [r for r in made if r is not None]


async def for_unfinished_applications(session: AsyncSession, *, now: datetime, limit: int = 500) -> int:
    """Schedule a reminder for each application left unfinished longer than its service's rule says."""
    rules = list(
        (
            await session.execute(
                select(ReminderRule).where(
                    ReminderRule.message_type == MessageType.application_reminder, ReminderRule.active.is_(True)
                )
            )
        ).scalars()
    )
    made = 0
    for rule in rules:
        left = await session.execute(
            select(Draft, Service.name, Agency.name)
            .join(Service, Service.id == Draft.service_id)
            .join(Agency, Agency.id == Service.agency_id)
            .outerjoin(Reminder, and_(Reminder.draft_id == Draft.id, Reminder.rule_id == rule.id))
            .where(
                Draft.service_id == rule.service_id,
                Draft.submitted_at.is_(None),
                Draft.updated_at <= now - timedelta(days=rule.days),
                Reminder.id.is_(None),
            )
            .limit(limit)
        )
        for draft, name, agency in left.all():
            made += (
                await _schedule(
                    session,
                    key=f"rule:{rule.id}:draft:{draft.id}",
                    rule=rule,
                    citizen_id=draft.citizen_id,
                    draft_id=draft.id,
                    due=now,
                    about=name,
                    values={"service": name, "days": rule.days, "agency": agency},
                )
                is not None
            )
    return made


async def _schedule(
    session: AsyncSession,
    *,
    key: str,
    rule: ReminderRule,
    citizen_id: uuid.UUID,
    due: datetime,
    about: str,
    values: dict[str, object],
    case_id: uuid.UUID | None = None,
    draft_id: uuid.UUID | None = None,
) -> Reminder | None:
    if (await session.execute(select(Reminder.id).where(Reminder.key == key))).first() is not None:
        return None
    reminder = Reminder(
        key=key,
        rule_id=rule.id,
        citizen_id=citizen_id,
        case_id=case_id,
        draft_id=draft_id,
        message_type=rule.message_type,
        due_at=due,
        about=about[:200],
        personalisation=values,
    )
    session.add(reminder)
    await session.flush()
    return reminder


async def _in_their_words(session: AsyncSession, reminder: Reminder) -> dict[str, object]:
    """The reminder's values with its service and agency named in the person's language (they were kept in English
    when it was scheduled, and the person may have changed language since)."""
    values = dict(reminder.personalisation)
    rule = await session.get(ReminderRule, reminder.rule_id)
    citizen = await session.get(Citizen, reminder.citizen_id)
    service = await session.get(Service, rule.service_id) if rule is not None else None
    if citizen is None or service is None:
        return values
    if "service" in values:
        values["service"] = named(service, citizen.language)
    if "agency" in values:
        agency = await session.get(Agency, service.agency_id)
        values["agency"] = named(agency, citizen.language) if agency is not None else values["agency"]
    return values


async def send_due(session: AsyncSession, notifier: Notifier, *, limit: int = 100) -> int:
    """Send the reminders that are due; returns how many were settled (sent or skipped)."""
    now = notifier.clock()
    due = await session.execute(
        select(Reminder)
        .where(Reminder.status == ReminderStatus.scheduled, Reminder.due_at <= now)
        .order_by(Reminder.due_at)
        .limit(limit)
    )
    settled = 0
    for reminder in due.scalars():
        values = await _in_their_words(session, reminder)
        if reminder.draft_id is not None:  # where the unfinished application waits
            values.setdefault("url", notifier.settings.public_url.rstrip("/") + "/account")
        request = Request(
            citizen_id=reminder.citizen_id,
            message_type=reminder.message_type,
            personalisation=values,
            case_id=reminder.case_id,
            idempotency_key=f"reminder:{reminder.id}",
        )
        try:
            async with session.begin_nested():
                notification = await notifier.send(session, request)
            reminder.status, reminder.notification_id = ReminderStatus.sent, notification.id
        except Problem as refused:
            if refused.status not in (404, 422):
                raise
            log.info("reminder %s skipped: %s", reminder.id, refused.title)
            reminder.status = ReminderStatus.skipped
        reminder.settled_at = now
        settled += 1
    await session.flush()
    return settled


async def upcoming(
    session: AsyncSession, *, citizen_id: uuid.UUID, language: str = "en", limit: int = 50
) -> list[Upcoming]:
    """The person's reminders, soonest first: what is scheduled, then the latest ones already settled; each about
    its service as named in `language`."""
    rows = await session.execute(
        select(Reminder, Case.reference, Service)
        .outerjoin(Case, Case.id == Reminder.case_id)
        .outerjoin(ReminderRule, ReminderRule.id == Reminder.rule_id)
        .outerjoin(Service, Service.id == ReminderRule.service_id)
        .where(Reminder.citizen_id == citizen_id)
        .order_by(Reminder.status != ReminderStatus.scheduled, Reminder.due_at)
        .limit(limit)
    )
    return [
        Upcoming(r.id, r.message_type, named(service, language) if service else r.about, r.due_at, r.status, ref)
        for r, ref, service in rows.all()
    ]


async def owner(session: AsyncSession, *, reminder_id: uuid.UUID) -> uuid.UUID | None:
    """Whose reminder it is (None: no such reminder)."""
    return (await session.execute(select(Reminder.citizen_id).where(Reminder.id == reminder_id))).scalar()


async def cancel(session: AsyncSession, *, citizen_id: uuid.UUID, reminder_id: uuid.UUID, now: datetime) -> None:
    """The resident does not want this reminder; another person's, or one already settled, is not found."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.citizen_id != citizen_id or reminder.status is not ReminderStatus.scheduled:
        raise not_found("Reminder")
    reminder.status = ReminderStatus.cancelled
    reminder.settled_at = now
    await session.flush()


DRAFT_SCAN_SECONDS = 300  # unfinished applications are counted in days: looking every few minutes is plenty


class ReminderDesk:
    """The worker's side: send what is due on every pass (one indexed query); look for unfinished applications at
    most every DRAFT_SCAN_SECONDS, not on each of the worker's wake-ups (one per delivery change)."""

    def __init__(self, db: Database, notifier: Notifier) -> None:
        self.db = db
        self.notifier = notifier
        self._next_scan: datetime | None = None

    async def run_once(self) -> int:
        now = self.notifier.clock()
        scan = self._next_scan is None or now >= self._next_scan
        async with self.db.session() as session:
            scheduled = await for_unfinished_applications(session, now=now) if scan else 0
            settled = await send_due(session, self.notifier)
            await session.commit()
        if scan:
            self._next_scan = now + timedelta(seconds=DRAFT_SCAN_SECONDS)
        return scheduled + settled
