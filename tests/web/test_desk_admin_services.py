"""The catalogue's administration: creating a service in an agency of one's own, a duplicate code and an SLA of
zero refused by name, synonyms that make the search find it, an agency administrator kept to its own services,
withdrawal, and the audit rows."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies import service as catalogue
from townsquare.agencies.models import Agency, Service
from townsquare.staff.models import AuditEntry, StaffRole

ADMIN, AGENCY_ADMIN = "root@city.example", "works.admin@city.example"


async def _city(session: AsyncSession) -> tuple[Agency, Agency]:
    works = await create_agency(session, slug="works", name="Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_service(session, agency=works, code="POTHOLE")
    await create_service(session, agency=parks, code="TREE", name="Fallen tree")
    await create_staff(session, email=ADMIN, role=StaffRole.admin)
    await create_staff(session, email=AGENCY_ADMIN, role=StaffRole.agency_admin, agencies=[works])
    await session.commit()
    return works, parks


def _service(agency: Agency, **changes: Any) -> dict[str, Any]:
    return {
        "code": "BULKY",
        "agency": str(agency.id),
        "name": "Bulky item pickup",
        "name_fr": "Collecte des encombrants",
        "description": "Furniture and large items",
        "group": "Waste",
        "group_fr": "Déchets",
        "sla_hours": "48",
        "open311": "yes",
        "keywords": "furniture, mattress",
        "synonyms": "sofa, couch\ncanapé",
    } | changes


async def _audits(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_a_new_service_with_synonyms_is_found_by_them(client: httpx.AsyncClient, session: AsyncSession) -> None:
    works, _ = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    created = await client.post("/desk/admin/services", data=_service(works))
    assert (created.status_code, created.headers["location"]) == (303, "/desk/admin/services/BULKY?notice=created")
    page = (await client.get(created.headers["location"])).text
    assert 'href="/desk/admin/services/BULKY/form"' in page
    service = await session.scalar(select(Service).where(Service.code == "BULKY"))
    assert service is not None
    assert (service.sla_target_hours, service.open311, service.keywords) == (48, True, ["furniture", "mattress"])
    assert service.synonyms == ["sofa", "couch", "canapé"]
    assert service.translations["fr"] == {"name": "Collecte des encombrants", "group": "Déchets"}
    assert [s.code for s in await catalogue.search_services(session, query="my couch")] == ["BULKY"]
    [audit] = await _audits(session, "service.create")
    assert audit.detail["after"]["synonyms"] == ["sofa", "couch", "canapé"]


async def test_a_duplicate_code_and_an_sla_of_zero_are_refused_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, parks = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    refused = await client.post("/desk/admin/services", data=_service(works, code="pothole", sla_hours="0", name_fr=""))
    assert refused.status_code == 422
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    assert '<a href="#field-code">Another service already has that code.</a>' in summary
    assert 'href="#field-sla_hours"' in summary
    assert "above zero" in summary
    assert 'href="#field-name_fr"' in summary
    another = await client.post("/desk/admin/services", data=_service(parks))  # not an agency of theirs
    assert another.status_code == 422
    assert 'href="#field-agency"' in another.text
    assert await count(session, Service) == 2


async def test_an_agency_administrator_reaches_its_own_services_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _ = await _city(session)
    await sign_in_staff(client, AGENCY_ADMIN)
    listed = (await client.get("/desk/admin/services")).text
    assert 'data-service="POTHOLE"' in listed
    assert 'data-service="TREE"' not in listed
    assert (await client.get("/desk/admin/services/TREE")).status_code == 404
    assert (await client.post("/desk/admin/services/TREE/active", data={"active": "no"})).status_code == 404
    saved = await client.post("/desk/admin/services/POTHOLE", data=_service(works, name="Pothole", sla_hours="24"))
    assert saved.status_code == 303
    [audit] = await _audits(session, "service.update")
    assert audit.detail["before"]["sla_target_hours"] == 72
    assert audit.detail["after"]["sla_target_hours"] == 24
    assert audit.subject_id == "POTHOLE"


async def test_a_withdrawn_service_is_no_longer_offered(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _city(session)
    await sign_in_staff(client, ADMIN)
    done = await client.post("/desk/admin/services/POTHOLE/active", data={"active": "no"})
    assert done.headers["location"] == "/desk/admin/services?notice=deactivated"
    await session.commit()
    assert await catalogue.search_services(session, query="pothole") == []
    assert [a.detail for a in await _audits(session, "service.deactivate")] == [
        {"before": {"active": True}, "after": {"active": False}}
    ]
