"""Service offices' administration: an administrator adds an office with its hours, counters and services; every
refused field is named at once and nothing is written; each change is audited; an agency administrator reaches
only its own agency's offices (another's answers as unknown); the poster carries the kiosk's QR code."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.factories import create_agency, create_service, create_staff
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.offices.models import Counter, Office, OfficeService
from townsquare.routing import setup as routing_setup
from townsquare.staff.models import AuditEntry, StaffRole

HOURS = {str(day): [["08:30", "16:30"]] for day in range(5)}


async def test_an_office_is_set_up_with_hours_counters_and_services(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        works = await create_agency(s)
        await create_service(s, agency=works, code="PERMIT", name="Parking permit")
        calendar, _ = await routing_setup.put_calendar(
            s, agency_id=works.id, name="Office hours", timezone="America/Toronto", hours=HOURS, holidays=[]
        )
        other = await create_agency(s, slug="parks", name="Parks")
        admin = await create_staff(s, email="admin@city.example", role=StaffRole.admin)
        parks_admin = await create_staff(s, email="parks@city.example", role=StaffRole.agency_admin, agencies=[other])
        await s.commit()
    await sign_in_staff(client, admin.email)
    office = {"agency": str(works.id), "slug": "Bad Slug!", "name": "", "address": "", "calendar": str(calendar.id)}
    refused = await client.post("/desk/admin/offices", data=office)
    assert refused.status_code == 422
    for field in ("field-slug", "field-name", "field-address"):
        assert f'href="#{field}"' in refused.text
    office |= {
        "slug": "city-hall",
        "name": "City Hall",
        "name_fr": "Hôtel de ville",
        "address": "100 Queen St W\nToronto",
    }
    created = await client.post("/desk/admin/offices", data=office)
    assert created.status_code == 303
    path = created.headers["location"].partition("?")[0]
    assert (await client.post(f"{path}/counters", data={"label": "1", "active": "yes"})).status_code == 303
    twice = await client.post(f"{path}/counters", data={"label": "1", "active": "yes"})
    assert twice.status_code == 422
    offer = {
        "service": "PERMIT",
        "prefix": "p",
        "duration": "10",
        "buffer_before": "0",
        "buffer_after": "5",
        "walk_in": "yes",
    }
    assert (await client.post(f"{path}/services", data=offer)).status_code == 303
    wrong = await client.post(f"{path}/services", data=offer | {"duration": "0", "prefix": "TOOLONG"})
    assert wrong.status_code == 422
    page = await client.get(path)
    assert "/kiosk/city-hall" in page.text
    poster = await client.get(f"{path}/poster")
    assert "data:image/svg+xml" in poster.text
    assert "/kiosk/city-hall?via=phone" in poster.text
    async with runtime.db.session(deferred=True) as s:
        saved = (await s.execute(select(Office))).scalar_one()
        offered = (await s.execute(select(OfficeService))).scalar_one()
        counters = list(await s.scalars(select(Counter.label)))
        actions = sorted(await s.scalars(select(AuditEntry.action).where(AuditEntry.subject_kind == "office")))
    assert (saved.name_fr, saved.address, saved.calendar_id) == (
        "Hôtel de ville",
        ["100 Queen St W", "Toronto"],
        calendar.id,
    )
    assert (offered.ticket_prefix, offered.buffer_after_minutes, offered.walk_in, offered.bookable) == (
        "P",
        5,
        True,
        False,
    )
    assert counters == ["1"]
    assert actions == ["office.counter", "office.create", "office.service"]

    await sign_in_staff(client, parks_admin.email)
    assert (await client.get(path)).status_code == 404
    assert "City Hall" not in (await client.get("/desk/admin/offices")).text
