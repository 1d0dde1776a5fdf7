"""The supervisor's Agents page: who may see and change which agents, the edit form and what it changes in routing,
refused input, forcing an agent away, the audit trail, a fixed query count and accessibility in Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_agent, create_service, create_staff
from tests.support.browser import axe_violations, share_cookies
from tests.support.db import record_statements
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.clock import utcnow
from townsquare.db import remembered
from townsquare.routing import engine
from townsquare.routing import service as items
from townsquare.routing.models import (
    Agent,
    AgentSkill,
    CapacityClass,
    Presence,
    Team,
    TeamMember,
    WorkItem,
    WorkItemStatus,
)
from townsquare.staff.models import AuditEntry, StaffRole

# The signed-in staff account with its agencies (1), agents with names (1), their skills (1),
# their teams (1), what they hold (1), the city's time zone (1).
LIST_PAGE_STATEMENTS = 6


async def _audit(session: AsyncSession, action: str) -> list[dict[str, Any]]:
    await session.commit()
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.occurred_at, AuditEntry.id)
    rows = (await session.execute(query)).scalars().all()
    return [{"actor": r.actor_id, "subject": r.subject_id, **r.detail} for r in rows]


async def _fresh_agent(session: AsyncSession, staff_id: uuid.UUID) -> Agent:
    await session.commit()  # end the test's read snapshot: see what the app committed
    stmt = select(Agent).where(Agent.staff_id == staff_id).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one()


def _form(**overrides: Any) -> dict[str, Any]:
    """A complete submission of the edit form, as a browser sends it."""
    form: dict[str, Any] = {
        "capacity-voice": "1",
        "capacity-chat": "3",
        "capacity-async": "5",
        "languages": ["en"],
        "other_languages": "",
        "skill-0": "",
        "level-0": "3",
        "wrap_up_seconds": "30",
    }
    form.update(overrides)
    return form


async def test_agents_are_refused_visitors_sign_in_and_other_agencies_agents_are_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    ana = await create_agent(session, email="ana@city.example", agencies=[works])
    ben = await create_agent(session, email="ben@city.example", agencies=[revenue], presence="available")
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()

    visitor = await client.get("/desk/agents")
    assert (visitor.status_code, visitor.headers["location"]) == (303, "/desk/sign-in?next=/desk/agents")
    visitor = await client.get(f"/desk/agents/{ana.id}")
    assert visitor.headers["location"] == f"/desk/sign-in?next=/desk/agents/{ana.id}"

    await sign_in_staff(client, "ana@city.example")
    refused = await client.get("/desk/agents", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert "The Agents page is for supervisors and administrators." in refused.text
    assert (await client.get(f"/desk/agents/{ana.id}")).status_code == 403
    assert (await client.post(f"/desk/agents/{ana.id}", data=_form(**{"capacity-chat": "9"}))).status_code == 403

    await sign_in_staff(client, "sue@city.example")
    listing = (await client.get("/desk/agents")).text
    assert '<th scope="row">Ana</th>' in listing
    assert "Ben" not in listing
    assert (await client.get(f"/desk/agents/{ben.id}")).status_code == 404
    assert (await client.get(f"/desk/agents/{uuid.uuid4()}")).status_code == 404
    assert (await client.post(f"/desk/agents/{ben.id}", data=_form(**{"capacity-chat": "9"}))).status_code == 404
    assert (await client.post(f"/desk/agents/{ben.id}/presence", data={"presence": "offline"})).status_code == 404
    untouched = await _fresh_agent(session, ben.id)
    assert (untouched.capacity["chat"], untouched.presence) == (3, Presence.available)
    assert await _audit(session, "agent.update") == []

    await sign_in_staff(client, "root@city.example")
    everyone = (await client.get("/desk/agents")).text
    assert '<th scope="row">Ana</th>' in everyone
    assert '<th scope="row">Ben</th>' in everyone
    assert (await client.get(f"/desk/agents/{ben.id}")).status_code == 200


async def test_the_list_shows_status_load_against_capacity_languages_skills_and_teams(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    ana = await create_agent(
        session, email="ana@city.example", agencies=[works], languages=["en", "fr"], skills={"pothole": 4}
    )
    await create_agent(session, email="bo@city.example", agencies=[works], presence="away")
    roads = Team(agency_id=works.id, slug="roads", name="Roads crew")
    session.add(roads)
    await session.flush()
    session.add(TeamMember(team_id=roads.id, staff_id=ana.id))
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    item = await items.create(session, channel="chat", kind="message", agency_id=works.id, received_at=utcnow())
    await session.commit()
    await engine.route(session)
    await session.commit()
    assert item.assigned_to_id == ana.id  # Bo is away

    await sign_in_staff(client, "sue@city.example")
    page = await client.get("/desk/agents")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Agents</h1>" in html
    assert '<caption id="agents-caption">' in html
    row = html[html.index(f'data-agent="{ana.id}"') :]
    row = row[: row.index("</tr>")]
    assert '<td data-col="presence">Busy</td>' in row or '<td data-col="presence">Available</td>' in row
    assert '<td data-col="chat">1 of 3</td>' in row
    assert '<td data-col="voice">0 of 1</td>' in row
    assert '<td data-col="languages">English, French</td>' in row
    assert '<td data-col="skills">pothole (4)</td>' in row
    assert '<td data-col="teams">City Works: Roads crew</td>' in row
    assert f'href="/desk/agents/{ana.id}"' in row
    assert 'data-presence-count="away">Away: <strong>1</strong>' in html


async def test_editing_the_profile_persists_is_audited_and_changes_what_routing_offers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    licensing = await create_agency(session, slug="licensing", name="Licensing")
    await create_service(session, agency=works, code="POTHOLE")
    await create_service(session, agency=licensing, code="DOGLICENCE", name="Dog licence")
    ana = await create_agent(session, email="ana@city.example", agencies=[works, licensing], skills={"old": 2})
    roads, parks = (
        Team(agency_id=works.id, slug="roads", name="Roads"),
        Team(agency_id=works.id, slug="p", name="Parks"),
    )
    dogs = Team(agency_id=licensing.id, slug="dogs", name="Dogs")
    session.add_all([roads, parks, dogs])
    await session.flush()
    session.add_all([TeamMember(team_id=parks.id, staff_id=ana.id), TeamMember(team_id=dogs.id, staff_id=ana.id)])
    sue = await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    french = await items.create(
        session, channel="email", kind="message", agency_id=works.id, received_at=utcnow(), language="fr"
    )
    french.required_skills = {"pothole": 3}
    await session.commit()
    assert (await engine.route(session)).offered == []  # Ana speaks only English and lacks the skill
    await session.commit()

    await sign_in_staff(client, "sue@city.example")
    form = (await client.get(f"/desk/agents/{ana.id}")).text
    assert '<option value="pothole">' in form  # the agency's service codes, lowercased
    assert "doglicence" not in form  # not an agency the supervisor shares
    assert "Dogs" not in form  # nor its teams
    assert 'id="language-fr" name="languages" value="fr">' in form  # unchecked
    assert 'value="old"' in form

    saved = await client.post(
        f"/desk/agents/{ana.id}",
        data=_form(
            **{"capacity-chat": "2", "capacity-async": "8"},
            languages=["en", "fr"],
            other_languages="es, PT-BR",
            **{"skill-0": "POTHOLE", "level-0": "4", "skill-1": "", "level-1": "3", "skill-2": "Roads", "level-2": "1"},
            teams=[str(roads.id)],
            wrap_up_seconds="45",
        ),
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"/desk/agents/{ana.id}?notice=saved")
    assert '<p class="notice" role="status">Saved.</p>' in (await client.get(saved.headers["location"])).text

    agent = await _fresh_agent(session, ana.id)
    assert agent.capacity == {"voice": 1, "chat": 2, "async": 8}
    assert agent.languages == ["en", "es", "fr", "pt-br"]
    assert agent.wrap_up_seconds == 45
    skills = dict(
        (await session.execute(select(AgentSkill.skill, AgentSkill.level).where(AgentSkill.staff_id == ana.id))).all()
    )
    assert skills == {"pothole": 4, "roads": 1}
    teams = set((await session.execute(select(TeamMember.team_id).where(TeamMember.staff_id == ana.id))).scalars())
    assert teams == {roads.id, dogs.id}  # Parks left, Roads joined; the other agency's team is not hers to change
    assert await _audit(session, "agent.update") == [
        {
            "actor": str(sue.id),
            "subject": str(ana.id),
            "fields": ["capacity", "languages", "skills", "teams", "wrap_up_seconds"],
        }
    ]

    report = await engine.route(session)
    await session.commit()
    assert report.offered == [(french.id, ana.id)]


async def test_refused_input_shows_the_form_again_with_the_reason_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    ana = await create_agent(session, email="ana@city.example", agencies=[works], skills={"pothole": 2})
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await session.commit()
    await sign_in_staff(client, "sue@city.example")

    cases: list[tuple[dict[str, str | list[str]], str]] = [
        ({"capacity-chat": "99"}, "Capacity is a count from 0 to 50"),
        ({"capacity-voice": "lots"}, "Capacity must be a whole number."),
        ({"skill-0": "roads", "level-0": "9"}, "Skill levels run from 1 to 5."),
        ({"skill-0": "roads", "level-0": "2", "skill-1": "Roads", "level-1": "3"}, "listed twice"),
        ({"languages": [], "other_languages": ""}, "Choose at least one language"),
        ({"other_languages": "klingon!"}, "Type other languages as codes"),
        ({"wrap_up_seconds": "7200"}, "Wrap-up time runs from 0 to 3600 seconds."),
        ({"teams": "not-a-team"}, "That team choice is damaged"),
        ({"teams": str(uuid.uuid4())}, "Choose teams of the agent&#39;s agencies only."),
    ]
    for change, message in cases:
        response = await client.post(f"/desk/agents/{ana.id}", data=_form(**{"skill-0": "roads", **change}))
        assert response.status_code == 422, change
        assert message in response.text, change
        assert 'class="error-summary" role="alert"' in response.text
    kept = await client.post(f"/desk/agents/{ana.id}", data=_form(**{"capacity-chat": "99", "skill-0": "typed"}))
    assert 'value="99"' in kept.text  # what was typed is shown again
    assert 'value="typed"' in kept.text

    agent = await _fresh_agent(session, ana.id)
    assert agent.capacity == {"voice": 1, "chat": 3, "async": 5}
    assert agent.languages == ["en"]
    skills = dict((await session.execute(select(AgentSkill.skill, AgentSkill.level))).all())
    assert skills == {"pothole": 2}
    assert await _audit(session, "agent.update") == []


async def test_a_supervisor_sets_an_agent_who_left_away_or_offline_but_never_available(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session)
    ana = await create_agent(session, email="ana@city.example", agencies=[works], presence="available")
    sue = await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await session.commit()
    await sign_in_staff(client, "sue@city.example")

    response = await client.post(f"/desk/agents/{ana.id}/presence", data={"presence": "away"})
    assert (response.status_code, response.headers["location"]) == (303, f"/desk/agents/{ana.id}?notice=away")
    assert (await _fresh_agent(session, ana.id)).presence is Presence.away
    item = await items.create(session, channel="sms", kind="message", agency_id=works.id, received_at=utcnow())
    await session.commit()
    assert (await engine.route(session)).offered == []  # away: offered nothing
    await session.commit()
    assert item.status is WorkItemStatus.queued

    refused = await client.post(f"/desk/agents/{ana.id}/presence", data={"presence": "available"})
    assert refused.status_code == 422
    assert "only the agent makes themselves Available" in refused.text
    assert (await _fresh_agent(session, ana.id)).presence is Presence.away

    assert (await client.post(f"/desk/agents/{ana.id}/presence", data={"presence": "offline"})).status_code == 303
    assert (await _fresh_agent(session, ana.id)).presence is Presence.offline
    assert await _audit(session, "agent.presence") == [
        {"actor": str(sue.id), "subject": str(ana.id), "presence": "away"},
        {"actor": str(sue.id), "subject": str(ana.id), "presence": "offline"},
    ]


async def _list_statements(client: httpx.AsyncClient, runtime: Runtime) -> tuple[int, str]:
    remembered.forget()  # counted cold: the city's time zone is remembered for a few seconds
    with record_statements(runtime.db.engine) as statements:
        page = await client.get("/desk/agents")
    assert page.status_code == 200, page.text
    return len(statements.queries), page.text


async def _agents_with_work(session: AsyncSession, agency: Agency, first: int, last: int) -> None:
    team = Team(agency_id=agency.id, slug=f"team-{first}", name=f"Team {first}")
    session.add(team)
    await session.flush()
    for n in range(first, last):
        agent = await create_agent(session, email=f"agent{n:02d}@city.example", agencies=[agency], skills={"s": 2})
        session.add(TeamMember(team_id=team.id, staff_id=agent.id))
        held = WorkItem(
            channel="chat",
            capacity_class=CapacityClass.chat,
            kind="message",
            agency_id=agency.id,
            status=WorkItemStatus.assigned,
            assigned_to_id=agent.id,
        )
        session.add(held)
    await session.flush()


async def test_the_list_reads_a_fixed_number_of_queries_for_3_or_30_agents(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    works = await create_agency(session)
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await _agents_with_work(session, works, 0, 3)
    await session.commit()
    await sign_in_staff(client, "sue@city.example")
    await client.get("/desk/agents")  # warm caches (compiled statements, pools)

    few, html = await _list_statements(client, runtime)
    assert html.count('<td data-col="chat">1 of 3</td>') == 3
    await _agents_with_work(session, works, 3, 30)
    await session.commit()
    many, html = await _list_statements(client, runtime)
    assert html.count('<td data-col="chat">1 of 3</td>') == 30
    assert html.count("Team 3") == 27
    assert (few, many) == (LIST_PAGE_STATEMENTS, LIST_PAGE_STATEMENTS)


async def test_the_agents_pages_in_chromium_keyboard_first_with_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> uuid.UUID:
        async with live_app.runtime.db.session() as s:
            works = await create_agency(s)
            await create_service(s, agency=works, code="POTHOLE")
            ana = await create_agent(s, email="ana@city.example", agencies=[works], skills={"pothole": 3})
            s.add(Team(agency_id=works.id, slug="roads", name="Roads"))
            await create_staff(s, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
            await s.commit()
            return ana.id

    ana_id = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "sue@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/agents")
    assert await axe_violations(page) == []

    await page.goto(f"{live_app.url}/desk/agents/{ana_id}")
    assert await axe_violations(page) == []
    await page.focus("#capacity-chat")
    await page.keyboard.press("Control+a")
    await page.keyboard.type("4")
    await page.focus("#language-fr")
    await page.keyboard.press("Space")
    await page.focus("#skill-1")
    await page.keyboard.type("roads")
    await page.keyboard.press("Tab")
    await page.keyboard.press("End")  # level 5
    await page.focus("#wrap-up")
    await page.keyboard.press("Enter")  # submits the profile form
    await page.wait_for_url(f"{live_app.url}/desk/agents/{ana_id}?notice=saved")
    assert await page.inner_text(".notice") == "Saved."
    assert await page.input_value("#capacity-chat") == "4"
    assert await page.is_checked("#language-fr")
    assert await axe_violations(page) == []

    await page.fill("#other-languages", "klingon!")
    await page.click("text=Save profile")
    assert "Type other languages as codes" in await page.inner_text(".error-summary")
    assert await axe_violations(page) == []

    phone = await browser.new_page(viewport={"width": 320, "height": 640})
    await share_cookies(page.context, phone.context)
    await phone.goto(f"{live_app.url}/desk/agents/{ana_id}")
    assert await axe_violations(phone) == []
