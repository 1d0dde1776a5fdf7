"""Notification templates: the words for each message type, per channel and language, with `((placeholders))`.

A template's placeholders are checked when it is saved (only names its message type offers) and filled when a
notification is sent (every placeholder needs a value, or nothing is queued). Saving never overwrites: it adds a
version, with who saved it; the newest version is the one in use. Never commits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import FieldError, invalid
from townsquare.notify.models import MessageType, NotificationTemplate

PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHANNELS = ("push", "sms", "email", "mail", "voice", "chat")
LANGUAGES = ("en", "fr")
# A title, a subject line, a letter's heading (an agent's email reply keeps the subject of the thread it answers).
SUBJECT_CHANNELS = frozenset({"push", "email", "mail"})
MAX_BODY = {"sms": 918, "push": 400, "voice": 1000, "chat": 2000, "email": 10000, "mail": 10000}

# Filled by the platform for every notification (the person's name, the agency, the link to their case).
COMMON = frozenset({"name", "agency", "url", "reference"})
# An appointment's time and place; ((url)) moves or cancels it, ((calendar)) is its calendar file.
APPOINTMENT = COMMON | {"service", "date", "time", "place", "calendar"}
PLACEHOLDERS: Mapping[MessageType, frozenset[str]] = {
    MessageType.acknowledgement: COMMON | {"service", "title"},
    MessageType.status_change: COMMON | {"service", "title", "status", "note"},
    MessageType.information_request: COMMON | {"service", "title", "note"},
    MessageType.report_update: COMMON | {"service", "status", "note", "address"},
    MessageType.agent_reply: COMMON | {"message", "signature"},
    MessageType.appointment_reminder: APPOINTMENT,
    MessageType.appointment_confirmation: APPOINTMENT,
    MessageType.appointment_change: APPOINTMENT,
    MessageType.appointment_cancellation: APPOINTMENT,
    MessageType.appointment_offer: APPOINTMENT | {"minutes"},
    MessageType.renewal_reminder: COMMON | {"service", "date"},
    MessageType.application_reminder: COMMON | {"service", "days"},
    MessageType.sign_in: COMMON | {"code", "minutes"},
    MessageType.verification: COMMON | {"code", "minutes"},
    MessageType.general: COMMON | {"subject", "message"},
    MessageType.satisfaction_survey: COMMON | {"service", "title", "days"},
}


def placeholders(*texts: str) -> list[str]:
    """The placeholder names in these texts, each once, in order of appearance."""
    return list(dict.fromkeys(name for text in texts for name in PLACEHOLDER.findall(text)))


def check(message_type: MessageType, channel: str, language: str, subject: str, body: str) -> None:
    """Refuse a template that could not be sent: unknown channel or language, empty, or an unknown placeholder."""
    if channel not in CHANNELS:
        raise invalid(f"Templates are for {', '.join(CHANNELS)}.", FieldError("channel", "unknown channel"))
    if language not in LANGUAGES:
        raise invalid(f"Templates are in {', '.join(LANGUAGES)}.", FieldError("language", "unknown language"))
    if not body.strip():
        raise invalid("A template needs some words.", FieldError("body", "empty"))
    if len(body) > MAX_BODY[channel]:
        raise invalid(
            f"A {channel} template is at most {MAX_BODY[channel]} characters; this one is {len(body)}.",
            FieldError("body", "too long"),
        )
    if channel in SUBJECT_CHANNELS and not subject.strip() and message_type is not MessageType.agent_reply:
        raise invalid(f"A {channel} template needs a subject (its title).", FieldError("subject", "empty"))
    allowed = PLACEHOLDERS[message_type]
    unknown = [name for name in placeholders(subject, body) if name not in allowed]
    if unknown:
        offered = ", ".join(f"(({n}))" for n in sorted(allowed))
        raise invalid(
            f"Unknown placeholder {', '.join(f'(({n}))' for n in unknown)}; a {message_type.value} template may use "
            f"{offered}.",
            FieldError("body", "unknown placeholder"),
        )


@dataclass(frozen=True)
class Filled:
    """A template with every placeholder replaced: what goes to the channel's renderer."""

    template_id: uuid.UUID
    version: int
    subject: str
    body: str


def missing(template: NotificationTemplate, values: Mapping[str, object]) -> list[str]:
    """The template's placeholders that have no value (an empty text is a value: an optional line left out)."""
    return [name for name in placeholders(template.subject, template.body) if values.get(name) is None]


def fill(template: NotificationTemplate, values: Mapping[str, object]) -> Filled:
    """The template's words with its placeholders replaced; a missing value is a 422 naming it."""
    absent = missing(template, values)
    if absent:
        raise invalid(
            f"Personalisation is missing {', '.join(absent)} for the {template.channel} template.",
            *(FieldError(f"personalisation.{name}", "missing") for name in absent),
        )

    return Filled(template.id, template.version, _filled(template.subject, values), _filled(template.body, values))


def _filled(text: str, values: Mapping[str, object]) -> str:
    """`text` with its placeholders replaced; a line whose placeholders are all empty is left out (an optional
    line: "Your reference: ((reference))" for a message about no case)."""
    lines = []
    for line in text.split("\n"):
        names = PLACEHOLDER.findall(line)
        if names and all(str(values[name]) == "" for name in names):
            continue
        lines.append(PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))  # a left-out paragraph leaves one blank line, not two


def slot(message_type: MessageType, channel: str, language: str) -> tuple[ColumnElement[bool], ...]:
    """The versions of one template: a message type on a channel in a language."""
    return (
        NotificationTemplate.message_type == message_type,
        NotificationTemplate.channel == channel,
        NotificationTemplate.language == language,
    )


async def current(
    session: AsyncSession, *, message_type: MessageType, channel: str, language: str
) -> NotificationTemplate | None:
    """The version in use: the newest."""
    stmt = (
        select(NotificationTemplate)
        .where(*slot(message_type, channel, language))
        .order_by(NotificationTemplate.version.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_person(
    session: AsyncSession, *, message_type: MessageType, channel: str, language: str
) -> NotificationTemplate | None:
    """The template in the person's language, else in English (a channel nobody has written words for: None)."""
    found = await current(session, message_type=message_type, channel=channel, language=language)
    if found is None and language != "en":
        found = await current(session, message_type=message_type, channel=channel, language="en")
    return found


async def save(
    session: AsyncSession,
    *,
    message_type: MessageType,
    channel: str,
    language: str,
    subject: str,
    body: str,
    staff_id: uuid.UUID | None = None,
) -> NotificationTemplate:
    """Check and add a new version (the first is 1); saving the same words as the version in use adds none."""
    subject, body = subject.strip(), body.strip()
    check(message_type, channel, language, subject, body)
    latest = await current(session, message_type=message_type, channel=channel, language=language)
    if latest is not None and (latest.subject, latest.body) == (subject, body):
        return latest
    newest = select(func.max(NotificationTemplate.version)).where(*slot(message_type, channel, language))
    version = ((await session.execute(newest)).scalar_one_or_none() or 0) + 1
    row = NotificationTemplate(
        message_type=message_type,
        channel=channel,
        language=language,
        version=version,
        subject=subject,
        body=body,
        created_by_id=staff_id,
    )
    session.add(row)
    await session.flush()
    return row


async def history(
    session: AsyncSession, *, message_type: MessageType, channel: str, language: str
) -> list[NotificationTemplate]:
    """Every version, newest first."""
    stmt = (
        select(NotificationTemplate)
        .where(*slot(message_type, channel, language))
        .order_by(NotificationTemplate.version.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def load(session: AsyncSession, documents: Iterable[Mapping[str, str]]) -> int:
    """Save templates read from data files (the demo city's); returns how many new versions were added."""
    added = 0
    for doc in documents:
        before = await current(
            session, message_type=MessageType(doc["type"]), channel=doc["channel"], language=doc["language"]
        )
        row = await save(
            session,
            message_type=MessageType(doc["type"]),
            channel=doc["channel"],
            language=doc["language"],
            subject=doc.get("subject", ""),
            body=doc["body"],
        )
        added += row is not before
    return added
