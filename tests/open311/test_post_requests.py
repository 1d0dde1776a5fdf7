"""POST requests: keys, rate limits, every validation at once, and what a valid request creates."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.open311.conftest import (
    City,
    check_schema,
    counts_now,
    fetch_both,
    parse_json,
    parse_xml,
    pothole_form,
    spark,
)

from townsquare.cases.models import Case, Open311Submission
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.interactions.models import Interaction
from townsquare.routing.models import WorkItem
from townsquare.staff import service as staff
from townsquare.staff.models import ApiKeyScope, AuditEntry

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    "<service_request><service_code>POTHOLE</service_code><description>&lol4;</description></service_request>"
)


async def post_both(
    client: httpx.AsyncClient, path: str, *, status: int, data: dict[str, str]
) -> tuple[list[dict[str, object]], object]:
    """POST the same form to .json and .xml (two submissions when it succeeds)."""
    as_json = await client.post(f"{path}.json", data=data)
    as_xml = await client.post(f"{path}.xml", data=data)
    assert as_json.status_code == status, as_json.text
    assert as_xml.status_code == status, as_xml.text
    body = parse_json(as_json)
    root = parse_xml(as_xml)
    return body, spark(root)


async def test_a_realtime_request_gets_its_id_and_the_notice(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    form = pothole_form(city, **{"attribute[HAZARDS][]": "water", "account_id": "u-42", "device_id": "dev-1"})
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 200, response.text
    body = parse_json(response)
    check_schema("post-response.json", body)
    reference = body[0]["service_request_id"]
    assert body == [
        {"service_request_id": reference, "service_notice": "We inspect within two working days.", "account_id": "u-42"}
    ]
    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    assert case.lat == pytest.approx(43.6535)
    assert case.long == pytest.approx(-79.3841)
    assert case.attributes["SIZE"] == "large"
    assert case.attributes["HAZARDS"] == ["water"]
    assert case.opened_channel == "api"
    submission = (
        await session.execute(select(Open311Submission).where(Open311Submission.case_id == case.id))
    ).scalar_one()
    assert (submission.api_key_id, submission.token, submission.device_id) == (city.key_id, None, "dev-1")
    # the reporter is known by their account in the integrator's app
    identity = (await session.execute(select(Identity).where(Identity.citizen_id == case.citizen_id))).scalar_one()
    assert (identity.kind, identity.namespace, identity.value) == (IdentityKind.app_account, str(city.key_id), "u-42")
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "open311.request"))).scalar_one()
    assert (audit.actor_kind, audit.actor_id, audit.subject_id) == ("api_key", str(city.key_id), str(case.id))
    assert "u-42" not in str(audit.detail)


async def test_xml_answer_and_api_key_in_the_query(client: httpx.AsyncClient, city: City) -> None:
    form = pothole_form(city)
    key = form.pop("api_key")
    response = await client.post("/open311/v2/requests.xml", params={"api_key": key}, data=form)
    assert response.status_code == 200
    [entry] = spark(parse_xml(response))
    assert entry["service_request_id"].startswith("TS-")
    assert entry["account_id"] is None


async def test_the_work_item_lands_in_the_owning_agencys_queue(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    response = await client.post("/open311/v2/requests.json", data=pothole_form(city))
    reference = response.json()[0]["service_request_id"]
    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    item = (await session.execute(select(WorkItem).where(WorkItem.case_id == case.id))).scalar_one()
    assert item.agency_id == city.agency.id
    assert item.queue_id == city.queue.id
    assert item.service_id == city.pothole.id


async def test_a_batch_service_answers_with_a_token_that_resolves(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    form = {"api_key": city.key, "service_code": "GRAFFITI", "address_id": "A-100", "description": "Tags on a wall"}
    response = await client.post("/open311/v2/requests.xml", data=form)
    assert response.status_code == 200
    [entry] = spark(parse_xml(response))
    assert "service_request_id" not in entry
    token = entry["token"]
    assert len(token) >= 16
    found, _ = await _tokens(client, token)
    check_schema("tokens.json", found)
    case = (
        await session.execute(select(Case).join(Open311Submission).where(Open311Submission.token == token))
    ).scalar_one()
    assert found == [{"service_request_id": case.reference, "token": token}]
    assert case.agency_id == city.parks.id
    assert case.address_id == "A-100"


async def _tokens(client: httpx.AsyncClient, token: str) -> tuple[object, object]:
    return await fetch_both(client, "GET", f"/open311/v2/tokens/{token}", status=200)


async def test_an_unknown_token_is_404(client: httpx.AsyncClient, city: City) -> None:
    body, _ = await fetch_both(client, "GET", "/open311/v2/tokens/nope", status=404, schema="errors.json")
    assert body == [{"code": 404, "description": "token not found"}]


async def test_a_blackbox_service_answers_with_neither_id_nor_token(client: httpx.AsyncClient, city: City) -> None:
    form = {"api_key": city.key, "service_code": "NOISE", "address_string": "100 Queen St W", "description": "Loud"}
    body, xml = await post_both(client, "/open311/v2/requests", status=200, data=form)
    check_schema("post-response.json", body)
    assert body == [{"service_notice": None, "account_id": None}]
    assert xml == [{"service_notice": None, "account_id": None}]


async def test_the_same_email_is_the_same_citizen(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    first = await client.post(
        "/open311/v2/requests.json", data=pothole_form(city, email="Ana@Example.org", first_name="Ana")
    )
    second = await client.post(
        "/open311/v2/requests.json", data=pothole_form(city, email="ana@example.org", description="Another one")
    )
    refs = [first.json()[0]["service_request_id"], second.json()[0]["service_request_id"]]
    assert refs[0] != refs[1]
    cases = (await session.execute(select(Case).where(Case.reference.in_(refs)))).scalars().all()
    assert len({c.citizen_id for c in cases}) == 1
    anonymous = await client.post("/open311/v2/requests.json", data=pothole_form(city))
    ref = anonymous.json()[0]["service_request_id"]
    await session.commit()
    other = (await session.execute(select(Case).where(Case.reference == ref))).scalar_one()
    assert other.citizen_id != cases[0].citizen_id


async def test_missing_and_invalid_keys_are_403(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    before = await counts_now(session)
    form = pothole_form(city)
    del form["api_key"]
    body, xml = await post_both(client, "/open311/v2/requests", status=403, data=form)
    check_schema("errors.json", body)
    assert body == [{"code": 403, "description": "api_key was not provided"}]
    assert xml == [{"code": "403", "description": "api_key was not provided"}]
    body, _ = await post_both(client, "/open311/v2/requests", status=403, data=pothole_form(city, api_key="ts_wrong"))
    assert body[0]["code"] == 403
    key, row = await staff.create_api_key(session, name="Old app", scope=ApiKeyScope.open311)
    await staff.revoke_api_key(session, key_id=row.id)
    await session.commit()
    before = await counts_now(session)
    body, _ = await post_both(client, "/open311/v2/requests", status=403, data=pothole_form(city, api_key=key))
    assert body[0]["code"] == 403
    assert await counts_now(session) == before


async def test_a_key_over_its_rate_limit_gets_429(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    key, _ = await staff.create_api_key(session, name="Busy app", scope=ApiKeyScope.open311, rate_limit_per_minute=2)
    await session.commit()
    for _ in range(2):
        assert (await client.post("/open311/v2/requests.json", data=pothole_form(city, api_key=key))).status_code == 200
    before = await counts_now(session)
    refused = await client.post("/open311/v2/requests.xml", data=pothole_form(city, api_key=key))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert spark(parse_xml(refused))[0]["code"] == "429"
    again = await client.post("/open311/v2/requests.json", data=pothole_form(city, api_key=key))
    assert again.status_code == 429
    check_schema("errors.json", parse_json(again))
    assert await counts_now(session) == before
    # another key is not affected, and what it creates shows in the counts
    assert (await client.post("/open311/v2/requests.json", data=pothole_form(city))).status_code == 200
    after = await counts_now(session)
    assert after["cases"] == before["cases"] + 1
    assert after["open311_requests"] == before["open311_requests"] + 1


BAD_FORMS: list[tuple[str, dict[str, str | None], int, list[str]]] = [
    ("unknown service", {"service_code": "NOPE"}, 404, ["service_code not found"]),
    ("service not offered", {"service_code": "LICENCE"}, 404, ["service_code not found"]),
    ("no service", {"service_code": None}, 400, ["service_code was not provided"]),
    ("no location", {"lat": None, "long": None}, 400, ["a location is required"]),
    ("empty location", {"lat": "", "long": ""}, 400, ["a location is required"]),
    ("lat only", {"long": None}, 400, ["lat and long must be sent together"]),
    ("lat out of range", {"lat": "91"}, 400, ["lat must be a number from -90 to 90"]),
    ("long not a number", {"long": "west"}, 400, ["long must be a number from -180 to 180"]),
    ("unknown address_id", {"lat": None, "long": None, "address_id": "Z-1"}, 404, ["address_id not found"]),
    ("missing required attribute", {"attribute[SIZE]": None}, 400, ["attribute[SIZE] is required"]),
    ("wrong list value", {"attribute[SIZE]": "huge"}, 400, ["attribute[SIZE] not among the choices"]),
    ("wrong multi value", {"attribute[HAZARDS][]": "fire"}, 400, ["attribute[HAZARDS] not among the choices"]),
    ("not a number", {"attribute[DEPTH]": "deep"}, 400, ["attribute[DEPTH] must be a number"]),
    ("not a datetime", {"attribute[SEEN]": "yesterday"}, 400, ["attribute[SEEN] must be a date and time"]),
    ("unknown attribute", {"attribute[COLOUR]": "red"}, 400, ["attribute[COLOUR] the service"]),
    ("5000 characters", {"description": "x" * 5000}, 400, ["description is 5000 characters"]),
    ("markup", {"description": "<script>alert(1)</script>"}, 400, ["description may not contain HTML"]),
    ("doctype", {"description": '<!DOCTYPE x [<!ENTITY a "b">]>'}, 400, ["description may not contain HTML"]),
    ("bad email", {"email": "not-an-address"}, 400, ["email is not an email address"]),
    ("bad phone", {"phone": "12"}, 400, ["phone is not a phone number"]),
    ("media not http", {"media_url": "javascript:alert(1)"}, 400, ["media_url must be an http"]),
    ("wrong jurisdiction", {"jurisdiction_id": "elsewhere.gov"}, 404, ["jurisdiction_id not found"]),
]


@pytest.mark.parametrize(("label", "changes", "status", "expected"), BAD_FORMS, ids=[b[0] for b in BAD_FORMS])
async def test_bad_input_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient,
    city: City,
    session: AsyncSession,
    label: str,
    changes: dict[str, str | None],
    status: int,
    expected: list[str],
) -> None:
    form: dict[str, str] = pothole_form(city)
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    before = await counts_now(session)
    body, xml = await post_both(client, "/open311/v2/requests", status=status, data=form)
    check_schema("errors.json", body)
    descriptions = [e["description"] for e in body]
    for wanted in expected:
        assert any(str(d).startswith(wanted) for d in descriptions), descriptions
    assert xml == [{"code": str(e["code"]), "description": e["description"]} for e in body]
    assert await counts_now(session) == before


async def test_every_problem_is_reported_at_once(client: httpx.AsyncClient, city: City, session: AsyncSession) -> None:
    before = await counts_now(session)
    form = {
        "api_key": city.key,
        "service_code": "POTHOLE",
        "lat": "100",
        "description": "<b>bold</b>",
        "email": "nope",
        "attribute[DEPTH]": "deep",
    }
    response = await client.post("/open311/v2/requests.json", data=form)
    assert response.status_code == 400
    descriptions = [e["description"] for e in parse_json(response)]
    assert len(descriptions) >= 6
    for wanted in (
        "lat must be",
        "lat and long",
        "attribute[SIZE] is required",
        "attribute[DEPTH]",
        "description",
        "email",
    ):
        assert any(d.startswith(wanted) for d in descriptions), (wanted, descriptions)
    assert await counts_now(session) == before


@pytest.mark.parametrize("path", ["/open311/v2/requests.xml", "/open311/v2/servicerequestupdates.xml"])
async def test_an_xml_body_is_never_parsed(
    client: httpx.AsyncClient, city: City, session: AsyncSession, path: str
) -> None:
    before = await counts_now(session)
    response = await client.post(
        path, params={"api_key": city.key}, content=BILLION_LAUGHS, headers={"content-type": "text/xml"}
    )
    assert response.status_code == 400
    [error] = spark(parse_xml(response))
    assert error == {"code": "400", "description": "POST bodies must be application/x-www-form-urlencoded"}
    # the same body claiming to be a form is read as (meaningless) form fields, never expanded
    response = await client.post(
        path,
        params={"api_key": city.key},
        content=BILLION_LAUGHS,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 404)
    assert parse_xml(response).tag == "errors"
    assert await counts_now(session) == before
    assert len(response.content) < 5000


async def test_the_interaction_keeps_what_staff_need(
    client: httpx.AsyncClient, city: City, session: AsyncSession
) -> None:
    response = await client.post(
        "/open311/v2/requests.json",
        data=pothole_form(city, media_url="https://img.example.org/1.jpg", phone="416 555 0100", last_name="Roe"),
    )
    reference = response.json()[0]["service_request_id"]
    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    assert case.media_url == "https://img.example.org/1.jpg"
    interaction = (await session.execute(select(Interaction).where(Interaction.case_id == case.id))).scalars().first()
    assert interaction is not None
    assert interaction.payload["via"] == "open311"
    assert interaction.payload["integrator"] == "Fix it app"
    identity = (await session.execute(select(Identity).where(Identity.citizen_id == case.citizen_id))).scalar_one()
    assert (identity.kind, identity.value) == (IdentityKind.phone, "+14165550100")
