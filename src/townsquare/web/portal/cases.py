"""My cases: the resident's cases, and one case with what they told us and everything that happened on it,
on every channel, newest first.

Shows a resident only their own cases (someone else's is the same 404 as one that does not exist) and never a
staff-internal entry; the words for statuses and channels are here, in the page's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_timedelta
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from townsquare.agencies import form_versions
from townsquare.cases.service import OPEN_STATUSES
from townsquare.db import keyset
from townsquare.db.deps import SessionDep
from townsquare.residents import following
from townsquare.residents import records as residents
from townsquare.residents.types import (
    Case,
    CaseStatus,
    Channel,
    Direction,
    Interaction,
    InteractionKind,
    Service,
    ServiceAttribute,
)
from townsquare.web import appointment_words, i18n, times
from townsquare.web.i18n import gettext as _
from townsquare.web.i18n import per_language
from townsquare.web.portal.common import CurrentCitizen, own_case
from townsquare.web.portal.content import agency_text, service_text
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
DEFAULT_TZ = "America/Toronto"
STATUS_COLOURS = {
    CaseStatus.new: "govuk-tag--blue",
    CaseStatus.open: "govuk-tag--blue",
    CaseStatus.in_progress: "govuk-tag--light-blue",
    CaseStatus.waiting_on_citizen: "govuk-tag--yellow",
    CaseStatus.resolved: "govuk-tag--green",
    CaseStatus.closed: "govuk-tag--grey",
    CaseStatus.cancelled: "govuk-tag--grey",
}
# Kinds whose text the resident wrote or was sent; a call's or a visit's text is the staff's record of it.
SHOWN_TEXT = (
    InteractionKind.message,
    InteractionKind.form_submission,
    InteractionKind.voicemail,
    InteractionKind.letter,
)


def status_word(status: CaseStatus | str) -> str:
    """A case status in plain words, in the page's language."""
    words = {
        CaseStatus.new: _("Received"),
        CaseStatus.open: _("Open"),
        CaseStatus.in_progress: _("In progress"),
        CaseStatus.waiting_on_citizen: _("Waiting for you"),
        CaseStatus.resolved: _("Resolved"),
        CaseStatus.closed: _("Closed"),
        CaseStatus.cancelled: _("Cancelled"),
    }
    try:
        return words[CaseStatus(status)]
    except ValueError:
        return str(status).replace("_", " ")


def status_tag(status: CaseStatus) -> dict[str, str]:
    """Text and colour class of a case's status tag."""
    return {"text": status_word(status), "classes": STATUS_COLOURS.get(status, "")}


@per_language
def channel_name(channel: Channel) -> str:
    """A channel in words."""
    names = {
        Channel.web: _("Online"),
        Channel.mobile: _("Mobile app"),
        Channel.voice: _("Phone"),
        Channel.sms: _("Text message"),
        Channel.email: _("Email"),
        Channel.chat: _("Chat"),
        Channel.social: _("Social media"),
        Channel.counter: _("In person"),
        Channel.mail: _("Post"),
        Channel.api: _("Another service"),
    }
    return names.get(channel, channel.value)


def _inbound(item: Interaction) -> str:
    by_kind = {
        InteractionKind.call: _("You phoned us"),
        InteractionKind.voicemail: _("You left us a voicemail"),
        InteractionKind.visit: _("You visited us in person"),
        InteractionKind.letter: _("You sent us a letter"),
    }
    if item.kind is InteractionKind.form_submission:
        return (
            _("You submitted the form online")
            if item.channel in (Channel.web, Channel.mobile)
            else _("You sent us a form")
        )
    if item.kind in by_kind:
        return by_kind[item.kind]
    by_channel = {
        Channel.sms: _("You sent us a text message"),
        Channel.email: _("You emailed us"),
        Channel.chat: _("You wrote to us in the chat"),
        Channel.web: _("You sent us a message online"),
        Channel.mobile: _("You sent us a message online"),
        Channel.social: _("You messaged us on social media"),
        Channel.voice: _("You phoned us"),
        Channel.counter: _("You visited us in person"),
        Channel.mail: _("You sent us a letter"),
    }
    return by_channel.get(item.channel, _("You contacted us"))


def _outbound(item: Interaction) -> str:
    if item.kind is InteractionKind.call:
        return _("We phoned you")
    if item.kind is InteractionKind.letter:
        return _("We sent you a letter")
    by_channel = {
        Channel.sms: _("We sent you a text message"),
        Channel.email: _("We emailed you"),
        Channel.chat: _("We answered you in the chat"),
        Channel.web: _("We answered you online"),
        Channel.mobile: _("We answered you online"),
        Channel.social: _("We messaged you on social media"),
        Channel.voice: _("We phoned you"),
        Channel.mail: _("We sent you a letter"),
    }
    return by_channel.get(item.channel, _("We contacted you"))


def _status_change(item: Interaction) -> str:
    payload = item.payload or {}
    if isinstance(payload.get("merged_into"), str):
        return _("This case was merged into %(reference)s") % {"reference": payload["merged_into"]}
    if isinstance(payload.get("merged_from"), str):
        return _("%(reference)s was merged into this case") % {"reference": payload["merged_from"]}
    if isinstance(payload.get("to"), str):
        return _("Status changed to: %(status)s") % {"status": status_word(payload["to"])}
    return _("We opened your case")


def describe(item: Interaction) -> str:
    """What a touchpoint was, in words from the resident's side: "You phoned us", "We sent you a text message"."""
    if item.kind is InteractionKind.status_change:
        return _status_change(item)
    if item.kind is InteractionKind.appointment:
        return appointment_words.event(item.payload or {})
    if item.direction is Direction.inbound:
        return _inbound(item)
    return _outbound(item)


def shown_text(item: Interaction) -> str:
    """The text to show under a timeline entry: what was said, or a status change's public note (none for calls and
    visits)."""
    if item.kind is InteractionKind.status_change:
        note = (item.payload or {}).get("note")
        return note if isinstance(note, str) else ""
    return residents.full_text(item) if item.kind in SHOWN_TEXT else ""


def when(value: datetime | None) -> str:
    """A date and time as every page writes it, in the page's language and the city's time zone."""
    return times.when(value)


def duration(seconds: int) -> str:
    """How long a call lasted, in words ("3 minutes")."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=i18n.current())


def day(value: datetime | None) -> str:
    """A date in the page's language, as the city's time zone counts days."""
    if value is None:
        return ""
    return format_date(value.astimezone(ZoneInfo(times.zone())), format="long", locale=i18n.current())


def case_name(case: Case, service: Service | None) -> str:
    """What a case is about: the service's name in the page's language unless the case has its own title."""
    if service is not None and case.title.strip() in ("", service.name):
        return service_text(service, "name")
    return case.title


def answers(case: Case, questions: list[ServiceAttribute]) -> list[tuple[str, str]]:
    """The form's questions, as the version the case was answered against asked them, and the resident's
    answers, in the page's language and the form's order."""
    rows: list[tuple[str, str]] = []
    given = case.attributes or {}
    language = i18n.current()
    for question in questions:
        value = given.get(question.code)
        if value is None or value == "" or value == []:
            continue
        rows.append(
            (form_versions.label(question, language), str(form_versions.shown_value(question, value, language)))
        )
    return rows


def helpers() -> dict[str, Any]:
    """What the case and conversation templates call."""
    return {
        "describe": describe,
        "shown_text": shown_text,
        "when": when,
        "day": day,
        "duration": duration,
        "status_tag": status_tag,
        "channel_name": channel_name,
    }


@router.get("/account/cases", response_class=HTMLResponse)
async def my_cases(request: Request, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """The resident's cases, the most recent activity first."""
    rows, total = await residents.cases_of(session, citizen_id=citizen.id)
    shown = [
        {
            "reference": row.case.reference,
            "name": case_name(row.case, row.service),
            "status": row.case.status,
            "opened": row.case.created_at,
            "updated": row.last_update,
        }
        for row in rows
    ]
    watched = await following.followed(session, citizen_id=citizen.id)
    context = {"cases": shown, "total": total, "followed": watched, "back": "/account", **helpers()}
    return templates.TemplateResponse(request, "portal/cases.html", context)


@router.get("/account/cases/{reference}", response_class=HTMLResponse, dependencies=[Depends(own_case)])
async def my_case(
    request: Request, session: SessionDep, citizen: CurrentCitizen, reference: str, before: str | None = None
) -> Response:
    """One of the resident's cases: what it is, what they told us, and its timeline across every channel."""
    view = await residents.case_of(session, citizen_id=citizen.id, reference=reference[:40])
    if view is None:
        return templates.TemplateResponse(request, "portal/missing.html", {"what": "case"}, status_code=404)
    cursor = keyset.read_token(before)
    page = await residents.case_timeline(session, citizen_id=citizen.id, case_id=view.case.id, before=cursor)
    case = view.case
    context = {
        "case": case,
        "name": case_name(case, view.service),
        "service": service_text(view.service, "name") if view.service else None,
        "agency": agency_text(view.agency, "name"),
        "answers": answers(case, view.questions),
        "is_open": case.status in OPEN_STATUSES,
        "conversation": view.conversation,
        "timeline": page.entries,
        "staff": page.staff,
        "earlier": keyset.token(page.earlier),
        "paged": cursor is not None,
        "back": "/account/cases",
        **helpers(),
    }
    return templates.TemplateResponse(request, "portal/case.html", context)
