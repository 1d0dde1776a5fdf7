"""/account/access-log: "Who has looked at your data" — every audit-log row about the resident in plain words,
newest first, in keyset pages, filtered by dates, agency and kind, exported as CSV; and "Why?", which opens a
case for the reading agency's privacy officer. Rows come from `residents.access_log`, which writes nothing."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.db.deps import SessionDep
from townsquare.errors import not_found
from townsquare.events.catalogue import CitizensMerged, CitizensUnmerged, ContactClaimed
from townsquare.residents import access_log
from townsquare.residents.access_log import Entry, Filters
from townsquare.staff.auth import RESIDENT_OWN, enforces
from townsquare.web import i18n
from townsquare.web.i18n import gettext as _
from townsquare.web.portal import limits
from townsquare.web.portal.common import CurrentCitizen, settings_of
from townsquare.web.portal.content import agency_text
from townsquare.web.portal.data_sharing import day, when
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
_NO_ENTRY = "None of the entries about you has that identifier."
_REFERENCE = re.compile(r"^[A-Z]{1,10}-\d{4}-\d{6}$")


def action_label(action: str) -> str:
    """What happened, in plain words: every action the platform writes with a person's id."""
    words = {
        "person_data.read": _("Read data other agencies hold about you"),
        "person_data.refused": _("Tried to read data about you, and was refused"),
        "person_data.previewed": _("You saw what other agencies hold about you, before deciding whether to use it"),
        "citizen.read": _("Looked at your record"),
        "citizen.search": _("Found you in a search"),
        "citizen.create": _("Created your record"),
        "citizen.preferences": _("Changed your preferences"),
        "identity.add": _("Added a phone number or email address to your record"),
        "case.read": _("Looked at one of your cases"),
        "case.list": _("Saw one of your cases in a list"),
        "case.open": _("Opened a case for you"),
        "case.status": _("Changed the status of one of your cases"),
        "case.assign": _("Assigned one of your cases"),
        "case.link": _("Linked one of your cases to another"),
        "case.merge": _("Merged one of your cases with another"),
        "case.not_duplicate": _("Marked one of your cases as not a duplicate"),
        "conversation.read": _("Read a conversation with you"),
        "conversation.reply": _("Replied to you"),
        "conversation.outbound": _("Wrote to you"),
        "draft.read": _("Looked at an application you have not sent yet"),
        "interaction.read": _("Read a message or call with you"),
        "interaction.note": _("Wrote an internal note about you"),
        "notification.read": _("Looked at a message we sent you"),
        "survey.comment.read": _("Read a comment you left in a satisfaction survey"),
        "notification.send": _("Sent you a message"),
        "letter.read": _("Looked at a letter we sent you"),
        "letter.returned": _("Recorded a letter to you as returned"),
        "reminder.cancelled": _("Cancelled a reminder"),
        "appointment.booked": _("Booked an appointment for you"),
        "appointment.moved": _("Moved one of your appointments"),
        "appointment.cancelled": _("Cancelled one of your appointments"),
        "appointment.arrived": _("Checked you in for your appointment"),
        "appointment.list": _("Saw your appointment in an office's day"),
        "appointment.read": _("Looked at one of your appointments"),
        "appointment.waitlist_joined": _("Joined a waiting list for an appointment"),
        "work_item.list": _("Saw work about you in a queue"),
        "work_item.create": _("Put work about you in a queue"),
        "work_item.read": _("Looked at work about you waiting in a queue"),
        "work_item.reassign": _("Gave work about you to a member of staff or a team"),
        "agency_record.put": _("Updated what the agency holds about you"),
        "agency_record.import": _("Imported what the agency holds about you"),
        "citizen.data_downloaded": _("Downloaded your data"),
        "citizen.preferences_changed": _("Changed your preferences"),
        "citizen.notification_choices_changed": _("Changed what we send you"),
        "citizen.identity_verified": _("Verified a phone number or email address"),
        "citizen.identity_removed": _("Removed a phone number or email address"),
        "citizen.identity_refused": _("A phone number or email address could not be added"),
        "citizen.record_corrected": _("Corrected your name, preferences or contacts"),
        ContactClaimed.name: _("Joined an earlier record to yours"),
        CitizensMerged.name: _("Joined two records of yours into one"),
        CitizensUnmerged.name: _("Separated two records that had been joined"),
        "citizen.guest_started": _("Started a report without an account"),
        "citizen.report_followed": _("Followed a report"),
        "citizen.report_unfollowed": _("Stopped following a report"),
        "citizen.push_subscribed": _("Turned on notifications on a device"),
        "citizen.push_unsubscribed": _("Turned off notifications on a device"),
        "citizen.totp_on": _("Turned on the authenticator app"),
        "citizen.totp_off": _("Turned off the authenticator app"),
        "citizen.totp_code_accepted": _("Signed in with the authenticator app"),
        "citizen.totp_code_wrong": _("A wrong authenticator code was entered"),
        "citizen.code_throttled": _("Too many wrong codes: signing in paused"),
        "citizen.send_throttled": _("Too many links or codes asked for: sending paused"),
        "citizen.guest_throttled": _("Too many reports without an account: paused"),
        "citizen.consent_withdrawn": _("Withdrew a consent to share your data"),
        "citizen.privacy_question": _("Asked why your data was looked at"),
        "draft.link_sent": _("Sent you a link to fill in a form together"),
        "draft.link_opened": _("Opened a link to fill in a form together"),
        "draft.link_refused": _("A link to fill in a form together was refused"),
        "draft.link_ended": _("Ended a link to fill in a form together"),
        "draft.agent_allowed": _("Let a member of staff fill in a form with you"),
        "draft.agent_stopped": _("Stopped a member of staff filling in a form with you"),
        "draft.answer_changed": _("Changed an answer on a form you are filling in"),
    }
    return words.get(action, _("Something else about your record"))


def who_label(entry: Entry) -> str:
    """Who did it: a member of staff by name, an agency's system by name, you, or the city's systems."""
    if entry.who == "staff":
        return entry.who_name or _("A member of staff")
    if entry.who == "system":
        return _("%(name)s (an agency system)") % {"name": entry.who_name} if entry.who_name else _("An agency system")
    if entry.who == "you":
        return _("You")
    return _("The city's systems")


def purpose_label(entry: Entry) -> str:
    """Why: the data-sharing purpose when there is one, else what the reader was doing, in plain words."""
    if entry.purpose:
        return entry.purpose
    route = entry.route
    if "/desk" in route:
        return _("Helping you at the service desk")
    if "/api/" in route:
        return _("Through the agency's computer systems")
    if "/open311" in route:
        return _("Through a city app")
    if "/account" in route or route.startswith(("GET /", "POST /")):
        return _("On this website")
    return _("Not recorded")


def under_label(entry: Entry) -> str:
    """The agreements and consents it relied on."""
    parts = [_("Agreement %(label)s") % {"label": label} for label in entry.agreements]
    parts += [_("Your consent") for _consent in entry.consents]
    return ", ".join(dict.fromkeys(parts))


def _day(raw: str, errors: list[tuple[str, str]], field: str, message: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append((field, message))
        return None


def _filters(start: str, end: str, agency: str, kind: str) -> tuple[Filters, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    first = _day(start, errors, "start", _("Enter the start date as year-month-day, like 2026-12-03"))
    last = _day(end, errors, "end", _("Enter the end date as year-month-day, like 2026-12-31"))
    agency_id = None
    if agency:
        try:
            agency_id = uuid.UUID(agency)
        except ValueError:
            agency_id = None
    return Filters(first, last, agency_id, kind if kind in access_log.KINDS else ""), errors


FilterQuery = Annotated[str, Query(max_length=40)]


@router.get("/account/access-log", response_class=HTMLResponse)
async def log_page(
    request: Request,
    session: SessionDep,
    citizen: CurrentCitizen,
    start: FilterQuery = "",
    end: FilterQuery = "",
    agency: FilterQuery = "",
    kind: FilterQuery = "",
    before: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    """Every access to the resident's data and every change to it, newest first."""
    # Reading one's own log reads personal data too, but the person is reading about themselves: it writes no
    # audit row, or every visit would grow the very log it shows (residents.access_log writes nothing).
    filters, errors = _filters(start, end, agency, kind)
    shown = await access_log.page(
        session, citizen_id=citizen.id, filters=filters, before=before or None, language=i18n.current()
    )
    chosen = {"start": start, "end": end, "agency": agency, "kind": filters.kind}
    query = {k: v for k, v in chosen.items() if v}
    context = {
        "entries": shown.entries,
        "next_url": f"/account/access-log?{urlencode(query | {'before': shown.next})}" if shown.next else None,
        "csv_url": "/account/access-log.csv" + (f"?{urlencode(query)}" if query else ""),
        "chosen": chosen,
        "paged": bool(before),
        "errors": errors,
        "error_count": len(errors),
        "agencies": await access_log.agencies_in_log(session, citizen_id=citizen.id),
        "when": when,
        "action_label": action_label,
        "who_label": who_label,
        "purpose_label": purpose_label,
        "under_label": under_label,
    }
    return templates.TemplateResponse(request, "portal/access_log.html", context, status_code=422 if errors else 200)


@router.get("/account/access-log.csv")
async def log_csv(
    session: SessionDep,
    citizen: CurrentCitizen,
    start: FilterQuery = "",
    end: FilterQuery = "",
    agency: FilterQuery = "",
    kind: FilterQuery = "",
) -> Response:
    """The filtered rows as a spreadsheet, in the resident's language."""
    filters, _errors = _filters(start, end, agency, kind)
    entries = await access_log.export(session, citizen_id=citizen.id, filters=filters, language=i18n.current())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("When"), _("Agency"), _("Who"), _("What"), _("Why"), _("Under"), _("Entry")])
    for e in entries:
        agency_name = agency_text(e.agency, "name") if e.agency is not None else ""
        writer.writerow(
            [
                when(e.occurred_at),
                agency_name,
                who_label(e),
                action_label(e.action),
                purpose_label(e),
                under_label(e),
                str(e.id),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="who-looked-at-my-data.csv"',
            "Cache-Control": "no-store",
        },
    )


def _entry_id(entry_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(entry_id)
    except ValueError:
        raise not_found("Entry", _NO_ENTRY) from None


@enforces(RESIDENT_OWN)
async def own_entry(entry_id: str, session: SessionDep, citizen: CurrentCitizen) -> None:
    """The log entry in the path is about the signed-in resident (another's answers as one that does not exist)."""
    await access_log.entry_of(session, citizen_id=citizen.id, entry_id=_entry_id(entry_id), language="en")


@router.get("/account/access-log/{entry_id}/why", response_class=HTMLResponse, dependencies=[Depends(own_entry)])
async def why_page(request: Request, entry_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """One entry in full, with the button that asks the agency why (or the case that asking opened)."""
    entry = await access_log.entry_of(
        session, citizen_id=citizen.id, entry_id=_entry_id(entry_id), language=i18n.current()
    )
    asked = request.query_params.get("case", "")
    return _why(request, entry, asked if _REFERENCE.match(asked) else None)


def _why(request: Request, entry: Entry, case: str | None, *, error: str | None = None, status: int = 200) -> Response:
    context = {
        "entry": entry,
        "case": case,
        "error": error,
        "error_count": 1 if error else 0,
        "when": when,
        "action_label": action_label,
        "who_label": who_label,
        "purpose_label": purpose_label,
        "under_label": under_label,
    }
    return templates.TemplateResponse(request, "portal/access_log_why.html", context, status_code=status)


@router.post("/account/access-log/{entry_id}/why", dependencies=[Depends(own_entry)])
async def ask_why(request: Request, entry_id: str, session: SessionDep, citizen: CurrentCitizen) -> Response:
    """Open a case for the privacy officer of the agency that read (a few a day at most)."""
    entry = await access_log.entry_of(
        session, citizen_id=citizen.id, entry_id=_entry_id(entry_id), language=i18n.current()
    )
    if not entry.askable:
        raise not_found("Entry", _NO_ENTRY)
    wait = await access_log.why_wait(session, citizen_id=citizen.id)
    if wait:
        reason = _("You have asked this question several times today.")
        error = f"{reason} {limits.wait_sentence(wait)}"
        return limits.with_retry_after(_why(request, entry, None, error=error, status=limits.STATUS), wait)
    title = _("Privacy question about an access on %(day)s") % {"day": day(entry.occurred_at)}
    description = "\n".join(
        [
            _("I would like to know why my data was looked at."),
            _("When: %(when)s") % {"when": when(entry.occurred_at)},
            _("Who: %(who)s") % {"who": who_label(entry)},
            _("What: %(what)s") % {"what": action_label(entry.action)},
            _("Why it says: %(why)s") % {"why": purpose_label(entry)},
            _("Under: %(under)s") % {"under": under_label(entry) or "-"},
            _("Access log entry: %(id)s") % {"id": str(entry.id)},
        ]
    )
    case = await access_log.ask_why(
        session,
        settings=settings_of(request),
        citizen_id=citizen.id,
        entry_id=entry.id,
        title=title,
        description=description,
        language=i18n.current(),
    )
    await session.commit()
    return RedirectResponse(f"/account/access-log/{entry.id}/why?case={case.reference}", status_code=303)
