"""Journey 7, nobody left behind: a resident with no smartphone books by phone through an agent, from his case; he
is told by text and by letter, reminded by text the day before, checked in at the counter, called ahead of a
walk-in who came earlier, texted "it's your turn", and the visit is on the same case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agent
from tests.support.appointments import MONDAY, local, make_office, person, with_templates
from tests.support.db import fresh
from townsquare.app import Runtime
from townsquare.appointments.kinds import AppointmentStatus
from townsquare.appointments.models import Appointment
from townsquare.appointments.worker import send_reminders
from townsquare.cases import service as cases
from townsquare.casework import appointments as desk_appointments
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.counters import calling, staffing
from townsquare.counters.kinds import CheckIn
from townsquare.counters.models import Ticket
from townsquare.engagement import counter_arrivals
from townsquare.engagement.counter import Visit, check_in, its_your_turn
from townsquare.interactions.models import Channel, Interaction, InteractionKind
from townsquare.notify.models import Notification, NotificationAttempt
from townsquare.routing.models import WorkItem
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

PHONE = "+16135550150"


async def test_booked_by_phone_reminded_checked_in_and_the_same_case_continues(
    runtime: Runtime, session: AsyncSession
) -> None:
    await with_templates(session)
    place = await make_office(session)  # weekday mornings, one counter
    clerk = await create_agent(session, email="clerk@city.example", agencies=[place.agency], languages=["en", "fr"])
    leo = await person(session, "Léo Tremblay", phone=PHONE)
    await citizens.add_identity(
        session, citizen_id=leo.id, kind=IdentityKind.postal, value="Léo Tremblay\n12 Elm St\nOttawa ON", region="CA"
    )
    case = await cases.open_case(
        session, prefix="TS", agency_id=place.agency.id, title="Licence renewal", channel="voice", citizen_id=leo.id
    )
    await session.commit()
    me = Principal("staff", clerk.id, "Clerk", StaffRole.agent, frozenset({place.agency.id}))

    # Friday: he phones; the agent books Monday 10:00 for him, continuing his case, with a letter to keep.
    booked = await desk_appointments.book_for(
        session,
        runtime.settings,
        me=me,
        citizen_id=leo.id,
        office_id=place.office.id,
        service_code=place.service.code,
        starts_at=local(MONDAY, 10),
        way="phone",
        case_reference=case.reference,
        letter=True,
        now=local(MONDAY - timedelta(days=3), 15),
    )
    await session.commit()
    assert booked.case_id == case.id

    # Sunday: the day-before reminder goes out once, by text.
    assert await send_reminders(session, runtime.settings, now=local(MONDAY - timedelta(days=1), 18)) == 1
    assert await send_reminders(session, runtime.settings, now=local(MONDAY - timedelta(days=1), 19)) == 0
    await session.commit()
    told = await session.execute(
        select(Notification.message_type, NotificationAttempt.channel)
        .join(NotificationAttempt, NotificationAttempt.notification_id == Notification.id)
        .where(Notification.citizen_id == leo.id)
    )
    sent = sorted((str(kind), channel) for kind, channel in told.all())
    assert ("appointment_reminder", "sms") in sent
    assert {channel for _, channel in sent} == {"sms", "mail"}  # texts and a letter; he has no app and no email

    # Monday: a walk-in takes a ticket at 9:40; Léo arrives at 9:50 and the greeter checks him in.
    walk_in = Visit(place.office, place.service.code, "en", CheckIn.kiosk, token="walk-in-1")
    earlier = (await check_in(session, runtime.pipeline, walk_in, now=local(MONDAY, 9, 40))).ticket
    arrived = await counter_arrivals.arrive(
        session, runtime.pipeline, appointment_id=booked.id, now=local(MONDAY, 9, 50), staff_id=clerk.id
    )
    again = await counter_arrivals.arrive(  # pressed twice: one visit, one ticket
        session, runtime.pipeline, appointment_id=booked.id, now=local(MONDAY, 9, 51), staff_id=clerk.id
    )
    await session.commit()
    assert again.ticket.id == arrived.ticket.id
    assert arrived.ticket.booked_for == local(MONDAY, 10)

    # At 10:00 the clerk calls next: Léo, booked for now, before the walk-in who came first; he is texted.
    await staffing.open_counter(session, counter=place.counters[0], staff_id=clerk.id, now=local(MONDAY, 9, 55))
    called = await calling.call_next(session, counter=place.counters[0], staff_id=clerk.id, now=local(MONDAY, 10))
    assert called is not None
    await its_your_turn(session, ticket=called, counter=place.counters[0])
    await session.commit()
    assert called.id == arrived.ticket.id != earlier.id

    await fresh(session)
    appointment = await session.get_one(Appointment, booked.id)
    assert appointment.status is AppointmentStatus.arrived
    ticket = await session.get_one(Ticket, arrived.ticket.id)
    assert (ticket.citizen_id, ticket.appointment_id) == (leo.id, booked.id)
    visit = await session.get_one(Interaction, ticket.interaction_id)
    assert (visit.channel, visit.kind, visit.case_id, visit.citizen_id) == (
        Channel.counter,
        InteractionKind.visit,
        case.id,
        leo.id,
    )
    item = await session.get_one(WorkItem, ticket.work_item_id)
    assert (item.channel, item.case_id) == ("counter", case.id)
    texts = list(
        await session.scalars(
            select(Interaction.body).where(
                Interaction.citizen_id == leo.id,
                Interaction.channel == Channel.sms,
                Interaction.case_id == case.id,
            )
        )
    )
    assert any(ticket.label in body and "counter 1" in body.lower() for body in texts), texts
