"""The form builder on the desk: who may reach it, adding, changing, moving and removing fields of the draft,
page titles, the preview in both languages, publishing a version (audited), and the changes it refuses with a
message naming the field: a change that would orphan answers, a condition on a later field, a list without
choices."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.staff import sign_in_staff
from tests.web.portal.conftest import make_resident, sign_in
from townsquare.agencies import service as agencies
from townsquare.agencies.models import ServiceAttribute
from townsquare.cases import service as cases
from townsquare.drafts import service as drafts
from townsquare.staff.models import AuditEntry, StaffRole

BASE = "/desk/admin/services/PERMIT/form"
HTML = {"Accept": "text/html"}
PET = {
    "code": "pet",
    "datatype": "singlevaluelist",
    "description": "Do you have a pet?",
    "values": [{"key": "dog", "name": "Dog"}, {"key": "none", "name": "None"}],
    "translations": {"fr": {"description": "Avez-vous un animal ?", "values": {"dog": "Chien", "none": "Aucun"}}},
}


async def _world(session: AsyncSession) -> Any:
    works = await create_agency(session, slug="works", name="Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    service = await create_service(session, agency=works, code="PERMIT", name="Parking permit", attributes=[PET])
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="wa@city.example", role=StaffRole.agency_admin, agencies=[works])
    await create_staff(session, email="pa@city.example", role=StaffRole.agency_admin, agencies=[parks])
    await create_staff(session, email="ana@city.example", agencies=[works])
    await session.commit()
    return service


def _field(**sent: str) -> dict[str, str]:
    return {"code": "pet_name", "datatype": "string", "label": "What is its name?", "page": "1"} | sent


async def test_administrators_of_the_agency_reach_the_builder_and_others_do_not(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    for email, status in (
        ("root@city.example", 200),
        ("wa@city.example", 200),
        ("pa@city.example", 404),  # another agency's service answers as an unknown one
        ("ana@city.example", 403),
    ):
        await sign_in_staff(client, email)
        response = await client.get(BASE, headers=HTML)
        assert response.status_code == status, email
    await sign_in_staff(client, "pa@city.example")
    refused = await client.post(f"{BASE}/publish", headers=HTML)
    assert refused.status_code == 404


async def test_a_field_is_added_changed_moved_and_removed_in_the_draft_then_published(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _world(session)
    await sign_in_staff(client, "wa@city.example")
    condition = {"condition_field": "pet", "condition_values": "dog", "required": "yes", "label_fr": "Son nom ?"}
    added = await client.post(f"{BASE}/field", data=_field(**condition))
    assert (added.status_code, added.headers["location"]) == (303, f"{BASE}?notice=saved")
    page = await client.get(BASE, headers=HTML)
    assert "What is its name?" in page.text
    assert "Shown only when “Do you have a pet?” is answered dog" in page.text
    moved = await client.post(f"{BASE}/move", data={"field": "pet_name", "direction": "up"}, headers=HTML)
    assert moved.status_code == 422  # it cannot come before the field that shows it
    assert "pet_name is shown by the field before it" in moved.text
    edit = await client.get(f"{BASE}/field", params={"field": "pet_name"}, headers=HTML)
    assert 'value="pet_name"' in edit.text
    changed = await client.post(
        f"{BASE}/field", data=_field(original="pet_name", label="Its name", page="2", **condition)
    )
    assert changed.status_code == 303
    titles = {"title.1.en": "Your pet", "title.1.fr": "Votre animal", "title.2.en": "Its name"}
    assert (await client.post(f"{BASE}/pages", data=titles)).status_code == 303
    english = await client.get(f"{BASE}/preview", headers=HTML)
    french = await client.get(f"{BASE}/preview", params={"language": "fr"}, headers=HTML)
    assert "Its name" in english.text
    assert "Avez-vous un animal ?" in french.text
    assert "Son nom ?" in french.text
    assert "no French title" in french.text  # page 2 has an English title only
    await session.commit()
    session.expire_all()
    live = await agencies.get_service(session, code="PERMIT")
    assert [a.code for a in live.attributes] == ["pet"]  # nothing changes for residents before publishing

    published = await client.post(f"{BASE}/publish")
    assert (published.status_code, published.headers["location"]) == (303, f"{BASE}?notice=published")
    await session.commit()
    session.expire_all()
    live = await agencies.get_service(session, code="PERMIT")
    asked = [(a.code, a.page, a.condition) for a in live.attributes]
    assert asked == [("pet", 1, {}), ("pet_name", 2, {"field": "pet", "values": ["dog"]})]
    assert live.form_version == 2  # the form before the builder is version 1
    assert live.form_pages["1"] == {"title": "Your pet", "translations": {"fr": {"title": "Votre animal"}}}
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "service.form.publish"))).scalars()
    assert [(e.subject_id, e.detail) for e in audit] == [(str(service.id), {"version": 2})]
    again = await client.post(f"{BASE}/publish", headers=HTML)
    assert again.status_code == 422
    assert "The draft is the same as the published form" in again.text
    removed = await client.post(f"{BASE}/remove", data={"field": "pet"}, headers=HTML)
    assert removed.status_code == 422  # pet_name's condition names it
    assert (await client.post(f"{BASE}/remove", data={"field": "pet_name"})).status_code == 303


async def test_bad_fields_are_refused_with_a_message_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    cases_of_bad = [
        (_field(datatype="singlevaluelist"), "choices", "A list needs choices"),
        (_field(code="Pet Name"), "code", "Enter a short name for the field"),
        (_field(code="pet"), "code", "Another field already has the short name pet"),
        (_field(label=""), "label", "Enter the question in English"),
        (_field(condition_field="later", condition_values="x"), "condition_field", "must name a field that comes"),
        (_field(condition_field="pet", condition_values="cat"), "condition_values", "among the earlier field"),
    ]
    for sent, field, message in cases_of_bad:
        response = await client.post(f"{BASE}/field", data=sent, headers=HTML)
        assert response.status_code == 422, sent
        assert re.search(rf'<a href="#field-{field}">[^<]*{re.escape(message)}', response.text), (field, message)
        assert 'aria-invalid="true"' in response.text


async def test_a_change_that_would_orphan_answers_is_refused(client: httpx.AsyncClient, session: AsyncSession) -> None:
    service = await _world(session)
    resident = await create_citizen(session, name="Ana")
    await cases.open_case(
        session, prefix="TS", agency_id=service.agency_id, title="Permit", channel="web", service_id=service.id,
        attributes={"pet": "dog"},
    )  # fmt: skip
    draft = await drafts.start_or_resume(session, citizen_id=resident.id, service_id=service.id)
    draft.answers = {"pet": "none"}
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    pet = {"original": "pet", "code": "pet", "label": "Do you have a pet?", "page": "1"}
    kind = await client.post(f"{BASE}/field", data=pet | {"datatype": "string"}, headers=HTML)
    assert kind.status_code == 422
    assert "“Do you have a pet?” already has answers of its kind" in kind.text
    assert "add a new field instead" in kind.text
    for kept, lost in (("dog | Dog", "none"), ("none | None", "dog")):  # a case chose dog, a draft none
        choices = await client.post(
            f"{BASE}/field", data=pet | {"datatype": "singlevaluelist", "choices": kept}, headers=HTML
        )
        assert choices.status_code == 422
        assert f"has answers that chose {lost}" in choices.text
    grown = pet | {"datatype": "singlevaluelist", "choices": "dog | Dog\nnone | None\ncat | Cat"}
    assert (await client.post(f"{BASE}/field", data=grown)).status_code == 303


async def test_a_sent_case_reads_with_its_version_s_words_on_the_desk_and_the_portal_after_a_change(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    service = await _world(session)
    resident = await make_resident(session)
    case = await cases.open_case(
        session, prefix="TS", agency_id=service.agency_id, title="Permit", channel="web", service_id=service.id,
        citizen_id=resident.citizen_id, attributes={"pet": "dog"},
    )  # fmt: skip
    reference = case.reference
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    reworded = {
        "original": "pet",
        "code": "pet",
        "datatype": "singlevaluelist",
        "label": "Which animal lives with you?",
        "page": "1",
        "choices": "dog | Hound\nnone | None",
    }
    assert (await client.post(f"{BASE}/field", data=reworded)).status_code == 303
    assert (await client.post(f"{BASE}/publish")).status_code == 303
    desk = await client.get(f"/desk/cases/{reference}", headers=HTML)
    assert "Do you have a pet?" in desk.text
    assert "Which animal lives with you?" not in desk.text
    client.cookies.clear()
    sign_in(client, resident)
    portal = await client.get(f"/account/cases/{reference}", cookies={"ts_lang": "fr"})
    assert "Avez-vous un animal ?" in portal.text
    assert "Chien" in portal.text


async def test_editing_a_field_keeps_what_the_builder_does_not_edit(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    works = await create_agency(session, slug="works", name="Works")
    income = {"code": "income", "description": "Household income", "datatype": "number"}
    await create_service(session, agency=works, code="PERMIT", attributes=[income])
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await session.commit()
    await session.execute(update(ServiceAttribute).values(prefill_from="revenue.household_income"))
    await session.commit()
    await sign_in_staff(client, "root@city.example")
    sent = {"original": "income", "code": "income", "datatype": "number", "label": "Your household income", "page": "1"}
    assert (await client.post(f"{BASE}/field", data=sent)).status_code == 303
    assert (await client.post(f"{BASE}/publish")).status_code == 303
    await session.commit()
    session.expire_all()
    live = await agencies.get_service(session, code="PERMIT")
    assert [(a.description, a.prefill_from) for a in live.attributes] == [
        ("Your household income", "revenue.household_income")
    ]
