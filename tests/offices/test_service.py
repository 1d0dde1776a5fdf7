"""Service offices: an office kept by slug, what it offers to walk-ins and to booking, and its counters."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from townsquare.errors import Problem
from townsquare.offices import service as offices
from townsquare.offices.models import Counter, OfficeService


async def test_an_office_is_kept_by_its_slug_and_lists_what_it_offers(session: AsyncSession) -> None:
    agency = await create_agency(session)
    other = await create_agency(session, slug="revenue", name="Revenue")
    permit = await create_service(session, agency=agency, code="PERMIT", name="Parking permit")
    bins = await create_service(session, agency=agency, code="BINS", name="Bins")
    office = await offices.put_office(
        session, agency_id=agency.id, slug="city-hall", name="City Hall", address=["100 Queen St W"], calendar_id=None
    )
    again = await offices.put_office(
        session,
        agency_id=agency.id,
        slug="city-hall",
        name="City Hall",
        name_fr="Hôtel de ville",
        address=["100 Queen St W", "Toronto"],
        calendar_id=None,
    )
    assert again.id == office.id
    assert again.name_fr == "Hôtel de ville"
    assert again.address[-1] == "Toronto"
    session.add_all(
        [
            OfficeService(office_id=office.id, service_id=permit.id, ticket_prefix="P", duration_minutes=10),
            OfficeService(office_id=office.id, service_id=bins.id, ticket_prefix="B", walk_in=False),
            Counter(office_id=office.id, label="2"),
            Counter(office_id=office.id, label="1"),
            Counter(office_id=office.id, label="3", active=False),
        ]
    )
    await session.flush()

    assert [s.code for _, s in await offices.offered(session, office_id=office.id)] == ["BINS", "PERMIT"]
    assert [s.code for _, s in await offices.offered(session, office_id=office.id, walk_in=True)] == ["PERMIT"]
    assert [c.label for c in await offices.counters(session, office_id=office.id)] == ["1", "2"]
    assert [o.slug for o in await offices.list_offices(session, agency_ids={other.id})] == []
    assert [o.slug for o in await offices.list_offices(session)] == ["city-hall"]
    with pytest.raises(Problem):
        await offices.get_office(session, office_id=agency.id)
