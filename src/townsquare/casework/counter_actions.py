"""What counter staff do: sit at a counter or leave it, call the next ticket (and text the visitor who gave a
phone), recall, start serving, hold and resume, transfer, finish with a wrap-up, record a no-show, note an identity
check; and check a visitor in at the greeter's desk, through the one flow like the kiosk.

Scope is checked by the pages' dependencies (`counter_desk.*_in_scope`); none of these commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.casework import identity_checks
from townsquare.clock import utcnow
from townsquare.counters import calling, ending, staffing
from townsquare.counters.kinds import CheckIn
from townsquare.counters.models import Ticket
from townsquare.engagement import counter as visits
from townsquare.engagement.pipeline import Pipeline
from townsquare.errors import FieldError, conflict, invalid
from townsquare.offices.models import Counter, Office
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffAccount

STEPS = {"recall": calling.recall, "start": calling.start, "hold": calling.hold, "resume": calling.resume}
ACTIONS = (*STEPS, "no-show")


async def open_counter(session: AsyncSession, *, me: Principal, counter: Counter) -> str | None:
    """Sit the caller at the counter; the name of whoever they took it over from, if anyone."""
    previous = await staffing.open_counter(session, counter=counter, staff_id=me.id, now=utcnow())
    if previous is None:
        return None
    account = await session.get(StaffAccount, previous)
    return account.display_name if account else None


async def close_counter(session: AsyncSession, *, me: Principal, counter: Counter) -> None:
    """The caller leaves the counter, which must have no ticket at it."""
    busy = await calling.current(session, counter_id=counter.id)
    if busy is not None:
        raise conflict(f"Ticket {busy.label} is still at this counter: finish, hold or transfer it first.")
    await staffing.close_counter(session, counter=counter, staff_id=me.id)


async def call_next(session: AsyncSession, *, me: Principal, counter: Counter) -> Ticket | None:
    """Call the next ticket the caller may serve; its visitor is texted when they gave a phone."""
    ticket = await calling.call_next(session, counter=counter, staff_id=me.id)
    if ticket is not None:
        await visits.its_your_turn(session, ticket=ticket, counter=counter)
    return ticket


async def act(
    session: AsyncSession, *, me: Principal, counter: Counter, ticket: Ticket, action: str, settings: Settings
) -> Ticket:
    """One of the buttons on the ticket at the counter (or on hold at the office)."""
    step = STEPS.get(action)
    if step is not None:
        return await step(session, ticket_id=ticket.id, counter=counter, staff_id=me.id)
    if action == "no-show":
        return await ending.no_show(
            session,
            ticket_id=ticket.id,
            counter=counter,
            staff_id=me.id,
            recalls_needed=settings.counter_recalls_before_no_show,
        )
    raise invalid("That is not something a counter can do.", FieldError("action", "unknown"))


async def transfer(
    session: AsyncSession,
    *,
    me: Principal,
    counter: Counter,
    ticket: Ticket,
    to_service: str,
    to_counter: str,
    note: str,
) -> Ticket:
    """Back in line: for another service, for one counter, or for anyone (both empty)."""
    return await calling.transfer(
        session,
        ticket_id=ticket.id,
        counter=counter,
        staff_id=me.id,
        to_service_id=_uuid(to_service, "to_service"),
        to_counter_id=_uuid(to_counter, "to_counter"),
        note=note[:1000],
    )


async def finish(
    session: AsyncSession, *, me: Principal, counter: Counter, ticket: Ticket, wrap_up_code: str, outcome: str
) -> Ticket:
    """The visit ends, served, with how it ended."""
    return await ending.finish(
        session,
        ticket_id=ticket.id,
        counter=counter,
        staff_id=me.id,
        wrap_up_code=wrap_up_code.strip()[:64] or None,
        outcome=outcome.strip()[:2000] or None,
    )


async def identity_checked(session: AsyncSession, *, me: Principal, ticket: Ticket) -> bool:
    """The clerk checked who they are serving (on the visit's work, as on a call); True when that was asking again."""
    if ticket.work_item_id is None:
        raise conflict("This ticket has no visit to note the check on.")
    return await identity_checks.identity_checked(session, me=me, item_id=ticket.work_item_id)


def _uuid(value: str, field: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise invalid("Choose from the list.", FieldError(field, "not one of the choices")) from None


@dataclass(frozen=True)
class GreeterForm:
    service: str = ""
    language: str = "en"
    phone: str = ""
    identity_checked: bool = False
    token: str = ""


async def greet(
    session: AsyncSession, pipeline: Pipeline, *, me: Principal, office: Office, form: GreeterForm
) -> visits.CheckedIn:
    """Check a visitor in at the door: the same visit as the kiosk's, checked in by this member of staff."""
    if form.language not in ("en", "fr"):
        raise invalid("Choose English or French.", FieldError("language", "not offered"))
    checked = await visits.check_in(
        session,
        pipeline,
        visits.Visit(
            office=office,
            service_code=form.service,
            language=form.language,
            via=CheckIn.greeter,
            phone=form.phone,
            token=form.token,
            staff_id=me.id,
            identity_checked=form.identity_checked,
        ),
    )
    if not checked.duplicate:
        me.audit(
            session,
            action="counter.check_in",
            subject_kind="ticket",
            subject_id=str(checked.ticket.id),
            citizen_id=checked.ticket.citizen_id,
            agency_id=office.agency_id,
            detail={"ticket": checked.ticket.label, "identity_checked": form.identity_checked},
        )
    return checked
