"""The public list of reports: the cases of active Open311 services only, newest first across services, filtered
and paged exactly as a walk of every case by date would — whether the services are merged index by index or read
by date with a filter (more than MERGE_MAX offered)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from townsquare.agencies.models import Service
from townsquare.cases import public_list as listing
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus, CaseUpdate
from townsquare.cases.workflow import OPEN_STATUSES
from townsquare.clock import utcnow
from townsquare.db import remembered

STATUSES = [CaseStatus.new, CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.closed]


async def _city(session: AsyncSession) -> tuple[list[Case], dict[str, Service]]:
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    services = {
        "POTHOLE": await create_service(session, agency=works, open311=True, notice="Two working days."),
        "GRAFFITI": await create_service(session, agency=works, code="GRAFFITI", name="Graffiti", open311=True),
        "TREE": await create_service(session, agency=parks, code="TREE", name="Fallen tree", open311=True),
        "OLD": await create_service(session, agency=works, code="OLD", name="Retired", open311=True),
        "BENEFIT": await create_service(session, agency=works, code="BENEFIT", name="Apply for a benefit"),
    }
    services["OLD"].active = False
    draw = random.Random(311)
    start = utcnow() - timedelta(days=30)
    made = []
    for n in range(60):
        service = services["POTHOLE"] if n in (3, 4, 5) else draw.choice(list(services.values()))
        case = await cases.open_case(
            session, prefix="TS", agency_id=service.agency_id, title=service.name, channel="api", service_id=service.id
        )
        # times interleave across services, and some cases share one (the id breaks the tie)
        case.created_at = start + timedelta(hours=draw.randrange(0, 600, 7))
        case.status = draw.choice(STATUSES)
        made.append(case)
    made[3].merged_into_id = made[4].id
    for n, note in enumerate(["Seen", "Crew booked", "Filled"]):
        session.add(
            CaseUpdate(
                case_id=made[5].id,
                status=CaseStatus.in_progress,
                note=note,
                source="staff",
                created_at=start + timedelta(days=n),
            )
        )
    await session.commit()
    remembered.forget()
    return made, services


def _expected(
    made: list[Case],
    services: dict[str, Service],
    *,
    codes: set[str] | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[str]:
    shown = {s.id for code, s in services.items() if s.open311 and s.active and (codes is None or code in codes)}
    found = [
        c
        for c in made
        if c.service_id in shown
        and (since is None or c.created_at >= since)
        and (until is None or c.created_at <= until)
        and (status is None or (c.status in OPEN_STATUSES) == (status == "open"))
    ]
    found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
    return [c.reference for c in found[offset : offset + limit]]


@pytest.mark.parametrize("merge_max", [listing.MERGE_MAX, 1])
async def test_the_list_is_a_walk_by_date_of_the_offered_services_filtered_and_paged(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch, merge_max: int
) -> None:
    monkeypatch.setattr(listing, "MERGE_MAX", merge_max)
    made, services = await _city(session)
    middle = sorted(c.created_at for c in made)[30]
    asks: list[dict[str, object]] = [
        {},
        {"limit": 7},
        {"limit": 7, "offset": 7},
        {"limit": 7, "offset": 49},
        {"codes": {"POTHOLE"}},
        {"codes": {"TREE", "GRAFFITI", "BENEFIT", "OLD"}},
        {"status": "open"},
        {"status": "closed", "limit": 5, "offset": 2},
        {"since": middle},
        {"until": middle, "status": "open"},
        {"since": middle, "until": middle},
    ]
    for ask in asks:
        codes = ask.get("codes")
        got = await listing.public_list(
            session,
            service_codes=codes,  # type: ignore[arg-type]
            status=ask.get("status"),  # type: ignore[arg-type]
            since=ask.get("since"),  # type: ignore[arg-type]
            until=ask.get("until"),  # type: ignore[arg-type]
            limit=ask.get("limit", 1000),  # type: ignore[arg-type]
            offset=ask.get("offset", 0),  # type: ignore[arg-type]
        )
        assert [r.reference for r in got] == _expected(made, services, **ask), ask  # type: ignore[arg-type]
    assert await listing.public_list(session, service_codes={"BENEFIT"}) == []


async def test_each_report_names_its_service_agency_newest_note_and_merge(session: AsyncSession) -> None:
    made, services = await _city(session)
    by_reference = {r.reference: r for r in await listing.public_list(session)}
    for case in made:
        service = next(s for s in services.values() if s.id == case.service_id)
        if not (service.open311 and service.active):
            assert case.reference not in by_reference
            continue
        report = by_reference[case.reference]
        assert (report.service.code, report.service.name, report.status) == (service.code, service.name, case.status)
        assert report.agency_name == ("Parks" if service.code == "TREE" else "City Works")
    assert by_reference[made[5].reference].latest_note == "Filled"
    assert by_reference[made[4].reference].latest_note is None
    assert by_reference[made[3].reference].merged_into == made[4].reference
    assert by_reference[made[4].reference].merged_into is None


async def test_references_override_every_filter_but_never_show_a_private_service(session: AsyncSession) -> None:
    made, services = await _city(session)
    public = next(c for c in made if c.service_id == services["POTHOLE"].id)
    private = next(c for c in made if c.service_id == services["BENEFIT"].id)
    long_ago = utcnow() - timedelta(days=3650)
    got = await listing.public_list(
        session, references=[public.reference, private.reference], status="open", until=long_ago
    )
    assert [r.reference for r in got] == [public.reference]
