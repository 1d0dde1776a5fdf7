"""The desk's case list over HTTP: search by reference, person and words; filters; orders and pages; agency scope;
saved views; bulk actions, all or nothing, with an audit row per case; a constant number of queries a page."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases import workflow
from townsquare.cases.models import Case, CaseStatus
from townsquare.clock import replaying
from townsquare.db import remembered
from townsquare.routing.models import Team, TeamMember
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Toronto


@dataclass
class City:
    roads: uuid.UUID
    parks: uuid.UUID
    pothole: uuid.UUID
    team: uuid.UUID
    refs: dict[str, str]


async def _city(session: AsyncSession) -> City:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    pothole = await create_service(session, agency=roads, code="POTHOLE", name="Report a pothole", sla_target_hours=48)
    bench = await create_service(session, agency=parks, code="BENCH", name="Broken bench", sla_target_hours=240)
    ana = await create_citizen(session, name="Ana Tremblay", phone="+16135550101", email="ana@example.org")
    ben = await create_citizen(session, name="Ben Okafor")
    await create_staff(session, email="sup@city.example", role=StaffRole.supervisor, agencies=[roads])
    await create_staff(session, email="ida@city.example", agencies=[roads])
    await create_staff(session, email="pat@city.example", agencies=[parks])
    team = Team(agency_id=roads.id, slug="crew-north", name="North crew")
    session.add(team)
    await session.flush()
    refs: dict[str, str] = {}
    plan = [  # name, opened (days before NOW), agency, service, person, title, zipcode
        ("old_pothole", 9, roads, pothole, ana, "Deep pothole on Bank Street", "K1S 3W7"),
        ("this_week", 1, roads, pothole, ben, "Pothole by the school", "K2P 1A1"),
        ("fresh", 0, roads, None, ana, "Streetlight flickering", "K1S 5B6"),
        ("parks", 2, parks, bench, ana, "Bench split in two", "K1S 2C2"),
    ]
    for name, days, agency, service, person, title, zipcode in plan:
        with replaying(NOW - timedelta(days=days, hours=1)):
            case = await cases.open_case(
                session, prefix="TS", agency_id=agency.id, title=title, channel="sms" if days else "voice",
                service_id=service.id if service else None, citizen_id=person.id,
                sla_target_hours=service.sla_target_hours if service else None, location={"zipcode": zipcode},
            )  # fmt: skip
        refs[name] = case.reference
    await session.commit()
    return City(roads.id, parks.id, pothole.id, team.id, refs)


def _listed(html: str) -> list[str]:
    return re.findall(r'name="case" value="([^"]+)"', html)


async def _list(client: httpx.AsyncClient, query: str = "") -> tuple[int, str]:
    with replaying(NOW):
        response = await client.get(f"/desk/cases?{query}")
    return response.status_code, response.text


async def test_a_supervisor_finds_cases_by_reference_person_and_words_within_the_agency(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "sup@city.example")
    status, html = await _list(client)
    assert status == 200
    assert set(_listed(html)) == {city.refs["old_pothole"], city.refs["this_week"], city.refs["fresh"]}  # not parks
    assert _listed((await _list(client, f"q={city.refs['this_week'].lower()}"))[1]) == [city.refs["this_week"]]
    by_phone = _listed((await _list(client, "q=613-555-0101"))[1])
    assert set(by_phone) == {city.refs["old_pothole"], city.refs["fresh"]}  # Ana's parks case is another agency's
    assert set(_listed((await _list(client, "q=okafor"))[1])) == {city.refs["this_week"]}
    assert set(_listed((await _list(client, "q=pothole"))[1])) == {city.refs["old_pothole"], city.refs["this_week"]}
    assert _listed((await _list(client, f"q={city.refs['parks']}"))[1]) == []  # another agency's answers as none
    assert _listed((await _list(client, f"agency={city.parks}"))[1]) == []


async def test_filters_narrow_and_combine(client: httpx.AsyncClient, session: AsyncSession) -> None:
    city = await _city(session)
    await sign_in_staff(client, "sup@city.example")
    overdue = _listed((await _list(client, "sla=overdue"))[1])
    assert overdue == [city.refs["old_pothole"]]  # opened nine days ago with a 48-hour target
    assert _listed((await _list(client, "sla=no_target"))[1]) == [city.refs["fresh"]]
    week = _listed((await _list(client, "period=week"))[1])
    assert set(week) == {city.refs["this_week"], city.refs["fresh"]}  # since Monday
    assert _listed((await _list(client, "period=week&channel=voice"))[1]) == [city.refs["fresh"]]
    assert set(_listed((await _list(client, "area=k1s"))[1])) == {city.refs["old_pothole"], city.refs["fresh"]}
    assert _listed((await _list(client, f"service={city.pothole}&period=week"))[1]) == [city.refs["this_week"]]
    assert _listed((await _list(client, "from=2026-11-17&to=2026-11-17"))[1]) == [city.refs["this_week"]]
    assert _listed((await _list(client, "status=resolved"))[1]) == []
    oldest = _listed((await _list(client, "sort=oldest"))[1])
    assert oldest == [city.refs["old_pothole"], city.refs["this_week"], city.refs["fresh"]]
    assert _listed((await _list(client, "sort=due"))[1]) == [city.refs["old_pothole"], city.refs["this_week"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=done", "status"), ("agency=nope", "agency"), ("from=17-11-2026", "from"), ("sla=late", "sla"),
     ("from=2026-11-18&to=2026-11-01", "to"), ("assignee=someone", "assignee"), ("after=garbage", "after")],
)  # fmt: skip
async def test_a_bad_filter_is_refused_by_name(
    client: httpx.AsyncClient, session: AsyncSession, query: str, field: str
) -> None:
    await _city(session)
    await sign_in_staff(client, "sup@city.example")
    status, html = await _list(client, query)
    assert status == 422
    assert f'href="#f-{field}"' in html


async def test_pages_follow_each_other_without_gaps_or_repeats(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    roads = await create_agency(session, slug="roads", name="Roads")
    await create_staff(session, email="sup@city.example", role=StaffRole.supervisor, agencies=[roads])
    made = []
    for n in range(120):
        with replaying(NOW - timedelta(minutes=n // 3)):  # three cases share each minute: ties broken by id
            made.append(
                await cases.open_case(session, prefix="TS", agency_id=roads.id, title=f"Case {n}", channel="web")
            )
    await session.commit()
    await sign_in_staff(client, "sup@city.example")
    seen: list[str] = []
    query = ""
    for _ in range(5):
        status, html = await _list(client, query)
        assert status == 200
        seen += _listed(html)
        following = re.search(r'href="/desk/cases\?(after=[^"]+)" rel="next"', html)
        if not following:
            break
        query = following.group(1)
    assert len(seen) == 120
    assert len(set(seen)) == 120
    assert "120 cases" in (await _list(client))[1]


async def test_a_page_costs_the_same_queries_for_few_cases_or_many(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "sup@city.example")
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        remembered.forget()  # each page counted cold: the city's time zone is remembered for a few seconds
        await _list(client, "q=pothole")
        few = len(statements)
        roads = await session.get_one(Agency, city.roads)
        for n in range(40):
            person = await create_citizen(session, name=f"Person {n}")
            await cases.open_case(
                session, prefix="TS", agency_id=roads.id, title=f"Pothole {n}", channel="web", citizen_id=person.id,
                service_id=city.pothole,
            )  # fmt: skip
        await session.commit()
        statements.clear()
        remembered.forget()
        _, html = await _list(client, "q=pothole")
        assert len(_listed(html)) == 42
        assert len(statements) == few
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_every_case_shown_is_on_the_access_log(client: httpx.AsyncClient, session: AsyncSession) -> None:
    city = await _city(session)
    await sign_in_staff(client, "sup@city.example")
    await _list(client, "q=pothole")
    await session.commit()  # a new transaction: what the app committed since
    session.expire_all()
    rows = (await session.execute(select(AuditEntry).where(AuditEntry.action == "case.list"))).scalars().all()
    ids = {r.subject_id for r in rows}
    shown = (await session.execute(select(Case.id).where(Case.reference.in_(
        [city.refs["old_pothole"], city.refs["this_week"]])))).scalars().all()  # fmt: skip
    assert ids == {str(i) for i in shown}
    assert all(r.purpose == "GET /desk/cases" for r in rows)


async def test_bulk_assign_to_a_team_and_change_status_with_an_audit_row_each(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    await sign_in_staff(client, "sup@city.example")
    chosen = [city.refs["old_pothole"], city.refs["this_week"]]
    with replaying(NOW):
        done = await client.post(
            "/desk/cases/bulk",
            data={"case": chosen, "action": "assign", "assignee": f"team:{city.team}", "back": "sla=overdue"},
        )
    assert done.status_code == 303
    assert done.headers["location"] == "/desk/cases?sla=overdue&notice=bulk&done=2"
    await session.commit()  # a new transaction: what the app committed since
    session.expire_all()
    held = (await session.execute(select(Case).where(Case.reference.in_(chosen)))).scalars().all()
    assert {c.assigned_team_id for c in held} == {city.team}
    audits = (await session.execute(select(AuditEntry).where(AuditEntry.action == "case.assign_team"))).scalars()
    assert {a.subject_id for a in audits} == {str(c.id) for c in held}
    _, html = await _list(client, f"assignee=team:{city.team}")
    assert set(_listed(html)) == set(chosen)
    assert "North crew" in html

    with replaying(NOW):
        moved = await client.post(
            "/desk/cases/bulk", data={"case": chosen, "action": "status", "status": "in_progress", "note": "On it"}
        )
    assert moved.status_code == 303
    await session.commit()  # a new transaction: what the app committed since
    session.expire_all()
    statuses = (await session.execute(select(Case.status).where(Case.reference.in_(chosen)))).scalars().all()
    assert set(statuses) == {CaseStatus.in_progress}
    assert len((await session.execute(select(AuditEntry).where(AuditEntry.action == "case.status"))).all()) == 2


async def test_a_bulk_action_one_case_cannot_take_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    with replaying(NOW):
        case = (await session.execute(select(Case).where(Case.reference == city.refs["this_week"]))).scalar_one()
        await workflow.change_status(session, case=case, status=CaseStatus.resolved, note="Filled")
    await session.commit()
    await sign_in_staff(client, "sup@city.example")
    chosen = [city.refs["old_pothole"], city.refs["this_week"]]
    with replaying(NOW):
        refused = await client.post("/desk/cases/bulk", data={"case": chosen, "action": "status", "status": "resolved"})
    assert refused.status_code in (409, 422)
    assert city.refs["this_week"] in refused.text
    assert "Nothing was changed" in refused.text
    await session.commit()  # a new transaction: what the app committed since
    session.expire_all()
    old = (await session.execute(select(Case).where(Case.reference == city.refs["old_pothole"]))).scalar_one()
    assert old.status is CaseStatus.new
    other = await client.post("/desk/cases/bulk", data={"case": [city.refs["parks"]], "action": "assign"})
    assert other.status_code == 422  # another agency's case is not one the supervisor may name


async def test_a_view_saved_for_a_team_is_seen_by_its_members_and_removed_by_its_owner(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    city = await _city(session)
    people = {a.email: a.id for a in (await session.execute(select(StaffAccount))).scalars()}
    session.add_all([TeamMember(team_id=city.team, staff_id=people["sup@city.example"]),
                     TeamMember(team_id=city.team, staff_id=people["ida@city.example"])])  # fmt: skip
    await session.commit()
    await sign_in_staff(client, "sup@city.example")
    query = f"sla=overdue&agency={city.roads}&period=week"
    saved = await client.post(
        "/desk/cases/views", data={"name": "Overdue roads this week", "query": query, "team": str(city.team)}
    )
    assert saved.status_code == 303
    await sign_in_staff(client, "ida@city.example")
    _, html = await _list(client)
    assert "Overdue roads this week" in html
    assert "shared with North crew" in html
    view_id = re.search(r'action="/desk/cases/views/([0-9a-f-]+)/delete"', html)
    assert view_id is None  # Ida may use it, not remove it
    await sign_in_staff(client, "pat@city.example")
    assert "Overdue roads this week" not in (await _list(client))[1]
    await sign_in_staff(client, "sup@city.example")
    _, html = await _list(client)
    found = re.search(r'action="/desk/cases/views/([0-9a-f-]+)/delete"', html)
    assert found
    bad = await client.post("/desk/cases/views", data={"name": "", "query": query})
    assert bad.status_code == 422
    gone = await client.post(f"/desk/cases/views/{found.group(1)}/delete")
    assert gone.status_code == 303
    assert "Overdue roads this week" not in (await _list(client))[1]
