"""Staff accounts' administration: an account created without a password (with a routing profile), role and
agencies changed, deactivation ending the person's sessions at once, an agency administrator kept to its own
agencies and unable to grant `admin`, and the last active administrator kept."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.routing.models import Agent, Presence
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry, StaffAccount, StaffAgency, StaffRole

ADMIN, AGENCY_ADMIN, AGENT, PARKS_AGENT = (
    "root@city.example",
    "works.admin@city.example",
    "ana@city.example",
    "pat@city.example",
)


async def _city(session: AsyncSession) -> tuple[Agency, Agency, dict[str, StaffAccount]]:
    works = await create_agency(session, slug="works", name="Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    people = {
        ADMIN: await create_staff(session, email=ADMIN, role=StaffRole.admin),
        AGENCY_ADMIN: await create_staff(session, email=AGENCY_ADMIN, role=StaffRole.agency_admin, agencies=[works]),
        AGENT: await create_staff(session, email=AGENT, agencies=[works, parks]),
        PARKS_AGENT: await create_staff(session, email=PARKS_AGENT, agencies=[parks]),
    }
    await session.commit()
    return works, parks, people


async def _agencies_of(session: AsyncSession, staff_id: object) -> set[object]:
    await session.commit()
    return set(await session.scalars(select(StaffAgency.agency_id).where(StaffAgency.staff_id == staff_id)))


async def test_an_account_is_created_without_a_password_anyone_knows(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _, _ = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    form = {"email": "New.Person@City.example", "display_name": "New Person", "role": "agent", "agencies": [works.id]}
    created = await client.post("/desk/admin/staff", data=form)
    assert created.status_code == 303
    page = (await client.get(created.headers["location"])).text
    assert "Forgot your password" in page
    account = await session.scalar(select(StaffAccount).where(StaffAccount.email == "new.person@city.example"))
    assert account is not None
    assert account.role is StaffRole.agent
    assert await staff.authenticate(session, email="new.person@city.example", password=PASSWORD) is None
    profile = await session.get(Agent, account.id)  # a supervisor sets it up on the Agents page before day one
    assert profile is not None
    assert profile.presence is Presence.offline
    [audit] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.create"))).all()
    assert audit.detail["after"] == {"role": "agent", "agencies": [str(works.id)], "active": True}


async def test_an_agency_administrator_grants_neither_admin_nor_another_agency(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, parks, people = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    form = {"email": "x@city.example", "display_name": "X", "role": "admin", "agencies": [works.id, parks.id]}
    refused = await client.post("/desk/admin/staff", data=form)
    assert refused.status_code == 422
    assert 'href="#field-role"' in refused.text
    assert 'href="#field-agencies"' in refused.text
    assert '<option value="admin"' not in refused.text
    listed = (await client.get("/desk/admin/staff")).text
    assert str(people[AGENT].id) in listed
    assert str(people[PARKS_AGENT].id) not in listed
    assert str(people[ADMIN].id) not in listed
    for other in (people[PARKS_AGENT].id, people[ADMIN].id):
        assert (await client.get(f"/desk/admin/staff/{other}")).status_code == 404
        assert (await client.post(f"/desk/admin/staff/{other}/active", data={"active": "no"})).status_code == 404

    # Ana works for Works and Parks: the Works administrator makes her a supervisor; her Parks membership stays.
    edit = {"display_name": "Ana Lima", "role": "supervisor", "agencies": [works.id]}
    assert (await client.post(f"/desk/admin/staff/{people[AGENT].id}", data=edit)).status_code == 303
    assert await _agencies_of(session, people[AGENT].id) == {works.id, parks.id}
    [audit] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.update"))).all()
    assert audit.detail["before"]["role"] == "agent"
    assert audit.detail["after"]["role"] == "supervisor"
    assert audit.detail["renamed"] is True
    assert "Lima" not in str(audit.detail)  # no names in the audit log


async def test_deactivation_ends_the_persons_sessions_at_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    _, _, people = await _city(session)
    agent = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))  # the agent's own browser
    async with agent:
        await sign_in_staff(agent, AGENT)
        assert (await agent.get("/desk")).status_code == 200
        await sign_in_staff(client, ADMIN)
        off = await client.post(f"/desk/admin/staff/{people[AGENT].id}/active", data={"active": "no"})
        assert off.headers["location"] == "/desk/admin/staff?notice=deactivated"
        assert (await agent.get("/desk")).headers["location"] == "/desk/sign-in?next=/desk"
        on = await client.post(f"/desk/admin/staff/{people[AGENT].id}/active", data={"active": "yes"})
        assert on.status_code == 303
    actions = await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == str(people[AGENT].id)))
    assert sorted(actions) == ["staff.deactivate", "staff.reactivate"]


async def test_nobody_demotes_or_deactivates_the_last_active_administrator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _, people = await _city(session)
    root = people[ADMIN].id
    other = await create_staff(session, email="second@city.example", role=StaffRole.admin)
    other_id = other.id
    await session.commit()
    await sign_in_staff(client, "second@city.example")
    assert (await client.post(f"/desk/admin/staff/{root}/active", data={"active": "no"})).status_code == 303
    refused = await client.post(f"/desk/admin/staff/{other_id}/active", data={"active": "no"})
    assert refused.status_code == 409  # oneself
    await client.post(f"/desk/admin/staff/{root}/active", data={"active": "yes"})
    await sign_in_staff(client, ADMIN)
    demote = {"display_name": "Second", "role": "agent", "agencies": [works.id]}
    assert (await client.post(f"/desk/admin/staff/{other_id}", data=demote)).status_code == 303
    last = await client.post(f"/desk/admin/staff/{root}", data={"display_name": "Root", "role": "supervisor"})
    assert last.status_code == 422
    assert "the last active administrator" in last.text
    await session.commit()
    assert await session.scalar(select(StaffAccount.role).where(StaffAccount.id == root)) is StaffRole.admin
