"""Counter staff on the desk: `/desk/counter` lists the offices of their agencies and their counters (who is at
each); a counter's page calls the next ticket and serves it — recall, start serving, hold, resume, transfer,
finish with a wrap-up, no-show after the recalls, identity checked — and shows the office's held tickets and line.

Plain forms that post and come back (303) with a word on what happened; a refusal shows the page again with the
reason (409 or 422), nothing written. Translates only: `casework.counter_actions` acts, `counter_desk` reads.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from townsquare.casework import counter_actions, counter_desk
from townsquare.casework.counter_types import Counter, Ticket
from townsquare.db import Session
from townsquare.db.deps import SessionDep
from townsquare.errors import Problem
from townsquare.staff.auth import STAFF_AGENCY, Principal, enforces
from townsquare.web.desk.admin import text
from townsquare.web.desk.common import CurrentStaff, StaffFragment, settings_of
from townsquare.web.i18n import gettext as _
from townsquare.web.templating import templates

router = APIRouter(include_in_schema=False)


@enforces(STAFF_AGENCY)
async def office_counter(counter_id: uuid.UUID, session: SessionDep, me: CurrentStaff) -> Counter:
    """The counter named in the path, if the staff member works for its office's agency (else as unknown)."""
    return await counter_desk.counter_in_scope(session, me, counter_id)


@enforces(STAFF_AGENCY)
async def office_ticket(
    ticket_id: uuid.UUID, counter_id: uuid.UUID, session: SessionDep, me: CurrentStaff
) -> tuple[Counter, Ticket]:
    """The counter and the ticket named in the path, both of the staff member's agencies' offices."""
    counter = await counter_desk.counter_in_scope(session, me, counter_id)
    ticket = await counter_desk.ticket_in_scope(session, me, ticket_id)
    return counter, ticket


@enforces(STAFF_AGENCY)
async def fragment_counter(counter_id: uuid.UUID, session: SessionDep, me: StaffFragment) -> Counter:
    """The same for the page's refreshing part (401 rather than a redirect when signed out)."""
    return await counter_desk.counter_in_scope(session, me, counter_id)


OfficeCounter = Annotated[Counter, Depends(office_counter)]
OfficeTicket = Annotated[tuple[Counter, Ticket], Depends(office_ticket)]


def _notices() -> dict[str, str]:
    return {
        "opened": _("You are at this counter. Call the next ticket when you are ready."),
        "closed": _("You left the counter."),
        "called": _("The ticket is called: it is on the display screen."),
        "nobody": _("Nobody you may serve is waiting."),
        "recall": _("The ticket is called again."),
        "start": _("Serving started."),
        "hold": _("The ticket is on hold: the counter is free for the next."),
        "resume": _("The ticket is served again at this counter."),
        "transfer": _("The ticket is back in line."),
        "finish": _("The visit is finished."),
        "no-show": _("The no-show is recorded."),
        "identity": _("The identity check is noted on the visit."),
    }


@router.get("/desk/counter", response_class=HTMLResponse)
async def counters(request: Request, session: SessionDep, me: CurrentStaff) -> Response:
    """The offices of the staff member's agencies, their counters and who is at each."""
    context = {"me": me, "offices": await counter_desk.offices_for(session, me)}
    return templates.TemplateResponse(request, "desk/counter_offices.html", context)


async def _page(
    request: Request, session: Session, me: Principal, counter: Counter, *, error: Problem | None = None
) -> Response:
    view = await counter_desk.counter_page(session, me, counter, settings_of(request))
    notice = _notices().get(request.query_params.get("done", ""))
    taken = request.query_params.get("from", "")[:100]
    context: dict[str, Any] = {"me": me, "page": view, "error": error, "notice": notice, "taken_from": taken}
    return templates.TemplateResponse(request, "desk/counter.html", context, status_code=error.status if error else 200)


@router.get("/desk/counter/{counter_id}", response_class=HTMLResponse)
async def counter_page(request: Request, session: SessionDep, me: CurrentStaff, counter: OfficeCounter) -> Response:
    """One counter: its ticket now, and the office's held tickets and line."""
    return await _page(request, session, me, counter)


@router.get("/desk/counter/{counter_id}/_line", response_class=HTMLResponse)
async def line_fragment(
    request: Request, session: SessionDep, me: StaffFragment, counter: Any = Depends(fragment_counter)
) -> Response:
    """The held tickets and the line alone, for the page to swap in when the queue moves."""
    view = await counter_desk.counter_page(session, me, counter, settings_of(request))
    return templates.TemplateResponse(request, "desk/_counter_line.html", {"me": me, "page": view})


async def _done(request: Request, session: Session, me: Principal, counter: Counter, word: str, act: Any) -> Response:
    """Run one action; commit and come back with `word`, or show the page with the refusal."""
    counter_id = counter.id
    try:
        await act()
    except Problem as problem:
        if problem.status not in (409, 422):
            raise
        await session.rollback()
        again = await counter_desk.counter_in_scope(session, me, counter_id)
        return await _page(request, session, me, again, error=problem)
    await session.commit()
    return RedirectResponse(f"/desk/counter/{counter_id}?done={word}#counter-ticket", status_code=303)


@router.post("/desk/counter/{counter_id}/open")
async def open_counter(request: Request, session: SessionDep, me: CurrentStaff, counter: OfficeCounter) -> Response:
    """Sit at this counter (leaving any other); taking it over from someone who left it open says so."""
    counter_id = counter.id
    previous = await counter_actions.open_counter(session, me=me, counter=counter)
    await session.commit()
    suffix = f"&from={previous}" if previous else ""
    return RedirectResponse(f"/desk/counter/{counter_id}?done=opened{suffix}", status_code=303)


@router.post("/desk/counter/{counter_id}/close")
async def close_counter(request: Request, session: SessionDep, me: CurrentStaff, counter: OfficeCounter) -> Response:
    """Leave this counter (it must have no ticket at it)."""

    async def act() -> None:
        await counter_actions.close_counter(session, me=me, counter=counter)

    response = await _done(request, session, me, counter, "closed", act)
    if response.status_code == 303:
        return RedirectResponse("/desk/counter?done=closed", status_code=303)
    return response


@router.post("/desk/counter/{counter_id}/next")
async def call_next(request: Request, session: SessionDep, me: CurrentStaff, counter: OfficeCounter) -> Response:
    """Call the next ticket this staff member may serve to this counter."""
    called: list[Ticket | None] = []

    async def act() -> None:
        called.append(await counter_actions.call_next(session, me=me, counter=counter))

    response = await _done(request, session, me, counter, "called", act)
    if response.status_code == 303 and called and called[0] is None:
        return RedirectResponse(f"/desk/counter/{counter.id}?done=nobody", status_code=303)
    return response


def _step(action: str, word: str) -> Any:
    async def step(request: Request, session: SessionDep, me: CurrentStaff, found: OfficeTicket) -> Response:
        counter, ticket = found

        async def act() -> None:
            await counter_actions.act(
                session, me=me, counter=counter, ticket=ticket, action=action, settings=settings_of(request)
            )

        return await _done(request, session, me, counter, word, act)

    step.__doc__ = f"The ticket at (or held at the office of) this counter: {action}."
    return step


for _action in counter_actions.ACTIONS:
    router.add_api_route(
        f"/desk/counter/{{counter_id}}/tickets/{{ticket_id}}/{_action}",
        _step(_action, _action),
        methods=["POST"],
        name=f"counter_{_action.replace('-', '_')}",
    )


@router.post("/desk/counter/{counter_id}/tickets/{ticket_id}/transfer")
async def transfer(request: Request, session: SessionDep, me: CurrentStaff, found: OfficeTicket) -> Response:
    """Back in line: for another service, for one counter, or for anyone."""
    counter, ticket = found
    raw = await request.form()

    async def act() -> None:
        await counter_actions.transfer(
            session,
            me=me,
            counter=counter,
            ticket=ticket,
            to_service=text(raw, "to_service", 40),
            to_counter=text(raw, "to_counter", 40),
            note=text(raw, "note", 1000),
        )

    return await _done(request, session, me, counter, "transfer", act)


@router.post("/desk/counter/{counter_id}/tickets/{ticket_id}/finish")
async def finish(request: Request, session: SessionDep, me: CurrentStaff, found: OfficeTicket) -> Response:
    """The visit ends, served: with the agency's wrap-up code and what was done."""
    counter, ticket = found
    raw = await request.form()

    async def act() -> None:
        await counter_actions.finish(
            session,
            me=me,
            counter=counter,
            ticket=ticket,
            wrap_up_code=text(raw, "wrap_up_code", 64),
            outcome=text(raw, "outcome", 2000),
        )

    return await _done(request, session, me, counter, "finish", act)


@router.post("/desk/counter/{counter_id}/tickets/{ticket_id}/identity")
async def identity(request: Request, session: SessionDep, me: CurrentStaff, found: OfficeTicket) -> Response:
    """Note that the person at the counter showed who they are."""
    counter, ticket = found

    async def act() -> None:
        await counter_actions.identity_checked(session, me=me, ticket=ticket)

    return await _done(request, session, me, counter, "identity", act)
