"""The counter desk over HTTP: a clerk sits at a counter, calls the next ticket (the visitor who gave a phone is
texted), serves it and finishes with the agency's wrap-up code; a refusal (another's counter, a wrap-up missing)
shows the page with the reason and changes nothing; the greeter checks a visitor in; another agency's counter is
unknown."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.factories import create_agency, create_agent
from tests.support.counters import make_office
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.counters.kinds import TicketState
from townsquare.counters.models import Ticket, TicketPeriod
from townsquare.interactions.models import Direction, Interaction, InteractionKind
from townsquare.notify.models import OutboxMessage
from townsquare.routing import setup as routing_setup
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.staff.models import StaffRole

PHONE = "+16135550142"


async def test_a_clerk_calls_serves_and_finishes_a_visit(client: httpx.AsyncClient, runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        place = await make_office(s, clerks=2)
        await routing_setup.put_wrap_up_code(s, agency_id=place.agency.id, code="answered", label="Question answered")
        other = await create_agency(s, slug="other", name="Other")
        outsider = await create_agent(s, email="outsider@city.example", agencies=[other])
        supervisor = await create_agent(s, email="sup@city.example", agencies=[place.agency], role=StaffRole.supervisor)
        await s.commit()
    counter, clerk = place.counters[0], place.clerks[0]
    kiosk = {"service": place.permit.code, "phone": "613-555-0142", "token": "k1", "lang": "en"}
    assert (await client.post("/kiosk/service-centre/tickets", data=kiosk)).status_code == 303

    await sign_in_staff(client, outsider.email)
    assert (await client.get(f"/desk/counter/{counter.id}")).status_code == 404
    await sign_in_staff(client, clerk.email)
    listing = await client.get("/desk/counter")
    assert "Service Centre" in listing.text
    refused = await client.post(f"/desk/counter/{counter.id}/next")
    assert refused.status_code == 409  # not at the counter yet
    assert "Open this counter first" in refused.text
    opened = await client.post(f"/desk/counter/{counter.id}/open")
    assert opened.headers["location"].endswith("done=opened")
    called = await client.post(f"/desk/counter/{counter.id}/next")
    assert called.headers["location"] == f"/desk/counter/{counter.id}?done=called#counter-ticket"
    page = await client.get(f"/desk/counter/{counter.id}")
    assert "P-001" in page.text
    assert "They are here: start serving" in page.text
    async with runtime.db.session(deferred=True) as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
        texts = [
            m.payload["body"] for m in await s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE))
        ]
    assert any("go to counter 1" in t for t in texts)
    base = f"/desk/counter/{counter.id}/tickets/{ticket.id}"
    assert (await client.post(f"{base}/start")).status_code == 303
    missing = await client.post(f"{base}/finish", data={"wrap_up_code": "", "outcome": ""})
    assert missing.status_code == 422  # the agency's wrap-up codes apply at the counter too
    done = await client.post(f"{base}/finish", data={"wrap_up_code": "answered", "outcome": "Permit issued"})
    assert done.status_code == 303
    async with runtime.db.session(deferred=True) as s:
        ended = await s.get_one(Ticket, ticket.id)
        item = await s.get_one(WorkItem, ended.work_item_id)
        periods = list(await s.scalars(select(TicketPeriod.state).where(TicketPeriod.ticket_id == ticket.id)))
    assert (ended.state, ended.outcome, item.status, item.wrap_up_code) == (
        TicketState.finished,
        "answered",
        WorkItemStatus.done,
        "answered",
    )
    assert periods == [TicketState.waiting, TicketState.called, TicketState.serving]
    async with runtime.db.session(deferred=True) as s:
        ended_visit = (
            await s.execute(
                select(Interaction).where(
                    Interaction.kind == InteractionKind.visit, Interaction.direction == Direction.internal
                )
            )
        ).scalar_one()
    assert ended_visit.citizen_id == ended.citizen_id  # the visit's end is on the person's timeline
    assert ended_visit.body == "Visit P-001 ended: served at counter 1 (Parking permit)."
    await sign_in_staff(client, supervisor.email)
    board = await client.get("/desk/wallboard/_board")
    assert 'data-office="Service Centre"' in board.text  # the estimate's accuracy, on the wallboard
    await sign_in_staff(client, clerk.email)
    nobody = await client.post(f"/desk/counter/{counter.id}/next")
    assert nobody.headers["location"].endswith("done=nobody")
    assert (await client.post(f"/desk/counter/{counter.id}/close")).headers["location"] == "/desk/counter?done=closed"


async def test_the_greeter_checks_a_visitor_in(client: httpx.AsyncClient, runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        place = await make_office(s, clerks=1)
        await s.commit()
    await sign_in_staff(client, place.clerks[0].email)
    path = f"/desk/offices/{place.office.id}/greeter"
    form = (await client.get(path)).text
    assert "Check a visitor in" in form
    refused = await client.post(path, data={"service": place.licence.code, "phone": "", "identity_checked": "yes"})
    assert refused.status_code == 422
    given = await client.post(
        path,
        data={"service": place.licence.code, "language": "fr", "phone": PHONE, "identity_checked": "yes", "token": "g"},
    )
    assert given.status_code == 303
    shown = await client.get(given.headers["location"])
    assert "Ticket L-001 was given." in shown.text
    async with runtime.db.session(deferred=True) as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
        item = await s.get_one(WorkItem, ticket.work_item_id)
    assert (ticket.via.value, ticket.language, item.language) == ("greeter", "fr", "fr")
    assert item.context["identified_by"]["verification_method"] == "staff_checked"
