"""The contact-centre administration pages over HTTP: who may reach them, adding and changing queues, SLA targets,
office hours and holidays, teams, wrap-up codes and skills with plain forms that post and redirect, every refusal
named beside its field (and nothing saved), the agency administrator kept to its own agencies, the audit rows, and
the pages in French."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_agent, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.clock import utcnow
from townsquare.routing import setup
from townsquare.routing.models import BusinessCalendar, Holiday, Queue, Skill, SlaTarget, Team, TeamMember, WrapUpCode
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole
from townsquare.web.i18n import LANGUAGE_COOKIE

WEEKDAY_HOURS = {f"open-{d}-0": "08:30" for d in range(5)} | {f"close-{d}-0": "16:30" for d in range(5)}


async def _city(session: AsyncSession) -> tuple[Agency, Agency]:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_service(session, agency=roads, code="POTHOLE")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="boss@city.example", role=StaffRole.agency_admin, agencies=[roads])
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[roads])
    await create_agent(session, email="ana@city.example", agencies=[roads], skills={"accessibility": 3})
    await session.commit()
    return roads, parks


async def _calendar(session: AsyncSession, agency: Agency, name: str = "Main office") -> BusinessCalendar:
    calendar, _ = await setup.put_calendar(
        session, agency_id=agency.id, name=name, timezone="America/Toronto", hours={"0": [["08:30", "16:30"]]},
        holidays=[],
    )  # fmt: skip
    await session.commit()
    return calendar


def _errors(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert 'class="error-summary"' in response.text
    return response.text


async def _audits(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_only_administrators_reach_the_pages_others_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _city(session)
    pages = ["/desk/admin/queues", "/desk/admin/sla", "/desk/admin/hours", "/desk/admin/teams"]
    pages += ["/desk/admin/wrap-up-codes", "/desk/admin/skills", "/desk/audit"]
    visitor = await client.get(pages[0])
    assert visitor.status_code == 303
    assert "/desk/sign-in" in visitor.headers["location"]
    for email in ("ana@city.example", "sue@city.example"):
        await sign_in_staff(client, email)
        for path in pages:
            assert (await client.get(path)).status_code == 403, path
    for email in ("root@city.example", "boss@city.example"):
        await sign_in_staff(client, email)
        for path in pages:
            assert (await client.get(path)).status_code == 200, path


async def test_a_queue_is_added_with_hours_and_someone_to_serve_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads, _ = await _city(session)
    calendar = await _calendar(session, roads)
    await sign_in_staff(client, "boss@city.example")
    form: dict[str, Any] = {
        "agency_id": str(roads.id),
        "name": "Accessible roads",
        "name_fr": "Routes accessibles",
        "channels": ["voice", "email"],
        "service_codes": ["POTHOLE"],
        "skill-0": "accessibility",
        "level-0": "2",
        "priority_boost": "10",
        "calendar_id": str(calendar.id),
        "active": "1",
    }
    assert "Accessible" not in (await client.get("/desk/admin/queues/new")).text
    created = await client.post("/desk/admin/queues/new", data=form)
    assert (created.status_code, created.headers["location"]) == (303, "/desk/admin/queues?notice=created")
    await session.commit()
    queue = await session.scalar(select(Queue).where(Queue.name == "Accessible roads"))
    assert queue is not None
    assert (queue.name_fr, sorted(queue.channels), queue.service_codes) == (
        "Routes accessibles",
        ["email", "voice"],
        ["POTHOLE"],
    )
    assert (queue.required_skills, queue.priority_boost, queue.calendar_id) == ({"accessibility": 2}, 10, calendar.id)
    listed = (await client.get("/desk/admin/queues?notice=created")).text
    assert "Accessible roads" in listed
    assert "Added." in listed
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    assert "Routes accessibles" in (await client.get("/desk/admin/queues")).text
    [audit] = await _audits(session, "queue.create")
    assert audit.detail["before"] is None
    assert audit.detail["after"]["name"] == "Accessible roads"
    assert audit.agency_id == roads.id
    assert audit.subject_id == str(queue.id)


async def test_a_queue_with_no_hours_or_nobody_to_serve_it_is_refused_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads, _ = await _city(session)
    calendar = await _calendar(session, roads)
    await sign_in_staff(client, "root@city.example")
    base = {"agency_id": str(roads.id), "name": "Queue", "priority_boost": "0", "active": "1"}
    no_hours = _errors(await client.post("/desk/admin/queues/new", data=base))
    assert 'href="#field-calendar_id"' in no_hours
    assert "An active queue needs office hours" in no_hours
    nobody = base | {"calendar_id": str(calendar.id), "skill-0": "accessibility", "level-0": "5"}
    refused = _errors(await client.post("/desk/admin/queues/new", data=nobody))
    assert 'href="#field-skills"' in refused
    assert "nobody could serve" in refused
    team = Team(agency_id=roads.id, slug="night", name="Night shift")
    session.add(team)
    await session.commit()
    in_team = base | {"calendar_id": str(calendar.id), "team_id": str(team.id)}
    assert "No active agent of the chosen team" in _errors(await client.post("/desk/admin/queues/new", data=in_team))
    await session.commit()
    assert await count(session, Queue) == 0
    inactive = base | {"active": ""}  # an inactive queue may wait for its hours and agents
    assert (await client.post("/desk/admin/queues/new", data=inactive)).status_code == 303
    await session.commit()
    queue = await session.scalar(select(Queue))
    assert queue is not None
    assert not queue.active
    kept_active = _errors(await client.post(f"/desk/admin/queues/{queue.id}", data=base))
    assert "An active queue needs office hours" in kept_active


async def test_an_agency_administrator_reaches_only_its_own_agencys_records(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _roads, parks = await _city(session)
    theirs = await _calendar(session, parks, "Parks office")
    queue, _ = await setup.put_queue(session, agency_id=parks.id, slug="parks", name="Parks", active=False)
    team, _ = await setup.put_team(session, agency_id=parks.id, slug="crew", name="Crew")
    await setup.put_wrap_up_code(session, agency_id=parks.id, code="done", label="Done")
    await session.commit()
    wrap = await session.scalar(select(WrapUpCode))
    skill = Skill(agency_id=parks.id, code="trees", label="Trees")
    everyone = Skill(agency_id=None, code="french", label="French")
    target = SlaTarget(agency_id=parks.id, channel="email", first_response_seconds=3600)
    session.add_all([skill, everyone, target])
    await session.commit()
    assert wrap is not None
    await sign_in_staff(client, "boss@city.example")
    paths = [
        f"/desk/admin/queues/{queue.id}",
        f"/desk/admin/sla/{target.id}",
        f"/desk/admin/hours/{theirs.id}",
        f"/desk/admin/teams/{team.id}",
        f"/desk/admin/wrap-up-codes/{wrap.id}",
        f"/desk/admin/skills/{skill.id}",
        f"/desk/admin/skills/{everyone.id}",  # every agency's: administrators only
    ]
    for path in paths:
        assert (await client.get(path)).status_code == 404, path
        assert (await client.post(path, data={"name": "x"})).status_code == 404, path
    assert (await client.post(f"/desk/admin/hours/{theirs.id}/holidays", data={})).status_code == 404
    listed = (await client.get("/desk/admin/hours")).text
    assert "Parks office" not in listed
    refused = await client.post(
        "/desk/admin/wrap-up-codes/new", data={"agency_id": str(parks.id), "code": "x", "label": "X", "active": "1"}
    )
    assert 'href="#field-agency_id"' in _errors(refused)
    await sign_in_staff(client, "root@city.example")
    for path in paths:
        assert (await client.get(path)).status_code == 200, path


async def test_sla_targets_refuse_zero_absurd_and_duplicates(client: httpx.AsyncClient, session: AsyncSession) -> None:
    roads, _ = await _city(session)
    await sign_in_staff(client, "root@city.example")
    base = {"agency_id": str(roads.id), "channel": "email", "service_code": "POTHOLE", "goal_percent": "80"}
    for amount, unit, said in [("0", "hours", "more than zero"), ("-2", "days", "more than zero"),
                               ("400", "days", "at most a year"), ("soon", "hours", "whole number")]:  # fmt: skip
        refused = _errors(await client.post("/desk/admin/sla/new", data=base | {"amount": amount, "unit": unit}))
        assert 'href="#field-amount"' in refused
        assert said in refused
    ok = await client.post("/desk/admin/sla/new", data=base | {"amount": "2", "unit": "days", "active": "1"})
    assert ok.status_code == 303
    await session.commit()
    target = await session.scalar(select(SlaTarget))
    assert target is not None
    assert target.first_response_seconds == 2 * 86400
    assert target.active
    again = _errors(await client.post("/desk/admin/sla/new", data=base | {"amount": "4", "unit": "hours"}))
    assert "already has a target for this service and channel" in again
    await session.commit()
    assert await count(session, SlaTarget) == 1
    page = (await client.get(f"/desk/admin/sla/{target.id}")).text
    assert 'value="2"' in page
    assert '<option value="days" selected>' in page
    off = await client.post(f"/desk/admin/sla/{target.id}", data=base | {"amount": "90", "unit": "minutes"})
    assert off.status_code == 303
    await session.commit()
    await session.refresh(target)
    assert (target.first_response_seconds, target.active) == (5400, False)
    [audit] = await _audits(session, "sla_target.update")
    assert audit.detail["before"]["first_response_seconds"] == 172800
    assert audit.detail["after"]["active"] is False


async def test_office_hours_holidays_and_the_next_seven_days(client: httpx.AsyncClient, session: AsyncSession) -> None:
    roads, _ = await _city(session)
    await sign_in_staff(client, "boss@city.example")
    base = {"agency_id": str(roads.id), "name": "City Hall", "timezone": "America/Toronto", "active": "1"}
    bad_zone = _errors(await client.post("/desk/admin/hours/new", data=base | {"timezone": "Mars/Olympus"}))
    assert 'href="#field-timezone"' in bad_zone
    reversed_ = base | {"open-0-0": "16:30", "close-0-0": "08:30"}
    assert 'href="#field-hours-0"' in _errors(await client.post("/desk/admin/hours/new", data=reversed_))
    overlap = base | {"open-1-0": "08:00", "close-1-0": "12:00", "open-1-1": "11:00", "close-1-1": "15:00"}
    assert "must not overlap" in _errors(await client.post("/desk/admin/hours/new", data=overlap))
    await session.commit()
    assert await count(session, BusinessCalendar) == 0
    created = await client.post("/desk/admin/hours/new", data=base | WEEKDAY_HOURS)
    assert created.status_code == 303
    await session.commit()
    calendar = await session.scalar(select(BusinessCalendar))
    assert calendar is not None
    assert calendar.hours["0"] == [["08:30", "16:30"]]
    assert "5" not in calendar.hours
    page = (await client.get(created.headers["location"])).text
    assert "open 08:30\u201316:30" in page
    assert "closed" in page
    today = utcnow().date()
    holiday = {"holiday_day": today.isoformat(), "holiday_name": "Founders' Day"}
    assert (await client.post(f"/desk/admin/hours/{calendar.id}/holidays", data=holiday)).status_code == 303
    again = _errors(await client.post(f"/desk/admin/hours/{calendar.id}/holidays", data=holiday))
    assert 'href="#field-holiday_day"' in again
    assert "already a holiday" in again
    assert "closed (Founders&#39; Day)" in (await client.get(f"/desk/admin/hours/{calendar.id}")).text
    removed = await client.post(f"/desk/admin/hours/{calendar.id}/holidays/remove", data={"day": today.isoformat()})
    assert removed.status_code == 303
    await session.commit()
    assert await count(session, Holiday) == 0
    actions = [a.action for a in await _audits(session, "holiday.add") + await _audits(session, "holiday.remove")]
    assert actions == ["holiday.add", "holiday.remove"]
    _queue, _ = await setup.put_queue(session, agency_id=roads.id, slug="q", name="Front desk", calendar_id=calendar.id)
    await session.commit()
    kept = _errors(await client.post(f"/desk/admin/hours/{calendar.id}", data=base | WEEKDAY_HOURS | {"active": ""}))
    assert 'href="#field-active"' in kept
    assert "Front desk" in kept


async def test_teams_members_and_deactivation_refused_while_a_queue_uses_the_team(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads, parks = await _city(session)
    outsider = await create_staff(session, email="pat@city.example", agencies=[parks])
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    page = (await client.get("/desk/admin/teams/new")).text
    assert "Ana" in page
    await session.commit()
    ana_id = await session.scalar(select(StaffAccount.id).where(StaffAccount.email == "ana@city.example"))
    base = {"agency_id": str(roads.id), "name": "Night shift", "active": "1"}
    wrong = _errors(await client.post("/desk/admin/teams/new", data=base | {"members": [str(outsider.id)]}))
    assert 'href="#field-members"' in wrong
    assert (await client.post("/desk/admin/teams/new", data=base | {"members": [str(ana_id)]})).status_code == 303
    await session.commit()
    team = await session.scalar(select(Team))
    assert team is not None
    assert team.slug == "night-shift"
    assert await session.scalar(select(TeamMember.staff_id).where(TeamMember.team_id == team.id)) == ana_id
    await setup.put_queue(session, agency_id=roads.id, slug="night", name="Night calls", team_id=team.id)
    await session.commit()
    refused = _errors(await client.post(f"/desk/admin/teams/{team.id}", data=base | {"active": ""}))
    assert 'href="#field-active"' in refused
    assert "Night calls" in refused
    await session.commit()
    await session.refresh(team)
    assert team.active


async def test_wrap_up_codes_and_skills_with_french_labels(client: httpx.AsyncClient, session: AsyncSession) -> None:
    roads, _ = await _city(session)
    await sign_in_staff(client, "boss@city.example")
    code = {"agency_id": str(roads.id), "code": "resolved", "label": "Resolved", "label_fr": "Résolu", "active": "1"}
    assert (await client.post("/desk/admin/wrap-up-codes/new", data=code)).status_code == 303
    twice = _errors(await client.post("/desk/admin/wrap-up-codes/new", data=code))
    assert 'href="#field-code"' in twice
    assert "Résolu" in (await client.get("/desk/admin/wrap-up-codes")).text
    skills = (await client.get("/desk/admin/skills")).text
    assert "accessibility" in skills
    assert "/desk/admin/skills/new?code=accessibility" in skills
    every = {"agency_id": "", "code": "sign-language", "label": "Sign language", "active": "1"}
    assert 'href="#field-agency_id"' in _errors(await client.post("/desk/admin/skills/new", data=every))
    own = every | {"agency_id": str(roads.id), "code": "accessibility", "label": "Accessibility"}
    assert (await client.post("/desk/admin/skills/new", data=own)).status_code == 303
    assert "/desk/admin/skills/new?code=accessibility" not in (await client.get("/desk/admin/skills")).text
    assert "Accessibility" in (await client.get("/desk/admin/queues/new")).text
    bad = own | {"code": "Not A Code"}
    assert 'href="#field-code"' in _errors(await client.post("/desk/admin/skills/new", data=bad))
    [audit] = await _audits(session, "skill.create")
    assert audit.detail["after"]["code"] == "accessibility"
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    for path in ("/desk/admin/skills", "/desk/admin/wrap-up-codes", "/desk/admin/queues/new", "/desk/admin/hours/new"):
        assert (await client.get(path)).status_code == 200
