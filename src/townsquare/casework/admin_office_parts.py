"""An office's parts on its administration page: its counters (a label the display screen shows, active or not)
and the services it offers (the ticket prefix, how long serving takes, the buffers kept around an appointment,
whether walk-ins and bookings take it). Audited as changes of the office (`office.counter`, `office.service`);
every refused field gathered at once. Never commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Service
from townsquare.casework.admin_common import Mistakes, administered_agencies, changes
from townsquare.casework.admin_offices import PREFIX, CounterForm, OfferForm
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.staff.auth import Principal

LIMITS = {"duration": (1, 480), "buffer_before": (0, 240), "buffer_after": (0, 240)}
OUT_OF_RANGE = {
    "duration": "Give the minutes it takes: a whole number from 1 to 480.",
    "buffer_before": "Give the minutes kept free before: a whole number from 0 to 240.",
    "buffer_after": "Give the minutes kept free after: a whole number from 0 to 240.",
}


async def put_counter(session: AsyncSession, *, me: Principal, office: Office, form: CounterForm) -> Counter:
    """Add a counter, or change one's label or whether it is in use."""
    mistakes = Mistakes()
    label = form.label.strip()
    counter: Counter | None = None
    if form.counter:
        counter = await session.get(Counter, _uuid(form.counter))
        if counter is None or counter.office_id != office.id:
            mistakes.add("counter", "Choose one of this office's counters.")
    if not 1 <= len(label) <= 20:
        mistakes.add("label", "Give the counter a label of 1 to 20 characters, as the display screen shows it.")
    else:
        taken = await session.scalar(select(Counter.id).where(Counter.office_id == office.id, Counter.label == label))
        if taken is not None and (counter is None or taken != counter.id):
            mistakes.add("label", "This office already has a counter with that label.")
    mistakes.refuse("The counter was not saved.")
    before: dict[str, Any] = {}
    if counter is None:
        counter = Counter(office_id=office.id, label=label, active=form.active)
        session.add(counter)
    else:
        before = {"label": counter.label, "active": counter.active}
        counter.label, counter.active = label, form.active
    await session.flush()
    detail = changes(before, {"label": counter.label, "active": counter.active}) | {"counter_id": str(counter.id)}
    me.audit(
        session,
        action="office.counter",
        subject_kind="office",
        subject_id=str(office.id),
        agency_id=office.agency_id,
        detail=detail,
    )
    return counter


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _minutes(form: OfferForm, mistakes: Mistakes) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, (low, high) in LIMITS.items():
        raw = str(getattr(form, name)).strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            mistakes.add(name, OUT_OF_RANGE[name])
        else:
            found[name] = int(raw)
    return found


async def put_offer(session: AsyncSession, *, me: Principal, office: Office, form: OfferForm) -> OfficeService:
    """Offer a service at the office, or change how it is offered."""
    mistakes = Mistakes()
    agencies = [a.id for a in await administered_agencies(session, me)]
    service = await session.scalar(
        select(Service).where(Service.code == form.service.strip(), Service.agency_id.in_(agencies))
    )
    if service is None:
        mistakes.add("service", "Choose one of your agencies' services.")
    prefix = form.prefix.strip().upper()
    if not PREFIX.match(prefix):
        mistakes.add("prefix", "Give a ticket prefix of 1 to 3 capital letters or digits, like P.")
    elif service is not None:
        taken = await session.scalar(
            select(OfficeService.service_id).where(
                OfficeService.office_id == office.id, OfficeService.ticket_prefix == prefix
            )
        )
        if taken is not None and taken != service.id:
            mistakes.add("prefix", "Another service of this office has that ticket prefix.")
    minutes = _minutes(form, mistakes)
    mistakes.refuse("The service was not saved.")
    assert service is not None
    offered = await session.get(OfficeService, (office.id, service.id))
    before = _audited(offered) if offered is not None else {}
    if offered is None:
        offered = OfficeService(office_id=office.id, service_id=service.id)
        session.add(offered)
    offered.ticket_prefix = prefix
    offered.duration_minutes = minutes["duration"]
    offered.buffer_before_minutes, offered.buffer_after_minutes = minutes["buffer_before"], minutes["buffer_after"]
    offered.walk_in, offered.bookable = form.walk_in, form.bookable
    await session.flush()
    detail = changes(before, _audited(offered)) | {"service": service.code}
    me.audit(
        session,
        action="office.service",
        subject_kind="office",
        subject_id=str(office.id),
        agency_id=office.agency_id,
        detail=detail,
    )
    return offered


def _audited(offered: OfficeService) -> dict[str, Any]:
    return {
        "ticket_prefix": offered.ticket_prefix,
        "duration_minutes": offered.duration_minutes,
        "buffer_before_minutes": offered.buffer_before_minutes,
        "buffer_after_minutes": offered.buffer_after_minutes,
        "walk_in": offered.walk_in,
        "bookable": offered.bookable,
    }


def offer_form(offered: OfficeService, code: str) -> OfferForm:
    return OfferForm(
        code,
        offered.ticket_prefix,
        str(offered.duration_minutes),
        str(offered.buffer_before_minutes),
        str(offered.buffer_after_minutes),
        offered.walk_in,
        offered.bookable,
    )
