"""The demo city's map side: an address register, Open311 services with notices, a demo integrator key, and
recent reports, two pairs of them flagged as likely duplicates and some fixed with a public note."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from townsquare.agencies.models import Service
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, Open311Submission
from townsquare.demo.addresses import CENTRE, address_points
from townsquare.demo.reports import DEMO_APP_NAME, DEMO_OPEN311_KEY, REPORTS, open311_instructions
from townsquare.demo.seed import seed
from townsquare.places import service as places
from townsquare.places.models import Place
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope

STREET_REPORTS = {"POTHOLE", "STREETLIGHT", "GARBAGE-MISSED", "GRAFFITI", "TREE"}


def _point(case: Case) -> tuple[float, float]:
    """Where the case was reported, which every demo report has."""
    assert case.lat is not None
    assert case.long is not None
    return case.lat, case.long


def test_the_register_is_a_few_hundred_distinct_points_around_the_map_centre() -> None:
    points = address_points()
    assert points == address_points()  # the same every time
    assert 250 <= len(points) <= 600
    assert len({p.address_id for p in points}) == len(points)
    assert len({places.normalise(p.address) for p in points}) == len(points)
    assert all(re.fullmatch(r"M\d[A-Z] \d[A-Z]\d", p.zipcode) for p in points)
    assert max(places.distance_m(CENTRE, (p.lat, p.long)) for p in points) < 1_500
    registered = {p.address for p in points}
    assert {r.address for r in REPORTS} <= registered


def test_the_demo_prints_the_open311_key_with_an_example() -> None:
    text = "\n".join(open311_instructions("http://127.0.0.1:8000"))
    assert DEMO_OPEN311_KEY in text
    assert "curl -X POST http://127.0.0.1:8000/open311/v2/requests.json" in text
    assert "http://127.0.0.1:8000/open311/discovery.json" in text


async def test_the_demo_city_has_open311_reports_on_its_register(runtime: Runtime) -> None:
    await seed(runtime.db, citizens=15)
    async with runtime.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Place))).scalar_one() == len(address_points())
        found = await places.match(s, text="130 Queen St. W, Toronto")
        assert found is not None
        assert found.address == "130 Queen Street West"

        services = list((await s.execute(select(Service).where(Service.open311.is_(True)))).scalars())
        assert {svc.code for svc in services} == STREET_REPORTS
        assert all(svc.notice and svc.translations["fr"]["notice"] for svc in services)
        assert (await s.execute(select(func.count()).select_from(Service).where(Service.open311.is_(False)))).scalar()

        key = await staff.api_key_for(s, key=DEMO_OPEN311_KEY)
        assert key is not None
        assert (key.scope, key.name, key.revoked_at) == (ApiKeyScope.open311, DEMO_APP_NAME, None)
        assert key.contact

        by_text = {c.description: c for c in (await s.execute(select(Case))).scalars()}
        reports = {r: by_text[r.description] for r in REPORTS}
        assert all(c.lat and c.long and c.address_string and c.zipcode for c in reports.values())
        assert all(c.service_id in {svc.id for svc in services} for c in reports.values())
        submitted = (await s.execute(select(Open311Submission))).scalars().all()
        assert {sub.case_id for sub in submitted} == {c.id for r, c in reports.items() if r.channel.value == "api"}
        assert {sub.api_key_id for sub in submitted} == {key.id}

        pairs = [(first, second) for second in REPORTS if second.shift_m for first in REPORTS if not first.shift_m]
        pairs = [(a, b) for a, b in pairs if (a.code, a.address) == (b.code, b.address)]
        assert len(pairs) == 2
        for first, second in pairs:
            older, newer = reports[first], reports[second]
            assert places.distance_m(_point(older), _point(newer)) < 30
            linked = {other.id: row for row, other in await cases.likely_duplicates_of(s, case_id=newer.id)}
            assert older.id in linked
            assert linked[older.id].detail["distance_m"] < 30

        fixed = {r: c for r, c in reports.items() if r.steps}
        notes = await cases.latest_public_notes(s, case_ids=[c.id for c in fixed.values()])
        for report, case in fixed.items():
            status, note, _ = report.steps[-1]
            assert case.status is status
            assert notes[case.id] == note
        assert any(c.status is CaseStatus.resolved for c in fixed.values())
        assert any(c.status in cases.OPEN_STATUSES for c in reports.values())
