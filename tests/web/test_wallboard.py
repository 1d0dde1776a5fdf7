"""The supervisor wallboard page: who may see it, its accessible tables, and the fragment it refreshes from."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_citizen, create_staff
from tests.support.staff import sign_in_staff
from townsquare.routing.models import Agent, Presence
from townsquare.staff.models import StaffRole


def _total(html: str, name: str) -> str:
    found = re.search(rf'data-total="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


async def test_a_supervisor_sees_queues_channels_and_agents_of_their_agencies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    other = await create_agency(session, slug="revenue", name="Revenue")
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    ana = await create_staff(session, email="ana@city.example", agencies=[works])
    ben = await create_staff(session, email="ben@city.example", agencies=[other])
    session.add_all([Agent(staff_id=ana.id, presence=Presence.available), Agent(staff_id=ben.id)])
    await create_citizen(session, name="Maria Lopez", phone="+16135550142")
    headers = await api_key_headers(session)
    await session.commit()
    body = {"channel": "sms", "from": {"kind": "phone", "value": "+16135550142"}, "text": "Pothole on Elm"}
    assert (await client.post("/api/v1/interactions", json=body, headers=headers)).status_code == 201

    await sign_in_staff(client, "sue@city.example")
    page = await client.get("/desk/wallboard")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Wallboard</h1>" in html
    assert "<caption>Work by queue</caption>" in html
    assert "<caption>Work by channel</caption>" in html
    assert "<caption>Agents and what they hold</caption>" in html
    assert html.count('<th scope="col">') >= 20
    assert '<th scope="row">City Works (no queue)</th>' in html
    assert '<th scope="row">Text message</th>' in html
    assert '<th scope="row">Ana</th>' in html
    assert "Ben" not in html  # another agency's agent
    assert _total(html, "depth") == "1"
    assert 'data-presence-count="available">Available: <strong>1</strong>' in html
    assert 'data-watch-wallboard="true"' in html

    fragment = await client.get("/desk/wallboard/_board")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert _total(fragment.text, "depth") == "1"


async def test_agents_are_refused_and_signed_out_people_are_sent_to_sign_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    await create_staff(session, email="ana@city.example", agencies=[works])
    await session.commit()
    assert (await client.get("/desk/wallboard")).headers["location"] == "/desk/sign-in?next=/desk/wallboard"
    assert (await client.get("/desk/wallboard/_board")).status_code == 401
    await sign_in_staff(client, "ana@city.example")
    refused = await client.get("/desk/wallboard", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert "The wallboard is for supervisors and administrators." in refused.text
    assert (await client.get("/desk/wallboard/_board")).status_code == 403


async def test_an_admin_sees_every_agency(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await create_agency(session)
    other = await create_agency(session, slug="revenue", name="Revenue")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    ben = await create_staff(session, email="ben@city.example", agencies=[other])
    session.add(Agent(staff_id=ben.id, presence=Presence.away))
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    html = (await client.get("/desk/wallboard")).text
    assert '<th scope="row">Ben</th>' in html
    assert 'data-presence-count="away">Away: <strong>1</strong>' in html
