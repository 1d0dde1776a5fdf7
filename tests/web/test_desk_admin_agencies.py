"""The administration hub and the agencies' administration: who reaches what, creating an agency with its
contact points and branding, every refusal named in the error summary with nothing written, an agency
administrator kept to its own agency, deactivation, and the audit rows with what changed."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.agencies.test_admin import picture
from tests.factories import count, create_agency, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency, AgencyLogo, ContactPoint
from townsquare.staff.models import AuditEntry, StaffRole

ADMIN, AGENCY_ADMIN, AGENT = "root@city.example", "works.admin@city.example", "ana@city.example"


async def _city(session: AsyncSession) -> tuple[Agency, Agency]:
    works = await create_agency(session, slug="works", name="Works", contact=("sms", "+15550001111"))
    parks = await create_agency(session, slug="parks", name="Parks", contact=("email", "parks@city.example"))
    await create_staff(session, email=ADMIN, role=StaffRole.admin)
    await create_staff(session, email=AGENCY_ADMIN, role=StaffRole.agency_admin, agencies=[works])
    await create_staff(session, email=AGENT, agencies=[works])
    await session.commit()
    return works, parks


async def _audits(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    session.expire_all()
    return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


def _agency(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "slug": "libraries",
        "name": "Libraries",
        "name_fr": "Bibliothèques",
        "description": "Books and more",
        "description_fr": "Des livres et plus",
        "email": "Libraries@City.example",
        "phone": "+15550002222",
        "timezone": "America/Toronto",
        "short_name": "Libraries",
        "accent_colour": "#1D70B8",
        "point_channel": ["sms", "email", "sms"],
        "point_address": ["+15550003333", "books@city.example", ""],
    }
    return form | changes


async def test_the_hub_lists_what_each_administrator_may_use(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _city(session)
    assert (await client.get("/desk/admin")).headers["location"] == "/desk/sign-in?next=/desk/admin"
    await sign_in_staff(client, AGENT)
    assert (await client.get("/desk/admin")).status_code == 403
    await sign_in_staff(client, AGENCY_ADMIN)
    hub = (await client.get("/desk/admin")).text
    for path in ("agencies", "services", "canned-replies", "staff", "queues", "sla", "hours", "wrap-up-codes"):
        assert f'href="/desk/admin/{path}"' in hub
    assert 'href="/desk/audit"' in hub
    assert "/desk/admin/catalogue" not in hub
    await sign_in_staff(client, ADMIN)
    assert 'href="/desk/admin/catalogue"' in (await client.get("/desk/admin")).text


async def test_an_administrator_creates_an_agency_with_contact_points_and_branding(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _city(session)
    await sign_in_staff(client, ADMIN)
    assert (await client.get("/desk/admin/agencies/new")).status_code == 200
    created = await client.post("/desk/admin/agencies", data=_agency(), files={"logo": ("logo.png", picture())})
    assert (created.status_code, created.headers["location"]) == (303, "/desk/admin/agencies/libraries?notice=created")

    agency = await session.scalar(select(Agency).where(Agency.slug == "libraries"))
    assert agency is not None
    agency_id = agency.id
    assert (agency.name, agency.translations["fr"]["name"], agency.email) == (
        "Libraries",
        "Bibliothèques",
        "libraries@city.example",
    )
    assert (agency.short_name, agency.accent_colour, agency.active) == ("Libraries", "#1d70b8", True)
    points = await session.scalars(select(ContactPoint.address).where(ContactPoint.agency_id == agency.id))
    assert sorted(points) == ["+15550003333", "books@city.example"]
    logo = await session.get(AgencyLogo, agency.id)
    assert logo is not None
    assert (logo.content_type, logo.width) == ("image/png", 40)
    page = await client.get(created.headers["location"])
    assert "The agency was created." in page.text
    assert 'src="/desk/admin/agencies/libraries/logo"' in page.text
    served = await client.get("/desk/admin/agencies/libraries/logo")
    assert (served.headers["content-type"], served.content) == ("image/png", picture())
    [audit] = await _audits(session, "agency.create")
    assert audit.subject_id == str(agency_id)
    assert audit.detail["after"]["logo"] == "replaced"
    assert audit.detail["after"]["contact_points"] == [["sms", "+15550003333"], ["email", "books@city.example"]]

    # The portal names the agency in its colour.
    libraries = await session.get_one(Agency, agency_id)
    await create_service(session, agency=libraries, code="CARD", name="Library card")
    await session.commit()
    portal = (await client.get("/services")).text
    assert 'id="agency-libraries" style="border-left: .5rem solid #1d70b8;' in portal


async def test_every_mistake_is_named_in_the_summary_and_nothing_is_written(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _city(session)
    await sign_in_staff(client, ADMIN)
    wrong = _agency(
        slug="works",
        name_fr="",
        timezone="Mars/Olympus",
        accent_colour="#ffdd00",
        email="not an address",
        point_channel=["sms"],
        point_address=["+15550001111"],
    )
    refused = await client.post("/desk/admin/agencies", data=wrong, files={"logo": ("logo.gif", picture("GIF"))})
    assert refused.status_code == 422
    summary = refused.text.split('id="error-summary"')[1].split("</div>")[0]
    for field in ("slug", "name_fr", "timezone", "accent_colour", "email", "contact_points", "logo"):
        assert f'href="#field-{field}"' in summary, field
    assert "Another agency already has this address. — sms +15550001111: Works" in summary
    assert "White text is too faint" in summary
    assert "PNG or JPEG" in summary
    assert 'value="Mars/Olympus"' in refused.text  # what was sent is shown again
    assert await count(session, Agency) == 2
    assert await _audits(session, "agency.create") == []

    client.cookies.set("ts_lang", "fr")
    french = await client.post("/desk/admin/agencies", data=_agency(timezone="Nowhere"))
    assert "Donnez un fuseau horaire de la base tz" in french.text


async def test_an_agency_administrator_edits_its_own_agency_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works, _parks = await _city(session)
    works_id = works.id
    await sign_in_staff(client, AGENCY_ADMIN)
    listed = (await client.get("/desk/admin/agencies")).text
    assert 'data-agency="works"' in listed
    assert 'data-agency="parks"' not in listed
    assert "/desk/admin/agencies/new" not in listed
    assert (await client.get("/desk/admin/agencies/parks")).status_code == 404
    assert (await client.post("/desk/admin/agencies/parks", data=_agency(name="Taken"))).status_code == 404
    assert (await client.get("/desk/admin/agencies/new")).status_code == 403
    assert (await client.post("/desk/admin/agencies", data=_agency())).status_code == 403
    assert (await client.post("/desk/admin/agencies/works/active", data={"active": "no"})).status_code == 403

    own = _agency(name="Public Works", point_channel=["sms", "voice"], point_address=["+15550001111", "+15550009999"])
    saved = await client.post("/desk/admin/agencies/works", data=own)
    assert (saved.status_code, saved.headers["location"]) == (303, "/desk/admin/agencies/works?notice=saved")
    [audit] = await _audits(session, "agency.update")
    assert audit.detail["before"]["name"] == "Works"
    assert audit.detail["after"]["name"] == "Public Works"
    assert audit.detail["after"]["contact_points"] == [["sms", "+15550001111"], ["voice", "+15550009999"]]
    assert audit.agency_id == works_id
    assert await session.scalar(select(Agency.name).where(Agency.slug == "parks")) == "Parks"


async def test_deactivating_an_agency_keeps_it_and_says_so(client: httpx.AsyncClient, session: AsyncSession) -> None:
    works, _ = await _city(session)
    await sign_in_staff(client, ADMIN)
    assert (await client.post("/desk/admin/agencies/works/active", data={})).status_code == 422
    done = await client.post("/desk/admin/agencies/works/active", data={"active": "no"})
    assert done.headers["location"] == "/desk/admin/agencies?notice=deactivated"
    await session.commit()
    await session.refresh(works)
    assert works.active is False
    assert "This agency is deactivated" in (await client.get("/desk/admin/agencies/works")).text
    [audit] = await _audits(session, "agency.deactivate")
    assert audit.detail == {"before": {"active": True}, "after": {"active": False}}
    await client.post("/desk/admin/agencies/works/active", data={"active": "yes"})
    await session.commit()
    await session.refresh(works)
    assert works.active is True
