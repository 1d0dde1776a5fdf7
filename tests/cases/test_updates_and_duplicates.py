"""A case's public history, and likely duplicates: the same service reported close by while the other is open."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from townsquare.agencies.models import Service
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus

SPOT = (43.6535, -79.3841)
# About 22 m north and 160 m east of SPOT.
NEAR = (43.6537, -79.3841)
FAR = (43.6535, -79.3821)


async def _case(session: AsyncSession, service: Service, point: tuple[float, float] | None) -> Case:
    location = {"lat": point[0], "long": point[1]} if point else None
    return await cases.open_case(
        session,
        prefix="TS",
        agency_id=service.agency_id,
        title=service.name,
        channel="api",
        service_id=service.id,
        location=location,
    )


async def test_every_status_change_is_kept_with_its_note(session: AsyncSession) -> None:
    agency = await create_agency(session)
    service = await create_service(session, agency=agency, open311=True)
    case = await _case(session, service, SPOT)
    await cases.change_status(session, case=case, status=CaseStatus.in_progress, note="Crew booked")
    await cases.change_status(session, case=case, status=CaseStatus.resolved, note="Filled", source="api")
    history = await cases.updates_for(session, case_id=case.id)
    assert [(u.status, u.note, u.source) for u in history] == [
        (CaseStatus.in_progress, "Crew booked", "staff"),
        (CaseStatus.resolved, "Filled", "api"),
    ]
    newest = await cases.latest_public_notes(session, case_ids=[case.id])
    assert newest[case.id] == "Filled"


async def test_updates_between_only_reads_open311_services_and_the_sources_asked(session: AsyncSession) -> None:
    agency = await create_agency(session)
    public = await create_service(session, agency=agency, open311=True)
    private = await create_service(session, agency=agency, code="BENEFIT", name="Apply for a benefit")
    shown = await _case(session, public, SPOT)
    hidden = await _case(session, private, None)
    await cases.change_status(session, case=shown, status=CaseStatus.open, note="Seen")
    await cases.change_status(session, case=hidden, status=CaseStatus.open, note="Private")
    await cases.record_update(session, case=shown, status=CaseStatus.open, note="From the app", source="open311")
    start, end = shown.created_at.replace(year=2000), shown.created_at.replace(year=2100)
    rows = await cases.updates_between(session, start=start, end=end)
    assert [(u.note, c.reference) for u, c in rows] == [("Seen", shown.reference)]


async def test_an_open_report_of_the_same_service_close_by_is_linked_as_a_likely_duplicate(
    session: AsyncSession,
) -> None:
    agency = await create_agency(session)
    pothole = await create_service(session, agency=agency, open311=True)
    light = await create_service(session, agency=agency, code="LIGHT", name="Streetlight out", open311=True)
    first = await _case(session, pothole, SPOT)
    other_service = await _case(session, light, NEAR)
    far_away = await _case(session, pothole, FAR)
    closed = await _case(session, pothole, NEAR)
    await cases.change_status(session, case=closed, status=CaseStatus.resolved)
    unplaced = await _case(session, pothole, None)

    second = await _case(session, pothole, NEAR)
    links = await cases.link_likely_duplicates(session, case=second, radius_m=50)

    assert [row.linked_case_id for row in links] == [first.id]
    assert 15 < links[0].detail["distance_m"] < 30
    found = await cases.likely_duplicates_of(session, case_id=first.id)
    assert [other.reference for _, other in found] == [second.reference]
    for lonely in (other_service, far_away, unplaced):
        assert await cases.likely_duplicates_of(session, case_id=lonely.id) == []
    assert await cases.link_likely_duplicates(session, case=unplaced, radius_m=50) == []
    assert await cases.link_likely_duplicates(session, case=second, radius_m=0) == []


async def test_merging_a_likely_duplicate_confirms_it_and_closes_it_with_a_note(session: AsyncSession) -> None:
    agency = await create_agency(session)
    pothole = await create_service(session, agency=agency, open311=True)
    first = await _case(session, pothole, SPOT)
    second = await _case(session, pothole, NEAR)
    await cases.link_likely_duplicates(session, case=second, radius_m=50)

    await cases.merge(session, duplicate=second, into=first)

    assert await cases.likely_duplicates_of(session, case_id=first.id) == []
    kinds = [view.link.kind for view in await cases.links_for(session, case_ids=[first.id])]
    assert kinds == ["duplicate"]
    assert (await cases.latest_public_notes(session, case_ids=[second.id]))[second.id] == (
        f"Duplicate of {first.reference}"
    )
    # A merged case is never offered as a likely duplicate again.
    third = await _case(session, pothole, NEAR)
    links = await cases.link_likely_duplicates(session, case=third, radius_m=50)
    assert [row.linked_case_id for row in links] == [first.id]
