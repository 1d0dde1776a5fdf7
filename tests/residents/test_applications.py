"""Applications: pages from the form definition, answers kept as typed, and one case per draft however it is sent."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_agency, create_citizen, create_service
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.drafts import service as drafts
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.residents import applications as apps

ATTRIBUTES = [
    {"code": "street", "datatype": "string", "required": True, "page": 2},
    {"code": "size", "datatype": "singlevaluelist", "values": [{"key": "big", "name": "Big"}], "page": 1},
    {"code": "seen_on", "datatype": "datetime", "page": 2},
]


async def _setup(runtime: Runtime) -> tuple[uuid.UUID, uuid.UUID]:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        service = await create_service(s, agency=agency, attributes=ATTRIBUTES)
        citizen = await create_citizen(s)
        await s.commit()
        return service.id, citizen.id


async def test_pages_follow_the_attribute_page_numbers_then_details(runtime: Runtime) -> None:
    service_id, _ = await _setup(runtime)
    async with runtime.db.session() as s:
        service = await apps.service_with_form(s, service_id=service_id)
    pages = apps.form_pages(service)
    assert [[a.code for a in p.attributes] for p in pages] == [["size"], ["street", "seen_on"], []]
    assert [p.number for p in pages] == [1, 2, 3]
    assert pages[-1].details


def test_dates_are_kept_as_typed_until_real_then_stored_at_noon_local() -> None:
    from townsquare.agencies.models import AttributeDatatype, ServiceAttribute

    attr = ServiceAttribute(code="d", datatype=AttributeDatatype.datetime, description="d", values=[])
    assert apps.to_stored(attr, {"day": "31", "month": "2", "year": "2026"}, timezone="America/Toronto") == {
        "day": "31",
        "month": "2",
        "year": "2026",
    }
    stored = apps.to_stored(attr, {"day": "1", "month": "7", "year": "2026"}, timezone="America/Toronto")
    assert stored == "2026-07-01T12:00:00-04:00"
    assert apps.to_form(attr, stored) == {"day": "1", "month": "7", "year": "2026"}
    assert apps.to_stored(attr, {"day": "", "month": "", "year": ""}, timezone="UTC") == ""


@pytest.mark.postgres_only
async def test_two_devices_sending_at_once_make_one_case(runtime: Runtime, session: AsyncSession) -> None:
    service_id, citizen_id = await _setup(runtime)
    async with runtime.db.session() as s:
        service = await apps.service_with_form(s, service_id=service_id)
        draft = await apps.start_or_resume(s, runtime.pipeline, citizen_id=citizen_id, service=service, device="a")
        draft_id = draft.id
        await drafts.save(
            s,
            draft_id=draft_id,
            citizen_id=citizen_id,
            base_version=0,
            changes={"street": "Elm", "size": "big", apps.DETAILS: "Deep"},
        )
        await s.commit()

    async def send() -> str | None:
        async with runtime.db.session() as s:
            outcome = await apps.submit(s, runtime.pipeline, draft_id=draft_id, citizen_id=citizen_id)
            return outcome.case_reference

    first, second = await asyncio.gather(send(), send())
    assert first is not None
    assert first == second
    assert await count(session, Case) == 1
    assert await count(session, Interaction, Interaction.kind == InteractionKind.form_submission) == 1
    case = (await session.execute(select(Case))).scalar_one()
    assert case.attributes == {"street": "Elm", "size": "big"}
    assert case.description == "Deep"


async def test_a_new_device_is_recorded_once_and_missing_answers_stop_the_submission(
    runtime: Runtime, session: AsyncSession
) -> None:
    service_id, citizen_id = await _setup(runtime)
    async with runtime.db.session() as s:
        service = await apps.service_with_form(s, service_id=service_id)
        draft = await apps.start_or_resume(s, runtime.pipeline, citizen_id=citizen_id, service=service, device="a")
        for device in ("a", "b", "b", "a"):
            await apps.note_visit(s, runtime.pipeline, draft=draft, service=service, device=device)
        outcome = await apps.submit(s, runtime.pipeline, draft_id=draft.id, citizen_id=citizen_id)
    assert outcome.case_reference is None
    assert outcome.problems == [(2, "street", "required")]
    visits = [i.body for i in (await session.execute(select(Interaction))).scalars()]
    assert sorted(visits) == [
        "Continued the application on another device: Report a pothole",
        "Started an application: Report a pothole",
    ]
    assert await count(session, Case) == 0
