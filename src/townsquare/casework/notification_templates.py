"""Supervisors and administrators editing notification templates: the grid of what exists, one template with its
versions, a preview on its channel with sample values, and saving a new version (audited).

Typed views for the desk's pages; never commits (the route does, once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.errors import FieldError, invalid
from townsquare.notify import rendering, templates
from townsquare.notify.models import MessageType, NotificationTemplate
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount

SAMPLE: dict[str, object] = {
    "name": "Maria",
    "agency": "City Works",
    "url": "https://city.example/account/cases/TS-2026-000123",
    "reference": "TS-2026-000123",
    "service": "Report a pothole",
    "title": "Pothole on Bank St",
    "status": "in progress",
    "note": "A crew will fill it on Friday.",
    "message": "Your parking permit ends on 31 January; renew it online.",
    "subject": "Your parking permit",
    "signature": "Wren, City Works",
    "date": "31 January 2027",
    "time": "10:30",
    "place": "City Hall, 110 Laurier Ave W",
    "days": 7,
    "code": "482913",
    "minutes": 10,
}
SAMPLE_FR: dict[str, object] = {
    **SAMPLE,
    "agency": "Travaux publics",
    "service": "Signaler un nid-de-poule",
    "title": "Nid-de-poule rue Bank",
    "status": "en cours de traitement",
    "note": "Une équipe le bouchera vendredi.",
    "message": "Votre permis de stationnement expire le 31 janvier ; renouvelez-le en ligne.",
    "subject": "Votre permis de stationnement",
    "signature": "Wren, Travaux publics",
    "date": "31 janvier 2027",
    "place": "Hôtel de ville, 110, avenue Laurier Ouest",
}


@dataclass(frozen=True)
class Cell:
    """One template slot in the grid: its newest version, if any."""

    message_type: MessageType
    channel: str
    language: str
    version: int | None
    saved_at: datetime | None


@dataclass(frozen=True)
class Version:
    number: int
    subject: str
    body: str
    saved_at: datetime
    saved_by: str  # "loaded from files" when no person saved it


@dataclass(frozen=True)
class Preview:
    """How the template reads on its channel with sample values."""

    subject: str
    text: str
    html: str | None
    sms_segments: int | None
    sms_encoding: str | None
    characters: int


def slot(message_type: str, channel: str, language: str) -> tuple[MessageType, str, str]:
    """The path's template slot, checked (an unknown one is a 404 at the route)."""
    try:
        kind = MessageType(message_type)
    except ValueError:
        raise invalid("There is no such message type.", FieldError("message_type", "unknown")) from None
    if channel not in templates.CHANNELS or language not in templates.LANGUAGES:
        raise invalid("There is no such channel or language.", FieldError("channel", "unknown"))
    return kind, channel, language


async def grid(session: AsyncSession) -> list[Cell]:
    """Every message type, channel and language, with the version in use where one exists."""
    newest = await session.execute(
        select(
            NotificationTemplate.message_type,
            NotificationTemplate.channel,
            NotificationTemplate.language,
            func.max(NotificationTemplate.version),
            func.max(NotificationTemplate.created_at),
        ).group_by(NotificationTemplate.message_type, NotificationTemplate.channel, NotificationTemplate.language)
    )
    found = {(t, c, lang): (v, at) for t, c, lang, v, at in newest.all()}
    return [
        Cell(kind, channel, language, *found.get((kind, channel, language), (None, None)))
        for kind in MessageType
        for channel in templates.CHANNELS
        for language in templates.LANGUAGES
    ]


async def versions(session: AsyncSession, kind: MessageType, channel: str, language: str) -> list[Version]:
    """Every version, newest first, with who saved it."""
    rows = await session.execute(
        select(NotificationTemplate, StaffAccount.display_name)
        .outerjoin(StaffAccount, StaffAccount.id == NotificationTemplate.created_by_id)
        .where(*templates.slot(kind, channel, language))
        .order_by(NotificationTemplate.version.desc())
    )
    return [Version(t.version, t.subject, t.body, t.created_at, name or "loaded from files") for t, name in rows.all()]


def preview(channel: str, subject: str, body: str, *, sms_max_segments: int, language: str = "en") -> Preview:
    """The template filled with sample values (in its language) and rendered as its channel sends it."""
    values = SAMPLE_FR if language == "fr" else SAMPLE
    filled_subject = templates.PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), subject)
    filled_body = templates.PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)
    if channel == "sms":
        out = rendering.render(rendering.Content(filled_body), "sms", sms_max_segments=sms_max_segments)
        return Preview("", out["body"], None, out["segments"], out["encoding"], len(out["body"]))
    if channel == "email":
        out = rendering.render(rendering.Content(filled_body, subject=filled_subject), "email")
        return Preview(out["subject"], out["text"], out["html"], None, None, len(out["text"]))
    if channel == "voice":
        spoken = rendering.render(rendering.Content(filled_body), "voice")["say"]
        return Preview("", spoken, None, None, None, len(spoken))
    return Preview(filled_subject, filled_body, None, None, None, len(filled_body))


async def save(
    session: AsyncSession, *, me: Principal, kind: MessageType, channel: str, language: str, subject: str, body: str
) -> int:
    """Check and save a new version in the staff member's name; returns the version in use after it."""
    row = await templates.save(
        session,
        message_type=kind,
        channel=channel,
        language=language,
        subject=subject,
        body=body,
        staff_id=me.id if me.kind == "staff" else None,
    )
    me.audit(
        session,
        action="notification_template.save",
        subject_kind="notification_template",
        subject_id=str(row.id),
        detail={"type": kind.value, "channel": channel, "language": language, "version": row.version},
    )
    return row.version
