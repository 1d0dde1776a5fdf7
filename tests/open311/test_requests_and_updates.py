"""GET requests (filters, pages, no personal data), one request, staff changes, and servicerequestupdates."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import create_staff
from tests.open311.conftest import City, check_schema, counts_now, fetch_both, pothole_form

from townsquare.cases.models import Case, CaseStatus, CaseUpdate
from townsquare.casework import cases as casework
from townsquare.clock import utcnow
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKeyScope, StaffRole

PERSONAL = ("ana@example.org", "Ana", "Roe", "u-42", "dev-9", "+14165550100")


async def _report(client: httpx.AsyncClient, city: City, **extra: str) -> str:
    response = await client.post("/open311/v2/requests.json", data=pothole_form(city, **extra))
    assert response.status_code == 200, response.text
    return str(response.json()[0]["service_request_id"])


async def _case(session: AsyncSession, reference: str) -> Case:
    await session.commit()
    return (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()


async def test_requests_lists_public_requests_newest_first_without_personal_data(
    client: httpx.AsyncClient, city: City
) -> None:
    first = await _report(
        client,
        city,
        email="ana@example.org",
        first_name="Ana",
        last_name="Roe",
        account_id="u-42",
        device_id="dev-9",
        phone="416 555 0100",
        address_string="100 Queen St W",
    )
    second = await _report(client, city, description="Second hole")
    body, root = await fetch_both(client, "GET", "/open311/v2/requests", status=200, schema="requests.json")
    assert root.tag == "service_requests"
    assert [r["service_request_id"] for r in body] == [second, first]
    entry = body[1]
    assert entry["status"] == "open"
    assert entry["service_code"] == "POTHOLE"
    assert entry["service_name"] == "Pothole"
    assert entry["agency_responsible"] == "City Works"
    assert entry["service_notice"] == "We inspect within two working days."
    assert entry["description"] == "A deep hole by the bus stop"
    assert entry["address"] == "100 Queen St W"
    assert entry["lat"] == 43.6535
    assert entry["expected_datetime"] is not None
    text = (await client.get("/open311/v2/requests.xml")).text + str(body)
    for secret in PERSONAL:
        assert secret not in text


async def test_request_filters(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    pothole = await _report(client, city)
    graffiti = (
        await client.post(
            "/open311/v2/requests.json",
            data={"api_key": city.key, "service_code": "GRAFFITI", "address_string": "Park", "description": "Tags"},
        )
    ).json()[0]["token"]
    assert graffiti
    case = await _case(session, pothole)
    case.status = CaseStatus.closed
    await session.commit()

    async def ids(**params: str) -> list[str]:
        body, _ = await fetch_both(
            client, "GET", "/open311/v2/requests", status=200, schema="requests.json", params=params
        )
        return [r["service_code"] + ":" + r["status"] for r in body]

    assert await ids(service_code="POTHOLE") == ["POTHOLE:closed"]
    assert sorted(await ids(service_code="POTHOLE,GRAFFITI")) == ["GRAFFITI:open", "POTHOLE:closed"]
    assert await ids(status="open") == ["GRAFFITI:open"]
    assert await ids(status="closed") == ["POTHOLE:closed"]
    assert len(await ids(status="open,closed")) == 2
    assert len(await ids(status="")) == 2  # empty = absent
    old = (utcnow() - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    older = (utcnow() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert await ids(start_date=old, end_date=older) == []
    # service_request_id overrides every other argument, including a window that would exclude it
    assert await ids(service_request_id=f"{pothole},TS-0000-000000", status="open", start_date=old) == [
        "POTHOLE:closed"
    ]
    # paging
    first_page = await ids(page_size="1")
    second_page = await ids(page_size="1", page="2")
    assert len(first_page) == len(second_page) == 1
    assert first_page != second_page
    assert await ids(page_size="1", page="3") == []


async def test_request_argument_errors(client: httpx.AsyncClient, city: City) -> None:
    now = utcnow()
    cases = [
        ({"start_date": "yesterday"}, "start_date must be a W3C datetime"),
        ({"end_date": "2026-01-01T00:00:00"}, "end_date must be a W3C datetime"),  # no timezone
        ({"start_date": "2026-13-01T00:00:00Z"}, "start_date must be a W3C datetime"),
        (
            {
                "start_date": (now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end_date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "start_date and end_date may not span more than 90 days",
        ),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "start_date must be before"),
        ({"status": "pending"}, "status 'pending' is not open or closed"),
        ({"page_size": "1001"}, "page_size must be a whole number from 1 to 1000"),
        ({"page": "0"}, "page must be a whole number"),
    ]
    for params, wanted in cases:
        body, _ = await fetch_both(
            client, "GET", "/open311/v2/requests", status=400, schema="errors.json", params=params
        )
        assert any(e["description"].startswith(wanted) for e in body), (params, body)
    both, _ = await fetch_both(
        client, "GET", "/open311/v2/requests", status=400, params={"start_date": "x", "status": "maybe"}
    )
    assert len(both) == 2  # several errors at once


async def test_one_request_and_its_404s(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    reference = await _report(client, city)
    body, _ = await fetch_both(client, "GET", f"/open311/v2/requests/{reference}", status=200, schema="requests.json")
    assert [r["service_request_id"] for r in body] == [reference]
    missing, _ = await fetch_both(
        client, "GET", "/open311/v2/requests/TS-2000-000001", status=404, schema="errors.json"
    )
    assert missing == [{"code": 404, "description": "service_request_id not found"}]
    # a case of a service not offered through Open311 is not public
    case = await _case(session, reference)
    city.pothole.open311 = False
    await session.commit()
    hidden, _ = await fetch_both(client, "GET", f"/open311/v2/requests/{case.reference}", status=404)
    assert hidden[0]["code"] == 404


async def test_a_staff_status_change_shows_in_requests_and_updates(
    client: httpx.AsyncClient, city: City, session: AsyncSession, settings: Settings
) -> None:
    reference = await _report(client, city)
    case = await _case(session, reference)
    agent = await create_staff(session, email="wren@city.example", agencies=[city.agency])
    actor = Principal("staff", agent.id, "Wren", StaffRole.agent, frozenset({city.agency.id}))
    await casework.change_status(
        session, settings=settings, actor=actor, case=case, status=CaseStatus.in_progress, note="Crew booked"
    )
    await session.commit()
    await casework.change_status(
        session, settings=settings, actor=actor, case=case, status=CaseStatus.resolved, note="Filled"
    )
    await session.commit()
    [entry], _ = await fetch_both(client, "GET", f"/open311/v2/requests/{reference}", status=200)
    assert (entry["status"], entry["status_notes"]) == ("closed", "Filled")

    params = {"api_key": city.key}
    updates, root = await fetch_both(
        client, "GET", "/open311/v2/servicerequestupdates", status=200, schema="updates.json", params=params
    )
    assert root.tag == "service_request_updates"
    mine = [u for u in updates if u["service_request_id"] == reference]
    assert [(u["status"], u["description"]) for u in mine] == [("in_progress", "Crew booked"), ("fixed", "Filled")]
    assert all(u["update_id"] for u in mine)
    past = {"api_key": city.key, "start_date": "2001-01-01T00:00:00Z", "end_date": "2001-02-01T00:00:00Z"}
    none, _ = await fetch_both(client, "GET", "/open311/v2/servicerequestupdates", status=200, params=past)
    assert none == []


async def test_updates_need_a_key(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    body, _ = await fetch_both(client, "GET", "/open311/v2/servicerequestupdates", status=403, schema="errors.json")
    assert body == [{"code": 403, "description": "api_key was not provided"}]
    bad, _ = await fetch_both(
        client, "GET", "/open311/v2/servicerequestupdates", status=403, params={"api_key": "ts_nope"}
    )
    assert bad[0]["code"] == 403
    api_key, _ = await staff.create_api_key(session, name="Reporting", scope=ApiKeyScope.api)
    await session.commit()
    ok, _ = await fetch_both(
        client, "GET", "/open311/v2/servicerequestupdates", status=200, params={"api_key": api_key}
    )
    assert ok == []
    malformed, _ = await fetch_both(
        client, "GET", "/open311/v2/servicerequestupdates", status=400, params={"api_key": api_key, "start_date": "x"}
    )
    assert malformed[0]["description"].startswith("start_date must be a W3C datetime")


def _update_form(city: City, reference: str, **extra: str) -> dict[str, str]:
    form = {
        "api_key": city.key,
        "service_request_id": reference,
        "update_id_ext": "ext-1",
        "updated_datetime": "2026-05-01T09:00:00-04:00",
        "status": "FIXED",
        "description": "Looks repaired now",
        "email": "ana@example.org",
    }
    form.update(extra)
    return form


async def test_posting_an_update_records_a_note_and_keeps_the_status(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    reference = await _report(client, city, email="ana@example.org")
    response = await client.post("/open311/v2/servicerequestupdates.json", data=_update_form(city, reference))
    assert response.status_code == 200, response.text
    body = response.json()
    check_schema("update-response.json", body)
    update_id = body[0]["update_id"]
    case = await _case(session, reference)
    assert case.status in (CaseStatus.new, CaseStatus.open)  # a reporter's "fixed" never closes the case
    row = (await session.execute(select(CaseUpdate).where(CaseUpdate.source == "open311"))).scalar_one()
    assert (str(row.id), row.external_id, row.note, row.api_key_id) == (
        update_id,
        "ext-1",
        "Looks repaired now",
        city.key_id,
    )
    comment = (
        await session.execute(select(Interaction).where(Interaction.case_id == case.id, Interaction.body == row.note))
    ).scalar_one()
    assert comment.payload["reported_status"] == "fixed"
    # a resend (same update_id_ext) is the same update, in either format, and creates nothing
    before = await counts_now(session)
    again, xml = await fetch_both(
        client, "POST", "/open311/v2/servicerequestupdates", status=200, data=_update_form(city, reference)
    )
    assert again == [{"update_id": update_id}]
    assert xml.tag == "service_request_updates"
    assert await counts_now(session) == before
    # integrators' own updates are not echoed back in the feed
    feed, _ = await fetch_both(
        client, "GET", "/open311/v2/servicerequestupdates", status=200, params={"api_key": city.key}
    )
    assert update_id not in [u["update_id"] for u in feed]
    # and requests shows the latest note
    [entry], _ = await fetch_both(client, "GET", f"/open311/v2/requests/{reference}", status=200)
    assert entry["status"] == "open"


async def test_bad_updates_are_refused_and_nothing_is_created(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    reference = await _report(client, city)
    before = await counts_now(session)
    bad = [
        ({"service_request_id": "TS-2000-000001"}, 404, "service_request_id not found"),
        ({"service_request_id": ""}, 400, "service_request_id was not provided"),
        ({"update_id_ext": ""}, 400, "update_id_ext (or update_id) was not provided"),
        ({"status": "done"}, 400, "status must be one of"),
        ({"description": ""}, 400, "description was not provided"),
        ({"description": "<img src=x onerror=alert(1)>"}, 400, "description may not contain HTML"),
        ({"description": "y" * 5000}, 400, "description is 5000 characters"),
        ({"updated_datetime": "soon"}, 400, "updated_datetime must be a W3C datetime"),
        ({"email": "nope"}, 400, "email is not an email address"),
        ({"api_key": ""}, 403, "api_key was not provided"),
    ]
    for changes, status, wanted in bad:
        body, _ = await fetch_both(
            client,
            "POST",
            "/open311/v2/servicerequestupdates",
            status=status,
            schema="errors.json",
            data=_update_form(city, reference, **changes),
        )
        assert any(e["description"].startswith(wanted) for e in body), (changes, body)
    assert await counts_now(session) == before
