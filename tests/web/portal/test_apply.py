"""The application form over HTTP: pages, saving only what changed, validation, conflicts, submit → one case."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_service
from tests.web.portal.conftest import Resident, make_resident, sign_in
from townsquare.agencies.models import Service
from townsquare.cases.models import Case
from townsquare.citizens import sessions
from townsquare.drafts.models import Draft
from townsquare.interactions.models import Interaction, InteractionKind

ATTRIBUTES = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "How big is it?",
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
        "page": 1,
        "translations": {"fr": {"description": "Quelle taille ?", "values": {"small": "Petit", "large": "Grand"}}},
    },
    {"code": "street", "datatype": "string", "required": True, "description": "Which street?", "page": 2},
    {"code": "depth", "datatype": "number", "description": "How deep, in cm?", "page": 2},
    {"code": "seen_on", "datatype": "datetime", "description": "When did you see it?", "page": 3},
    {
        "code": "hazards",
        "datatype": "multivaluelist",
        "description": "Any hazards?",
        "values": [{"key": "water", "name": "Water"}, {"key": "glass", "name": "Glass"}],
        "page": 3,
    },
]


async def _service(session: AsyncSession) -> None:
    agency = await create_agency(session)
    await create_service(
        session,
        agency=agency,
        attributes=ATTRIBUTES,
        translations={"fr": {"name": "Signaler un nid-de-poule"}},
    )
    await session.commit()


async def _start(client: httpx.AsyncClient) -> str:
    started = await client.get("/services/POTHOLE/apply")
    assert started.status_code == 303
    match = re.fullmatch(r"/applications/([0-9a-f-]+)/pages/1", started.headers["location"])
    assert match, started.headers["location"]
    return match.group(1)


def _form(page: httpx.Response) -> dict[str, str]:
    """The hidden inputs a page was drawn with (base_version and each field's orig value)."""
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    return {name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in hidden}


@pytest.fixture
async def applicant(client: httpx.AsyncClient, session: AsyncSession, resident: Resident) -> httpx.AsyncClient:
    await _service(session)
    return sign_in(client, resident)


async def test_signed_out_people_are_sent_to_sign_in_and_back(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _service(session)
    answer = await client.get("/services/POTHOLE/apply")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account/sign-in?next=%2Fservices%2FPOTHOLE%2Fapply"


async def test_a_whole_application_becomes_one_case(applicant: httpx.AsyncClient, session: AsyncSession) -> None:
    draft_id = await _start(applicant)
    page1 = await applicant.get(f"/applications/{draft_id}/pages/1")
    assert page1.status_code == 200
    assert 'type="radio" value="small"' in page1.text
    moved = await applicant.post(f"/applications/{draft_id}/pages/1", data={**_form(page1), "f.size": "large"})
    assert moved.status_code == 303
    assert moved.headers["location"].endswith("/pages/2")

    page2 = await applicant.get(moved.headers["location"])
    assert 'inputmode="numeric"' in page2.text
    data = {**_form(page2), "f.street": "Elm Street", "f.depth": "12"}
    assert (await applicant.post(f"/applications/{draft_id}/pages/2", data=data)).status_code == 303
    page3 = await applicant.get(f"/applications/{draft_id}/pages/3")
    assert "govuk-date-input" in page3.text
    assert 'type="checkbox" value="glass"' in page3.text
    data3 = {
        **_form(page3),
        "f.seen_on.day": "3",
        "f.seen_on.month": "4",
        "f.seen_on.year": "2026",
        "f.hazards": "glass",
    }
    assert (await applicant.post(f"/applications/{draft_id}/pages/3", data=data3)).status_code == 303
    page4 = await applicant.get(f"/applications/{draft_id}/pages/4")
    data4 = {**_form(page4), "f._details": "Near the school", "f._address": "12 Elm Street"}
    to_check = await applicant.post(f"/applications/{draft_id}/pages/4", data=data4)
    assert to_check.headers["location"] == f"/applications/{draft_id}/check"

    check = await applicant.get(to_check.headers["location"])
    assert "Large" in check.text
    assert "Elm Street" in check.text
    assert "3 April 2026" in check.text
    assert f'href="/applications/{draft_id}/pages/2#field-street"' in check.text

    sent = await applicant.post(f"/applications/{draft_id}/submit")
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/applications/{draft_id}/done"
    again = await applicant.post(f"/applications/{draft_id}/submit")  # a double click
    assert again.status_code == 303
    done = await applicant.get(sent.headers["location"])
    await session.rollback()
    case = (await session.execute(select(Case))).scalar_one()
    assert case.reference in done.text
    assert f'href="/account/cases/{case.reference}"' in done.text
    assert case.attributes == {
        "size": "large",
        "street": "Elm Street",
        "depth": 12,
        "seen_on": "2026-04-03T12:00:00-04:00",
        "hazards": ["glass"],
    }
    assert "Near the school" in case.description
    assert "12 Elm Street" in case.description
    assert await count(session, Interaction, Interaction.kind == InteractionKind.form_submission) == 1
    # A sent application's pages lead to the confirmation.
    assert (await applicant.get(f"/applications/{draft_id}/pages/1")).headers["location"].endswith("/done")


async def test_validation_keeps_raw_answers_and_says_what_is_wrong(
    applicant: httpx.AsyncClient, session: AsyncSession
) -> None:
    draft_id = await _start(applicant)
    page2 = await applicant.get(f"/applications/{draft_id}/pages/2")
    answer = await applicant.post(f"/applications/{draft_id}/pages/2", data={**_form(page2), "f.depth": "deep"})
    assert answer.status_code == 422
    assert "<title>Error:" in answer.text
    assert 'href="#field-street">Enter an answer for “Which street?”</a>' in answer.text
    assert "“How deep, in cm?” must be a number, like 12" in answer.text
    assert 'value="deep"' in answer.text  # kept as typed
    await session.rollback()
    draft = await session.get(Draft, uuid.UUID(draft_id))
    assert draft is not None
    assert draft.answers["depth"] == "deep"
    assert draft.step == 2

    page3 = await applicant.get(f"/applications/{draft_id}/pages/3")
    bad_date = {**_form(page3), "f.seen_on.day": "31", "f.seen_on.month": "2", "f.seen_on.year": "2026"}
    answer = await applicant.post(f"/applications/{draft_id}/pages/3", data=bad_date)
    assert answer.status_code == 422
    assert 'href="#field-seen_on-day"' in answer.text
    assert 'value="31"' in answer.text

    # Sending with pages unanswered goes back to the check page with links to each page to fix.
    refused = await applicant.post(f"/applications/{draft_id}/submit")
    assert refused.status_code == 422
    assert f'href="/applications/{draft_id}/pages/1#field-size"' in refused.text
    assert await count(session, Case) == 0


async def test_save_and_come_back_later(applicant: httpx.AsyncClient) -> None:
    draft_id = await _start(applicant)
    page2 = await applicant.get(f"/applications/{draft_id}/pages/2")
    saved = await applicant.post(
        f"/applications/{draft_id}/pages/2", data={**_form(page2), "f.street": "Oak", "action": "save"}
    )
    assert saved.headers["location"] == f"/applications/{draft_id}/pages/2?saved=1"
    assert "Your answers are saved." in (await applicant.get(saved.headers["location"])).text
    # Coming back resumes on the page the person was last on.
    assert (await applicant.get("/services/POTHOLE/apply")).headers["location"].endswith("/pages/2")


async def test_two_devices_merge_fields_and_a_real_conflict_is_a_choice(
    app: FastAPI, applicant: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    draft_id = await _start(applicant)
    token = await sessions.start(session, citizen_id=resident.citizen_id, method="email_link", hours=1)
    await session.commit()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as desk:
        desk.cookies.set("ts_citizen", token)
        phone_page = await applicant.get(f"/applications/{draft_id}/pages/2")
        desk_page = await desk.get(f"/applications/{draft_id}/pages/2")
        # Different fields from the same base: both land.
        phone = await applicant.post(
            f"/applications/{draft_id}/pages/2", data={**_form(phone_page), "f.street": "Elm", "action": "save"}
        )
        desk_save = await desk.post(
            f"/applications/{draft_id}/pages/2", data={**_form(desk_page), "f.depth": "7", "action": "save"}
        )
        assert phone.status_code == desk_save.status_code == 303
        await session.rollback()
        draft = await session.get(Draft, uuid.UUID(draft_id))
        assert draft is not None
        assert draft.answers["street"] == "Elm"
        assert draft.answers["depth"] == "7"

        # The same field from the same base to different values: the second sees a choice.
        phone_page = await applicant.get(f"/applications/{draft_id}/pages/2")
        desk_page = await desk.get(f"/applications/{draft_id}/pages/2")
        await applicant.post(f"/applications/{draft_id}/pages/2", data={**_form(phone_page), "f.street": "Oak"})
        clash = await desk.post(f"/applications/{draft_id}/pages/2", data={**_form(desk_page), "f.street": "Pine"})
        assert clash.status_code == 409
        assert "Keep: Oak (saved from another device)" in clash.text
        assert "Use: Pine (what you typed here)" in clash.text
        chosen = await desk.post(
            f"/applications/{draft_id}/pages/2", data={**_form(clash), "choice.street": "yours", "action": "save"}
        )
        assert chosen.status_code == 303
        await session.rollback()
        draft = await session.get(Draft, uuid.UUID(draft_id))
        assert draft is not None
        assert draft.answers["street"] == "Pine"

    # The web visits are on the person's timeline: started once, continued on another device once.
    bodies = [i.body for i in (await session.execute(select(Interaction))).scalars()]
    assert bodies.count("Started an application: Report a pothole") == 1
    assert bodies.count("Continued the application on another device: Report a pothole") == 1


async def test_autosave_json_merges_and_reports_conflicts(applicant: httpx.AsyncClient) -> None:
    draft_id = await _start(applicant)
    url = f"/applications/{draft_id}/autosave"
    first = await applicant.post(url, json={"base_version": 0, "changes": {"street": "Elm"}, "step": 2})
    assert first.status_code == 200
    assert first.json()["applied"] == ["street"]
    version = first.json()["version"]
    other = await applicant.post(url, json={"base_version": 0, "changes": {"depth": "4"}})
    assert other.json()["applied"] == ["depth"]
    clash = await applicant.post(url, json={"base_version": version, "changes": {"depth": "9"}})
    assert clash.json()["conflicts"] == [
        {"field": "depth", "their_value": "4", "your_value": "9", "their_text": "4", "your_text": "9"}
    ]
    resolved = await applicant.post(
        f"/applications/{draft_id}/resolve",
        json={"field": "depth", "value": "9", "base_version": clash.json()["version"]},
    )
    assert resolved.json()["applied"] == ["depth"]
    assert resolved.json()["conflicts"] == []
    date = await applicant.post(
        url,
        json={
            "base_version": resolved.json()["version"],
            "changes": {"seen_on": {"day": "1", "month": "5", "year": "2026"}},
        },
    )
    assert date.json()["fields"]["seen_on"] == {"day": "1", "month": "5", "year": "2026"}
    state = (await applicant.get(f"/applications/{draft_id}/state")).json()
    assert state["answers"]["seen_on"] == "2026-05-01T12:00:00-04:00"
    assert state["fields"]["street"] == "Elm"
    assert state["step"] == 2
    assert "_devices" not in state["answers"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (b"{not json", 422, "must be JSON"),
        (b"[1]", 422, "JSON object"),
        (json.dumps({"base_version": "one", "changes": {}}).encode(), 422, "whole number"),
        (json.dumps({"base_version": 0, "changes": {"no_such": "x"}}).encode(), 422, "does not have"),
        (json.dumps({"base_version": 0, "changes": {"_devices": ["x"]}}).encode(), 422, "does not have"),
        (json.dumps({"base_version": 0, "changes": {"street": "x" * 300_000}}).encode(), 413, "at most"),
    ],
)
async def test_bad_autosaves_are_refused_readably(
    applicant: httpx.AsyncClient, body: bytes, status: int, detail: str
) -> None:
    draft_id = await _start(applicant)
    answer = await applicant.post(
        f"/applications/{draft_id}/autosave", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status
    assert detail in answer.json()["detail"]


async def test_someone_elses_draft_is_not_found(
    applicant: httpx.AsyncClient, app: FastAPI, session: AsyncSession
) -> None:
    draft_id = await _start(applicant)
    other = await make_resident(session, name="Sam Lee", email="sam@example.org")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as stranger:
        sign_in(stranger, other)
        for path in ("pages/1", "check", "state", "done"):
            assert (await stranger.get(f"/applications/{draft_id}/{path}")).status_code == 404
        saved = await stranger.post(f"/applications/{draft_id}/autosave", json={"base_version": 0, "changes": {}})
        assert saved.status_code == 404
        assert (await stranger.post(f"/applications/{draft_id}/submit")).status_code == 404
        assert (await stranger.get("/applications/not-a-uuid/pages/1")).status_code == 404


async def test_a_page_in_french(applicant: httpx.AsyncClient) -> None:
    draft_id = await _start(applicant)
    applicant.cookies.set("ts_lang", "fr")
    page = await applicant.get(f"/applications/{draft_id}/pages/1")
    assert '<html lang="fr"' in page.text
    assert "Quelle taille ?" in page.text
    assert ">Petit</label>" in page.text
    assert "Signaler un nid-de-poule" in page.text
    assert "Continuer" in page.text
    assert "Enregistrer et revenir plus tard" in page.text
    refused = await applicant.post(f"/applications/{draft_id}/pages/1", data=_form(page))
    assert "Sélectionnez une réponse pour « Quelle taille ? »" in refused.text


async def test_an_unknown_service_is_not_found(applicant: httpx.AsyncClient) -> None:
    assert (await applicant.get("/services/NOPE/apply")).status_code == 404


async def test_a_report_about_a_place_is_called_a_report_and_an_application_an_application(
    applicant: httpx.AsyncClient, session: AsyncSession
) -> None:
    draft_id = await _start(applicant)
    application = await applicant.get(f"/applications/{draft_id}/check")
    assert "before sending your application" in application.text
    service = await session.scalar(select(Service).where(Service.code == "POTHOLE"))
    assert service is not None
    service.open311 = True  # the same form, now a report about a place (Open311 and the map)
    await session.commit()
    report = await applicant.get(f"/applications/{draft_id}/check")
    assert "Check your answers before sending your report" in report.text
    assert "application" not in re.sub(r"<[^>]+>|/applications/[^\"' ]+", " ", report.text).lower()
    applicant.cookies.set("ts_lang", "fr")
    assert "votre signalement" in (await applicant.get(f"/applications/{draft_id}/check")).text
