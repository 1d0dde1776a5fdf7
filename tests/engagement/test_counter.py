"""A visit through the one flow: a check-in is a `counter` contact on the person's timeline and a `counter` work
item in the universal queue with its SLA, then a ticket; a phone given gets "you are in line" and, when called,
"it's your turn" through the outbox. Bad input — a closed office, a service not offered, a malformed phone, a
second ticket — is refused with nothing written, and a form sent twice is one visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import counts
from tests.support.counters import SomeOffice, make_office, seat
from townsquare.app import Runtime
from townsquare.counters import calling
from townsquare.counters.kinds import CheckIn
from townsquare.engagement import counter
from townsquare.engagement.counter import Visit
from townsquare.errors import Problem
from townsquare.interactions.models import Channel, Interaction, InteractionKind
from townsquare.notify.models import OutboxMessage
from townsquare.offices.models import OfficeService
from townsquare.routing import engine
from townsquare.routing.models import WorkItem, WorkItemStatus

PHONE = "+16135550142"
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Toronto
WEEKDAYS = {str(day): [["08:30", "16:30"]] for day in range(5)}


def _visit(place: SomeOffice, **kw: object) -> Visit:
    fields: dict[str, object] = {"service_code": place.permit.code, "language": "en", "via": CheckIn.kiosk}
    return Visit(office=place.office, **(fields | kw))  # type: ignore[arg-type]


async def test_a_visit_lands_on_the_timeline_and_in_the_universal_queue_as_counter_work(
    runtime: Runtime, session: AsyncSession
) -> None:
    place = await make_office(session, hours=WEEKDAYS)
    checked = await counter.check_in(
        session, runtime.pipeline, _visit(place, phone="613-555-0142", token="t1"), now=NOW
    )
    ticket = checked.ticket
    assert (ticket.label, ticket.via, ticket.estimated_wait_seconds) == ("P-001", CheckIn.kiosk, 0)
    visit = await session.get_one(Interaction, ticket.interaction_id)
    assert (visit.channel, visit.kind, visit.citizen_id) == (Channel.counter, InteractionKind.visit, ticket.citizen_id)
    assert visit.payload["ticket"] == "P-001"
    item = await session.get_one(WorkItem, ticket.work_item_id)
    assert (item.channel, item.status, item.service_id, item.agency_id) == (
        "counter",
        WorkItemStatus.queued,
        place.permit.id,
        place.agency.id,
    )
    assert item.sla_due_at == NOW + timedelta(minutes=20)  # the counter's, not the permit's 72 hours
    assert item.context["identified_by"]["how"] == "phone"
    texts = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE)))
    assert [t.channel for t in texts] == ["sms"]
    assert "P-001" in texts[0].payload["body"]
    assert "no wait" in texts[0].payload["body"]

    report = await engine.route(session, now=NOW)  # a routing pass never offers a walk-in to anyone
    assert item.id not in {offered for offered, _ in report.offered}
    await seat(session, place, at=NOW)
    called = await calling.call_next(session, counter=place.counters[0], staff_id=place.clerks[0].id, now=NOW)
    assert called is not None
    await counter.its_your_turn(session, ticket=called, counter=place.counters[0])
    assert (item.status, item.assigned_to_id, item.first_answered_at) == (
        WorkItemStatus.assigned,
        place.clerks[0].id,
        NOW,
    )
    texts = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE)))
    assert any("go to counter 1" in t.payload["body"] for t in texts)


async def test_the_same_form_twice_is_one_visit_and_a_second_ticket_for_one_person_is_refused(
    runtime: Runtime, session: AsyncSession
) -> None:
    place = await make_office(session)
    first = await counter.check_in(session, runtime.pipeline, _visit(place, phone=PHONE, token="same"), now=NOW)
    again = await counter.check_in(session, runtime.pipeline, _visit(place, phone=PHONE, token="same"), now=NOW)
    assert again.duplicate
    assert again.ticket.id == first.ticket.id
    with pytest.raises(Problem) as second:
        await counter.check_in(session, runtime.pipeline, _visit(place, phone=PHONE, token="other"), now=NOW)
    assert second.value.status == 409
    assert "P-001" in second.value.detail
    await session.rollback()  # what the door does with a refusal


async def test_an_anonymous_visitor_is_served_in_the_language_chosen(runtime: Runtime, session: AsyncSession) -> None:
    place = await make_office(session)
    checked = await counter.check_in(session, runtime.pipeline, _visit(place, language="fr"), now=NOW)
    item = await session.get_one(WorkItem, checked.ticket.work_item_id)
    assert item.language == "fr"
    assert item.context["identified_by"] == {"how": "anonymous"}
    assert checked.ticket.sms_identity_id is None


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"phone": "12"}, 422, "phone"),
        ({"service_code": "NOPE"}, 422, "service"),
        ({"identity_checked": True}, 422, "phone"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_written(
    runtime: Runtime, session: AsyncSession, change: dict[str, object], status: int, field: str
) -> None:
    place = await make_office(session)
    await session.commit()
    before = await counts(session)
    with pytest.raises(Problem) as refused:
        await counter.check_in(session, runtime.pipeline, _visit(place, **change), now=NOW)
    assert refused.value.status == status
    assert [e.field for e in refused.value.errors] == [field]
    await session.rollback()
    assert await counts(session) == before


async def test_a_closed_office_and_an_office_not_offering_walk_ins_take_no_ticket(
    runtime: Runtime, session: AsyncSession
) -> None:
    place = await make_office(session, hours=WEEKDAYS)
    await session.commit()
    before = await counts(session)
    saturday = NOW + timedelta(days=5)
    with pytest.raises(Problem) as closed:
        await counter.check_in(session, runtime.pipeline, _visit(place), now=saturday)
    assert (closed.value.status, closed.value.type_slug) == (409, "office-closed")
    evening = NOW + timedelta(hours=8)  # 18:00 in Toronto
    with pytest.raises(Problem):
        await counter.check_in(session, runtime.pipeline, _visit(place), now=evening)
    await session.rollback()
    assert await counts(session) == before


async def test_arriving_for_an_appointment_is_a_visit_called_from_its_booked_time(
    runtime: Runtime, session: AsyncSession
) -> None:
    place = await make_office(session)
    offered = await session.get_one(OfficeService, (place.office.id, place.licence.id))
    offered.walk_in = False  # a service taken by appointment only
    booked_for = NOW + timedelta(minutes=10)
    with pytest.raises(Problem):
        await counter.check_in(session, runtime.pipeline, _visit(place, service_code=place.licence.code), now=NOW)
    arrived = _visit(place, service_code=place.licence.code, via=CheckIn.appointment, booked_for=booked_for)
    checked = await counter.check_in(session, runtime.pipeline, arrived, now=NOW)
    assert (checked.ticket.booked_for, checked.ticket.estimated_wait_seconds) == (booked_for, None)
    assert checked.ticket.via is CheckIn.appointment
