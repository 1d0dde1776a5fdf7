"""Correcting a person's record at /desk/citizens/{id}/record: the name, the preferences, what we send them and
their phone numbers and email addresses, each change kept with the value it replaced; and the citizen page's
panel of those changes.

Plain forms that post and redirect; a refused form comes back with 422 (or 409 for a contact that is another
person's), every problem named beside its field, and what was typed still in it. Translates only:
`casework.record_edit` and `casework.record_contacts` check, change, keep the history and audit.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import record_contacts, record_edit
from townsquare.casework.types import Citizen
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.engagement.access import purpose
from townsquare.errors import Problem
from townsquare.staff.auth import Principal
from townsquare.web.desk import words
from townsquare.web.desk.common import CurrentStaff, settings_of, staff_citizen
from townsquare.web.desk.merges import field_labels
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)
Correctable = Annotated[Citizen, Depends(staff_citizen)]
MAX_FIELD = 1000
REFUSED = (404, 409, 422)


def _messages() -> dict[str, str]:
    """Each problem a form can have, by "field:code", in the reader's language."""
    return {
        "reason:required": _("Say why you are making this change."),
        "reason:too_long": _("Keep the reason under 500 characters."),
        "display_name:name_required": _("Give at least one of the names."),
        "display_name:too_long": _("The name shown can be at most 200 characters."),
        "given_name:too_long": _("The given name can be at most 100 characters."),
        "family_name:too_long": _("The family name can be at most 100 characters."),
        "language:language": _("Choose English or French."),
        "channels:not_reachable": _("Choose only channels their contacts reach."),
        "message_types:unknown": _("Choose only messages from the list."),
        "quiet_start:time": _("Give the time quiet hours start, like 22:00, or leave both times empty."),
        "quiet_end:time": _("Give the time quiet hours end, like 07:00, or leave both times empty."),
        "quiet_end:quiet_same": _("Quiet hours need to start and end at different times."),
        "kind:kind": _("Choose a phone number or an email address."),
        "value:required": _("Enter the phone number or email address."),
        "value:too_long": _("That is too long for a phone number or an email address."),
        "value:not_a_phone": _("That is not a phone number we can use: check the digits and the area code."),
        "value:not_an_email": _("That is not an email address: it looks like name@example.org."),
        "value:already_theirs": _("That contact is already on this record."),
        "value:unchanged": _("That is the contact as it is now: there is nothing to correct."),
        "value:elsewhere": _(
            "That contact already belongs to another person's record, so it was not added. If both records are "
            "the same person, merge them (a supervisor can, on the person's page) or decide it in the linking "
            "review; otherwise check the contact with the person."
        ),
        "confirm:last_way": _(
            "This is the last way we have to reach them. Tick the box to say you mean to remove it anyway."
        ),
        "confirm:last_sign_in": _(
            "This is the only way they sign in to their account. Tick the box to say you mean to remove it anyway."
        ),
    }


def _notices() -> dict[str, str]:
    return {
        "name": _("The name was corrected."),
        "preferences": _("The preferences were saved."),
        "notifications": _("What we send them was saved."),
        "added": _("The contact was added. It is not verified until the person proves it."),
        "corrected": _("The contact was corrected. The new one is not verified until the person proves it."),
        "removed": _("The contact was removed."),
        "unchanged": _("Nothing was different, so nothing was changed."),
    }


def change_labels() -> dict[str, str]:
    """What each field of the history is called."""
    return field_labels() | {
        "phone": _("Phone number"),
        "email": _("Email address"),
        "notifications.push": _("What we send by push notification"),
        "notifications.sms": _("What we send by text message"),
        "notifications.email": _("What we send by email"),
        "notifications.mail": _("What we send by post"),
    }


def message_type_words() -> dict[str, str]:
    """The messages a person may turn off, as staff read them."""
    return {
        "acknowledgement": _("Confirmation we received their request"),
        "status_change": _("Updates when their request moves on"),
        "information_request": _("Questions from staff about their request"),
        "report_update": _("Updates on reports they follow"),
        "agent_reply": _("Replies from staff"),
        "appointment_reminder": _("Appointment reminders"),
        "renewal_reminder": _("Reminders before something they hold runs out"),
        "application_reminder": _("Reminders about an application they did not finish"),
        "general": _("Other messages from city services"),
        "satisfaction_survey": _("A short question on how we did"),
    }


def language_words() -> dict[str, str]:
    return {"en": _("English"), "fr": _("French")}


def change_value(value: str | None, field: str) -> str:
    """A value the history kept, in words: channels and messages named, a phone number as people write it."""
    if not value:
        return _("nothing")
    if field == "language":
        return language_words().get(value, value)
    if field == "preferred_channels":
        return ", ".join(words.channel_words(c) for c in value.split(","))
    if field.startswith("notifications."):
        known = message_type_words()
        return "; ".join(known.get(t, words.channel_words(t)) for t in value.split(","))
    if field == "phone":
        return words.phone_number(value)
    return value


templates.env.filters["record_change_value"] = change_value


async def record_panel(session: Session, me: Principal, citizen_id: uuid.UUID, notice: str = "") -> dict[str, Any]:
    """What the citizen page needs for its "Changes to this record" panel and its links to correct and write."""
    return {
        "may_correct": await record_edit.may_correct(session, me=me, citizen_id=citizen_id),
        "record_history": await record_edit.history(session, citizen_id=citizen_id),
        "change_labels": change_labels(),
        "record_notice": _("The message is on its way.") if notice == "sent" else None,
    }


def _errors(problem: Problem | None) -> dict[str, str]:
    if problem is None:
        return {}
    known = _messages()
    found = {e.field: known.get(f"{e.field}:{e.message}", problem.detail) for e in problem.errors}
    return found or {"": problem.detail}


async def _page(
    request: Request,
    session: Session,
    me: Principal,
    citizen_id: uuid.UUID,
    *,
    failed: str = "",
    problem: Problem | None = None,
    filled: dict[str, Any] | None = None,
) -> Response:
    view = await record_edit.read_record(session, me=me, citizen_id=citizen_id, purpose=purpose(request))
    losing = {i.id: record_contacts.losing(view.citizen, i) for i in view.citizen.identities}
    context = {
        "me": me,
        "view": view,
        "editable_kinds": [k.value for k in record_contacts.EDITABLE],
        "losing": losing,
        "failed": failed,
        "errors": _errors(problem),
        "filled": filled or {},
        "notice": _notices().get(request.query_params.get("saved", "")),
        "change_labels": change_labels(),
        "type_words": message_type_words(),
        "language_words": language_words(),
        "record_history": view.history,
        "elsewhere": problem is not None and problem.type_slug == "contact-elsewhere",
    }
    status = problem.status if problem is not None else 200
    return templates.TemplateResponse(request, "desk/record_edit.html", context, status_code=status)


def _saved(citizen_id: uuid.UUID, what: str, changed: int, anchor: str) -> Response:
    saved = what if changed else "unchanged"
    return RedirectResponse(f"/desk/citizens/{citizen_id}/record?saved={saved}#{anchor}", status_code=303)


async def _refused(
    request: Request,
    session: Session,
    me: Principal,
    citizen: Citizen,
    exc: Problem,
    failed: str,
    filled: dict[str, Any],
) -> Response:
    """The page again, with what was refused beside its field and the form as it was filled in."""
    if exc.status not in REFUSED:
        raise exc
    citizen_id = citizen.id
    await session.rollback()
    return await _page(request, session, me, citizen_id, failed=failed, problem=exc, filled=filled)


async def _form(request: Request, *names: str) -> dict[str, str]:
    raw = await request.form()
    return {name: str(raw.get(name, ""))[:MAX_FIELD] for name in names}


@router.get("/desk/citizens/{citizen_id}/record", response_class=HTMLResponse)
async def record_page(request: Request, session: SessionDep, me: CurrentStaff, citizen: Correctable) -> Response:
    """The person's name, preferences, what we send them and their contacts, each with a form to correct it, and
    every change made so far with the value it replaced."""
    return await _page(request, session, me, citizen.id)


ANCHORS = {"name": "name-title", "preferences": "preferences-title", "notifications": "notifications-title"}


async def _done(
    request: Request,
    session: Session,
    me: Principal,
    citizen: Citizen,
    action: Callable[[], Awaitable[object]],
    failed: str,
    filled: dict[str, Any],
    saved: str,
) -> Response:
    """Do the change and go back to the page (what was saved, or that nothing was different); a refusal shows the
    page again with the form as it was filled in."""
    try:
        result = await action()
    except Problem as exc:
        return await _refused(request, session, me, citizen, exc, failed, filled)
    await session.commit()
    changed = result if isinstance(result, int) else 1
    return _saved(citizen.id, saved, changed, ANCHORS.get(saved, "contacts-title"))


@router.post("/desk/citizens/{citizen_id}/record/name")
async def correct_name(request: Request, session: SessionDep, me: CurrentStaff, citizen: Correctable) -> Response:
    """Correct the name shown, the given name and the family name, for the reason given."""
    form = await _form(request, *record_edit.NAME_FIELDS, "reason")

    def change() -> Awaitable[object]:
        return record_edit.change_name(session, me=me, citizen_id=citizen.id, names=form, reason=form["reason"])

    return await _done(request, session, me, citizen, change, "name", form, "name")


@router.post("/desk/citizens/{citizen_id}/record/preferences")
async def correct_preferences(
    request: Request, session: SessionDep, me: CurrentStaff, citizen: Correctable
) -> Response:
    """Correct the language, the preferred channels and the quiet hours, for the reason given."""
    raw = await request.form()
    form: dict[str, Any] = {
        k: str(raw.get(k, ""))[:MAX_FIELD] for k in ("language", "quiet_start", "quiet_end", "reason")
    }
    form["channels"] = [str(c)[:16] for c in raw.getlist("channels")][:10]

    def change() -> Awaitable[object]:
        return record_edit.change_preferences(
            session,
            me=me,
            citizen_id=citizen.id,
            language=form["language"],
            channels=form["channels"],
            quiet_start=form["quiet_start"],
            quiet_end=form["quiet_end"],
            reason=form["reason"],
        )

    return await _done(request, session, me, citizen, change, "preferences", form, "preferences")


@router.post("/desk/citizens/{citizen_id}/record/notifications")
async def correct_notifications(
    request: Request, session: SessionDep, me: CurrentStaff, citizen: Correctable
) -> Response:
    """Keep exactly the ticked messages on each channel that reaches the person, for the reason given."""
    raw = await request.form()
    channels = [str(c)[:16] for c in raw.getlist("channels")][:10]
    wanted = {c: [str(t)[:40] for t in raw.getlist(f"on-{c}")][:20] for c in channels}
    reason = str(raw.get("reason", ""))[:MAX_FIELD]

    def change() -> Awaitable[object]:
        return record_edit.change_notifications(session, me=me, citizen_id=citizen.id, wanted=wanted, reason=reason)

    return await _done(
        request, session, me, citizen, change, "notifications", {"wanted": wanted, "reason": reason}, "notifications"
    )


@router.post("/desk/citizens/{citizen_id}/record/contacts")
async def add_contact(request: Request, session: SessionDep, me: CurrentStaff, citizen: Correctable) -> Response:
    """Add a phone number or an email address, unverified."""
    form = await _form(request, "kind", "value", "reason")
    region = settings_of(request).default_region

    def change() -> Awaitable[object]:
        return record_contacts.add_contact(
            session,
            me=me,
            region=region,
            citizen_id=citizen.id,
            kind=form["kind"],
            value=form["value"],
            reason=form["reason"],
        )

    return await _done(request, session, me, citizen, change, "add", form, "added")


@router.post("/desk/citizens/{citizen_id}/record/contacts/{identity_id}")
async def correct_contact(
    request: Request, identity_id: uuid.UUID, session: SessionDep, me: CurrentStaff, citizen: Correctable
) -> Response:
    """Replace a phone number or an email address with the corrected one, unverified."""
    form = await _form(request, "value", "reason")
    region = settings_of(request).default_region

    def change() -> Awaitable[object]:
        return record_contacts.correct_contact(
            session,
            me=me,
            region=region,
            citizen_id=citizen.id,
            identity_id=identity_id,
            value=form["value"],
            reason=form["reason"],
        )

    return await _done(request, session, me, citizen, change, f"fix-{identity_id}", form, "corrected")


@router.post("/desk/citizens/{citizen_id}/record/contacts/{identity_id}/remove")
async def remove_contact(
    request: Request, identity_id: uuid.UUID, session: SessionDep, me: CurrentStaff, citizen: Correctable
) -> Response:
    """Take a phone number or an email address off the record; the last way to reach them only when confirmed."""
    form = await _form(request, "reason", "confirm")

    def change() -> Awaitable[object]:
        return record_contacts.remove_contact(
            session,
            me=me,
            citizen_id=citizen.id,
            identity_id=identity_id,
            reason=form["reason"],
            confirmed=form["confirm"] == "yes",
        )

    return await _done(request, session, me, citizen, change, f"remove-{identity_id}", form, "removed")
