"""Sending a notification to a person: plan the channels, then try the first; `progress` takes it from there.

A notification goes to a citizen, not to a channel. Their preferred channels, in their order, among those that
can reach them (a live push subscription, a phone that has not texted STOP, an email address), come first; then
the other reachable ones (push, email, SMS); a postal address is always the last resort, as a letter. Outside an
urgent message, nothing starts in the person's quiet hours. Every attempt is an outbound interaction on the
person's timeline (on the case's conversation when there is a case) and an outbox row, in the caller's
transaction. Never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.cases.models import Case
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.db import new_id
from townsquare.errors import FieldError, invalid, not_found
from townsquare.events import NotificationChanged, publish_after_commit
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, DeliveryStatus, Direction, InteractionKind
from townsquare.notify import opt_outs, rendering, templates
from townsquare.notify import service as outbox
from townsquare.notify.models import (
    AttemptOutcome,
    MessageType,
    Notification,
    NotificationAttempt,
    NotificationStatus,
    NotificationTemplate,
)
from townsquare.notify.push import service as push
from townsquare.settings import Settings

DEFAULT_ORDER = ("push", "email", "sms")  # after the person's own preferences
LETTER = Channel.mail.value
NOTIFIABLE = frozenset({"push", "sms", "email", LETTER})
ADDRESS_KIND = {"sms": IdentityKind.phone, "email": IdentityKind.email, LETTER: IdentityKind.postal}
GREETING = {"en": "there", "fr": "Madame, Monsieur"}  # ((name)) for a person whose name nobody knows
STATUS_WORDS = {
    "en": {"waiting_on_citizen": "waiting for information from you"},
    "fr": {
        "new": "nouveau",
        "open": "ouvert",
        "in_progress": "en cours de traitement",
        "waiting_on_citizen": "en attente d'information de votre part",
        "resolved": "réglé",
        "closed": "fermé",
        "cancelled": "annulé",
        "merged": "regroupé avec un autre dossier",
    },
}

UNSUBSCRIBE_NOTE = {
    "en": "Stop emails like this one",
    "fr": "Ne plus recevoir ce type de courriel",
}

PushDirectory = Callable[[AsyncSession, uuid.UUID], Awaitable[list[uuid.UUID]]]


async def _live_pushes(session: AsyncSession, citizen_id: uuid.UUID) -> list[uuid.UUID]:
    return await push.live_for(session, citizen_id=citizen_id)


@dataclass(frozen=True)
class Request:
    """What a sender asks for: a message type to a person, with its personalisation."""

    citizen_id: uuid.UUID
    message_type: MessageType
    personalisation: Mapping[str, object] = field(default_factory=dict)
    case_id: uuid.UUID | None = None
    reference: str | None = None
    idempotency_key: str | None = None
    api_key_id: uuid.UUID | None = None
    urgent: bool = False
    ack_wait_seconds: int | None = None  # None: the setting's default
    key_is_new: bool = False  # the caller already found no notification under the idempotency key
    channels: tuple[str, ...] | None = None  # only these channels, in the plan's order (a survey asks where asked)
    conversation_id: uuid.UUID | None = None  # the person's conversation it belongs to (default: the case's, or new)


@dataclass
class Notifier:
    """The notification engine, configured once per process."""

    settings: Settings
    push_targets: PushDirectory = _live_pushes  # the citizen's live push subscriptions, newest first
    clock: Callable[[], datetime] = utcnow

    async def send(self, session: AsyncSession, request: Request) -> Notification:
        """Check, plan and start one notification; a repeated idempotency key returns the first one."""
        if request.idempotency_key and not request.key_is_new:
            earlier = await by_idempotency_key(session, request.idempotency_key)
            if earlier is not None:
                return earlier
        citizen = await session.get(Citizen, request.citizen_id)
        if citizen is None or citizen.merged_into_id is not None:
            raise not_found("Citizen")
        case = await session.get(Case, request.case_id) if request.case_id else None
        if request.case_id and case is None:
            raise not_found("Case")
        plan = await self.plan(session, citizen, request.message_type)
        if request.channels is not None:
            plan = [step for step in plan if step[0] in request.channels]
        if not plan:
            raise invalid(
                "This person has no channel a notification can reach: no push subscription, phone, email or "
                f"postal address on record, or they turned {request.message_type.value} messages off on each.",
                FieldError("citizen_id", "no reachable channel"),
            )
        values = await self.personalisation(session, citizen, case, request.personalisation)
        checked = await _templated(session, request.message_type, citizen.language, plan, values)
        usable = [(channel, recipient) for channel, recipient, _ in checked]
        if not usable:
            raise invalid(
                f"There is no {request.message_type.value} template for any channel that reaches this person.",
                FieldError("message_type", "no template"),
            )
        titles = [templates.fill(template, values).subject for _channel, _recipient, template in checked]
        subject = next((title for title in titles if title.strip()), None)  # in the person's language
        conversation_id = request.conversation_id or await _conversation(session, citizen, case, usable[0][0], subject)
        now = self.clock()
        notification = Notification(
            citizen_id=citizen.id,
            case_id=case.id if case else None,
            conversation_id=conversation_id,
            message_type=request.message_type,
            language=citizen.language,
            personalisation=dict(values),
            reference=request.reference,
            idempotency_key=request.idempotency_key,
            api_key_id=request.api_key_id,
            urgent=request.urgent,
            plan=[list(step) for step in usable],
            ack_wait_seconds=request.ack_wait_seconds or self.settings.notify_push_ack_seconds,
            created_at=now,
            updated_at=now,
            id=new_id(),
            attempt=-1,  # the column defaults apply only at the insert, and try_next reads these before it
            status=NotificationStatus.created,
        )
        session.add(notification)
        quiet_until = None if request.urgent else await self.quiet_until(session, citizen, case, now)
        if quiet_until is not None:
            notification.next_check_at = quiet_until
        else:
            await self.try_next(session, notification, template=checked[0][2])
        await session.flush()
        return notification

    async def plan(self, session: AsyncSession, citizen: Citizen, message_type: MessageType) -> list[tuple[str, str]]:
        """(channel, recipient) in the order to try them, leaving out the channels the person turned this type off
        on."""
        reachable: dict[str, str] = {}
        off = await opt_outs.channels_off(session, citizen.id, message_type)
        pushes = await self.push_targets(session, citizen.id) if "push" not in off else []
        if pushes:  # every device the person turned notifications on for; any one acknowledging is enough
            reachable["push"] = ",".join(str(p) for p in pushes[: push.MAX_DEVICES])
        rows = (await session.execute(select(Identity).where(Identity.citizen_id == citizen.id))).scalars()
        best: dict[str, Identity] = {}
        for identity in rows:
            for channel, kind in ADDRESS_KIND.items():
                if identity.kind is not kind or (channel == "sms" and identity.opted_out_at is not None):
                    continue
                if channel not in best or _better(identity, best[channel]):
                    best[channel] = identity
        reachable.update({channel: identity.value for channel, identity in best.items() if channel not in off})
        order = [c for c in citizen.preferred_channels if c in NOTIFIABLE and c != LETTER]
        order += [c for c in DEFAULT_ORDER if c not in order]
        steps = [(c, reachable[c]) for c in order if c in reachable]
        if LETTER in reachable:
            steps.append((LETTER, reachable[LETTER]))
        return steps

    async def personalisation(
        self, session: AsyncSession, citizen: Citizen, case: Case | None, given: Mapping[str, object]
    ) -> dict[str, object]:
        """The sender's values over what the platform knows: the person's name, the case, its agency, a link."""
        values: dict[str, object] = {
            "name": citizen.given_name or citizen.display_name or GREETING.get(citizen.language, GREETING["en"]),
            "url": self.settings.public_url.rstrip("/") + "/account/cases",
        }
        if case is not None:
            agency = await session.get_one(Agency, case.agency_id)
            values.update(
                reference=case.reference,
                title=case.title,
                agency=named(agency, citizen.language),
                status=STATUS_WORDS.get(citizen.language, {}).get(
                    case.status.value, case.status.value.replace("_", " ")
                ),
                url=f"{self.settings.public_url.rstrip('/')}/account/cases/{case.reference}",
            )
            if case.service_id:
                service = await agencies.get_service_by_id(session, service_id=case.service_id)
                values["service"] = named(service, citizen.language)
                if case.title == service.name:  # a case opened for a service is titled by it: in the person's words
                    values["title"] = values["service"]
        else:  # the city's voice: the default agency (a caller may name its own)
            city = await agencies.default_agency(session, slug=self.settings.default_agency)
            values["agency"] = named(city, citizen.language)
        values.update({k: v for k, v in given.items() if v is not None})
        if isinstance(values.get("date"), str):  # an ISO date reads as the person writes dates: "1 mars 2099"
            values["date"] = _spelled(str(values["date"]), citizen.language)
        return values

    async def quiet_until(
        self, session: AsyncSession, citizen: Citizen, case: Case | None, now: datetime
    ) -> datetime | None:
        """When the person's quiet hours end, if they are in them now (their agency's time zone)."""
        start, end = citizen.quiet_hours_start, citizen.quiet_hours_end
        if start is None or end is None or start == end:
            return None
        zone = ZoneInfo(await _timezone(session, self.settings, case))
        local = now.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        inside = start <= clock < end if start < end else (clock >= start or clock < end)
        if not inside:
            return None
        day = local.date() if clock < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)

    async def try_next(
        self,
        session: AsyncSession,
        notification: Notification,
        *,
        after: int | None = None,
        template: NotificationTemplate | None = None,
    ) -> bool:
        """Start the attempt after `after` (default: the current one); False when no channel is left. `template`:
        the next channel's, when the caller has just read it."""
        number = (notification.attempt if after is None else after) + 1
        if number >= len(notification.plan):
            return False
        channel, recipient = notification.plan[number]
        template = template or await templates.for_person(
            session, message_type=notification.message_type, channel=channel, language=notification.language
        )
        if template is None:  # removed since the plan was made: try the next channel
            return await self.try_next(session, notification, after=number)
        filled = templates.fill(template, notification.personalisation)
        now = self.clock()
        # The notification's own columns first, so a new notification is inserted as it ends up, in one statement.
        notification.attempt = number
        notification.updated_at = now
        notification.next_check_at = (
            now + timedelta(seconds=notification.ack_wait_seconds) if channel == "push" else None
        )
        set_status(session, notification, NotificationStatus.sending, channel=channel)
        interaction_id = new_id()
        payload = self.render(notification, channel, filled, interaction_id)
        sender = await _sender(session, notification, channel)
        if sender:
            payload["from"] = sender
        conversation = await interactions.get_conversation(session, conversation_id=notification.conversation_id)
        await interactions.record(
            session,
            conversation=conversation,
            channel=Channel(channel),
            direction=Direction.outbound,
            kind=InteractionKind.letter if channel == LETTER else InteractionKind.message,
            body=filled.body,
            case_id=notification.case_id,
            delivery_status=DeliveryStatus.queued,
            occurred_at=now,
            payload={
                "rendered": payload,
                "notification_id": str(notification.id),
                "attempt": number,
                "template_id": str(filled.template_id),
                "template_version": filled.version,
            },
            interaction_id=interaction_id,
        )
        session.add(
            NotificationAttempt(
                notification_id=notification.id,
                number=number,
                channel=channel,
                interaction_id=interaction_id,
                created_at=now,
            )
        )
        await outbox.enqueue(
            session,
            channel=channel,
            recipient=recipient,
            payload=payload,
            idempotency_key=f"notification:{notification.id}:{number}",
            interaction_id=interaction_id,
        )
        return True

    def render(
        self, notification: Notification, channel: str, filled: templates.Filled, interaction_id: uuid.UUID
    ) -> dict[str, Any]:
        """The payload the channel's provider sends, with the ids a receipt or an acknowledgement refers to."""
        values = notification.personalisation
        link = str(values.get("url") or "") or None
        ids = {
            "notification_id": str(notification.id),
            "interaction_id": str(interaction_id),
            "type": notification.message_type.value,
            "language": notification.language,
            "reference": values.get("reference"),
        }
        if channel == "sms":
            content = rendering.Content(text=filled.body)
            return {**rendering.render(content, "sms", sms_max_segments=self.settings.sms_max_segments), **ids}
        if channel == "email":
            content = rendering.Content(text=filled.body, subject=filled.subject)
            rendered = rendering.render(content, "email", language=notification.language)
            return {**rendered, **self.unsubscribe(notification), "auto_submitted": True, **ids}
        if channel == "push":  # the service worker opens a page of the portal: a path, never another site
            base = self.settings.public_url.rstrip("/")
            path = link[len(base) :] if link and link.startswith(base + "/") else "/account"
            return {"title": filled.subject, "body": filled.body, "url": path, **ids}
        if channel == LETTER:
            return {
                "subject": filled.subject,
                "body": filled.body,
                "name": values.get("name"),
                "agency": {"name": values.get("agency")} if values.get("agency") else None,
                **ids,
            }
        return {"text": filled.body, **ids}

    def unsubscribe(self, notification: Notification) -> dict[str, Any]:
        """An email's way out of its message type: the link for the List-Unsubscribe headers (one click, RFC 8058)
        and the footer's words for it; nothing for what the person asked for (a sign-in link)."""
        if not opt_outs.optional(notification.message_type):
            return {}
        wanted = opt_outs.Unsubscribe(notification.citizen_id, "email", notification.message_type)
        link = f"{self.settings.public_url.rstrip('/')}/unsubscribe/{opt_outs.token(self.settings.secret_key, wanted)}"
        note = UNSUBSCRIBE_NOTE.get(notification.language, UNSUBSCRIBE_NOTE["en"])
        return {"list_unsubscribe": link, "list_unsubscribe_one_click": True, "unsubscribe_note": note}


def named(record: Agency | Any, language: str) -> str:
    """An agency's or a service's name in the person's language (its own name when it has no translation)."""
    wording = (record.translations or {}).get(language) if language != "en" else None
    name = wording.get("name") if isinstance(wording, dict) else None
    return name if isinstance(name, str) and name.strip() else str(record.name)


def set_status(
    session: AsyncSession, notification: Notification, status: NotificationStatus, *, channel: str | None = None
) -> None:
    """Change the notification's status and tell whoever listens (the desk, integrators' webhooks) after commit."""
    if notification.status is status:
        return
    notification.status = status
    publish_after_commit(
        session,
        NotificationChanged(
            notification_id=notification.id,
            status=status.value,
            channel=channel,
            attempt=notification.attempt,
        ),
    )


def _spelled(value: str, language: str) -> str:
    """An ISO date (2099-03-01) written out in the language; anything else as given."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return value
    return format_date(day, format="long", locale=language if language in GREETING else "en")


def _better(candidate: Identity, current: Identity) -> bool:
    """A verified address beats an unverified one; then the one seen most recently."""
    if candidate.verified != current.verified:
        return candidate.verified
    seen = (candidate.last_seen_at or candidate.created_at, current.last_seen_at or current.created_at)
    return seen[0] > seen[1]


async def _templated(
    session: AsyncSession,
    message_type: MessageType,
    language: str,
    plan: list[tuple[str, str]],
    values: Mapping[str, object],
) -> list[tuple[str, str, NotificationTemplate]]:
    """The steps of the plan that have a template, with it; a template that lacks a value refuses the request."""
    usable = []
    for channel, recipient in plan:
        template = await templates.for_person(session, message_type=message_type, channel=channel, language=language)
        if template is None:
            continue
        templates.fill(template, values)  # raises, naming what is missing, before anything is written
        usable.append((channel, recipient, template))
    return usable


async def _conversation(
    session: AsyncSession, citizen: Citizen, case: Case | None, channel: str, subject: str | None
) -> uuid.UUID:
    """The case's conversation with the person (so a reply threads back to it), else a new one titled by the
    message's own subject (its words, in the person's language), or by none."""
    if case is not None:
        found = await interactions.conversation_for_case(session, case_id=case.id, citizen_id=citizen.id)
        if found is not None:
            return found.id
    started = await interactions.start_conversation(
        session,
        citizen_id=citizen.id,
        channel=Channel(channel),
        case_id=case.id if case else None,
        subject=case.title[:300] if case else (subject[:300] if subject else None),
        started_at=utcnow(),
    )
    return started.id


async def _sender(session: AsyncSession, notification: Notification, channel: str) -> str | None:
    """The case's agency's own mailbox or texting number, so a reply goes back to the agency that wrote."""
    if channel not in ("email", "sms") or notification.case_id is None:
        return None
    case = await session.get_one(Case, notification.case_id)
    return await agencies.own_address(session, agency_id=case.agency_id, channel=channel)


async def _timezone(session: AsyncSession, settings: Settings, case: Case | None) -> str:
    if case is not None:
        return (await session.get_one(Agency, case.agency_id)).timezone
    return (await agencies.default_agency(session, slug=settings.default_agency)).timezone


async def by_idempotency_key(session: AsyncSession, key: str) -> Notification | None:
    stmt = select(Notification).where(Notification.idempotency_key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


__all__ = ["AttemptOutcome", "Notifier", "Request", "by_idempotency_key", "set_status"]
