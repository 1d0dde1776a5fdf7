"""The pages a confirmation's signed link opens, without signing in: the appointment, moving it, cancelling it (a
page to confirm first), its calendar file; and the page of a slot offered from the waiting list, to take it.

The link is the authority (`sealed-link`): an altered or foreign link answers 404, an appointment that can no
longer be changed (begun, cancelled, missed) or an offer that ran out or was taken answers 410, each with a page
that says so. Translates only: `residents.appointments` does the work.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.appointments.refusals import reason_of
from townsquare.clock import utcnow
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.residents import appointments
from townsquare.staff.auth import SEALED_LINK, declared
from townsquare.web import appointment_words, i18n
from townsquare.web.appointment_words import day_of, time_of
from townsquare.web.i18n import gettext as _
from townsquare.web.portal.appointments import DayParam, page
from townsquare.web.portal.common import settings_of

router = APIRouter(include_in_schema=False)
sealed_link = declared(SEALED_LINK)
BASE = "/appointments/manage/{token}"


def _gone(problem: Problem) -> Problem:
    """A refusal of the link's page in the reader's words: 404 for a link we did not make, 410 for one whose
    appointment (or offer) is over."""
    if problem.status == 404:
        return Problem(
            404,
            "Link not found",
            _("Check that you copied the whole link from your message. If you did, it was not sent by us."),
            "not-found",
            extra={"worded": _("This link does not work")},
        )
    return Problem(
        410, "Gone", appointment_words.refusal(problem), "gone", extra={"worded": _("This cannot be done any more")}
    )


async def _shown(request: Request, session: SessionDep, token: str) -> Any:
    try:
        return await appointments.by_link(
            session, settings_of(request), token=token, language=i18n.current(), now=utcnow()
        )
    except Problem as problem:
        raise _gone(problem) from None


@router.get(BASE, response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def appointment_page(request: Request, session: SessionDep, token: str) -> Response:
    """The appointment: when, where, what; and while it can be changed, the ways to move or cancel it."""
    shown = await _shown(request, session, token[:200])
    done = next((k for k in ("booked", "moved", "cancelled") if request.query_params.get(k) == "1"), "")
    return page(request, "appointment.html", {"shown": shown, "token": token[:200], "done": done})


@router.get(BASE + "/calendar.ics", dependencies=[Depends(sealed_link)])
async def calendar_file(request: Request, session: SessionDep, token: str) -> Response:
    """The appointment as a calendar file (a cancelled one cancels the entry it made)."""
    try:
        body = await appointments.calendar(
            session, settings_of(request), token=token[:200], language=i18n.current(), now=utcnow()
        )
    except Problem as problem:
        raise _gone(problem) from None
    headers = {"Content-Disposition": 'attachment; filename="appointment.ics"', "Cache-Control": "no-store"}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@router.get(BASE + "/cancel", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def cancel_page(request: Request, session: SessionDep, token: str) -> Response:
    """Are you sure? (No JavaScript: a page of its own.)"""
    shown = await _shown(request, session, token[:200])
    if not shown.changeable:
        raise _gone(Problem(409, "", "", extra={"reason": "not_changeable"}))
    return page(request, "appointment_cancel.html", {"shown": shown, "token": token[:200]})


@router.post(BASE + "/cancel", dependencies=[Depends(sealed_link)])
async def cancel(request: Request, session: SessionDep, token: str) -> Response:
    """Cancel it; the time goes to whoever waits for that day."""
    try:
        await appointments.cancel(session, settings_of(request), token=token[:200], now=utcnow())
    except Problem as problem:
        await session.rollback()
        raise _gone(problem) from None
    await session.commit()
    return RedirectResponse(f"/appointments/manage/{token[:200]}?cancelled=1", status_code=303)


async def _move_page(
    request: Request, session: SessionDep, token: str, day: str, errors: list[tuple[str, str]], status: int = 200
) -> Response:
    try:
        shown, day_page = await appointments.move_page(
            session, settings_of(request), token=token, day=day_of(day), language=i18n.current(), now=utcnow()
        )
    except Problem as problem:
        if problem.extra.get("worded"):
            raise
        raise _gone(problem) from None
    context = {
        "shown": day_page,
        "action": f"/appointments/manage/{token}/move",
        "citizen": None,
        "errors": errors,
        "waiting": False,
        "moving": shown,
        "token": token,
    }
    return page(request, "appointment_day.html", context, status)


@router.get(BASE + "/move", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def move_page(request: Request, session: SessionDep, token: str, day: DayParam = "") -> Response:
    """Another time of the same service at the same office."""
    return await _move_page(request, session, token[:200], day, [])


@router.post(BASE + "/move", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def move(
    request: Request,
    session: SessionDep,
    token: str,
    starts_at: Annotated[str, Form(max_length=40)] = "",
    day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Move it to the time chosen."""
    wanted = time_of(starts_at)
    if wanted is None:
        return await _move_page(request, session, token[:200], day, [("slot", _("Choose a time"))], 422)
    try:
        await appointments.move(session, settings_of(request), token=token[:200], starts_at=wanted, now=utcnow())
    except Problem as problem:
        await session.rollback()
        if problem.status == 404 or reason_of(problem) == "not_changeable":
            raise _gone(problem) from None
        errors = [("slot", appointment_words.refusal(problem))]
        return await _move_page(request, session, token[:200], day, errors, problem.status)
    await session.commit()
    return RedirectResponse(f"/appointments/manage/{token[:200]}?moved=1", status_code=303)


@router.get("/appointments/offer/{token}", response_class=HTMLResponse, dependencies=[Depends(sealed_link)])
async def offer_page(request: Request, session: SessionDep, token: str) -> Response:
    """The time freed for someone on the waiting list, with the button to take it."""
    try:
        shown = await appointments.offered(
            session, settings_of(request), token=token[:200], language=i18n.current(), now=utcnow()
        )
    except Problem as problem:
        raise _gone(problem) from None
    return page(request, "appointment_offer.html", {"shown": shown, "token": token[:200]})


@router.post("/appointments/offer/{token}", dependencies=[Depends(sealed_link)])
async def take_offer(request: Request, session: SessionDep, token: str) -> Response:
    """Take it: the appointment is booked (pressing twice books it once)."""
    try:
        path = await appointments.claim(session, settings_of(request), token=token[:200], now=utcnow())
    except Problem as problem:
        await session.rollback()
        raise _gone(problem) from None
    await session.commit()
    return RedirectResponse(path + "?booked=1", status_code=303)
