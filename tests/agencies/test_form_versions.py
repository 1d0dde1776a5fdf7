"""Versions of a service's form: each publication is a numbered version kept forever, a case keeps the version it
was answered against (its answers read with that version's words after the form changes), and publishing only
what changed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_service
from townsquare.agencies import form_versions
from townsquare.agencies import service as agencies
from townsquare.agencies.catalogue import AttributeSpec, ServiceSpec, put_service
from townsquare.agencies.models import AttributeDatatype, ServiceFormVersion
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.casework import cases as casework
from townsquare.casework.records import answers_of
from townsquare.db import Change
from townsquare.interactions.models import Channel
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

SIZE: dict[str, Any] = {
    "code": "size",
    "datatype": "singlevaluelist",
    "description": "How big is it?",
    "required": True,
    "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    "translations": {"fr": {"description": "Quelle taille ?", "values": {"small": "Petit", "large": "Grand"}}},
}


async def _versions(session: AsyncSession, service_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        ServiceFormVersion.service_id == service_id, ServiceFormVersion.number.is_not(None)
    )
    return int((await session.execute(stmt)).scalar_one())


async def test_a_case_keeps_the_version_it_was_answered_against(session: AsyncSession, settings: Settings) -> None:
    works = await create_agency(session, slug="works", name="Works")
    await create_service(session, agency=works, code="POTHOLE", attributes=[SIZE])
    wren = await create_agent(session, email="wren@city.example", agencies=[works])
    agent = Principal("staff", wren.id, "Wren", StaffRole.agent, frozenset({works.id}))
    case = await casework.open_case(
        session, settings=settings, actor=agent, service_code="POTHOLE", channel=Channel.web,
        attributes={"size": "large"},
    )  # fmt: skip
    first = await session.get_one(ServiceFormVersion, case.form_version_id)
    assert first.number == 1
    service = await agencies.get_service(session, code="POTHOLE")
    changed = form_versions.normal(SIZE) | {
        "description": "What size is the hole?",
        "values": [*SIZE["values"], {"key": "huge", "name": "Huge"}],
    }
    second = await form_versions.publish(session, service=service, fields=[changed], pages={})
    number, kept_id, first_id, case_id = second.number, case.form_version_id, first.id, case.id
    await session.commit()
    session.expire_all()

    service = await agencies.get_service(session, code="POTHOLE")
    assert (service.form_version, number) == (2, 2)
    assert service.attributes[0].description == "What size is the hole?"
    assert kept_id == first_id
    kept = await form_versions.get_version(session, version_id=kept_id)
    assert kept is not None
    case = await session.get_one(Case, case_id)
    [answer] = answers_of(case, {}, {}, form_versions.questions(kept))
    assert answer.labels == {"en": "How big is it?", "fr": "Quelle taille ?"}
    assert answer.shown == {"en": "Large", "fr": "Grand"}
    assert await _versions(session, service.id) == 2


async def test_publishing_a_draft_keeps_the_form_before_it_as_version_one(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works", name="Works")
    service = await create_service(session, agency=works, code="POTHOLE", attributes=[SIZE])
    draft = await form_versions.draft(session, service=service)
    draft.fields = [*draft.fields, form_versions.normal({"code": "note", "datatype": "text", "description": "Note"})]
    published = await form_versions.publish_draft(session, service=service, by=None)
    number, service_id = published.number, service.id
    await session.commit()
    session.expire_all()
    rows = await form_versions.versions(session, service_id=service_id)
    assert [(r.number, [f["code"] for f in r.fields]) for r in rows] == [(2, ["size", "note"]), (1, ["size"])]
    assert number == 2
    live = await agencies.get_service(session, code="POTHOLE")
    assert [a.code for a in live.attributes] == ["size", "note"]
    fresh = await form_versions.draft(session, service=live)
    assert fresh.number is None
    assert [f["code"] for f in fresh.fields] == ["size", "note"]


def _spec(description: str) -> ServiceSpec:
    question = AttributeSpec(code="size", datatype=AttributeDatatype.string, description=description, page=1)
    return ServiceSpec(code="POTHOLE", name="Report a pothole", attributes=[question])


async def test_putting_the_same_form_again_publishes_nothing(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works", name="Works")
    service, change = await put_service(session, agency_id=works.id, spec=_spec("How big?"))
    assert change is Change.created
    again, change = await put_service(session, agency_id=works.id, spec=_spec("How big?"))
    assert change is Change.unchanged
    assert await _versions(session, service.id) == 1
    _, change = await put_service(session, agency_id=works.id, spec=_spec("How big is it?"))
    assert change is Change.updated
    assert await _versions(session, service.id) == 2
    assert again.form_version == 2


@pytest.mark.postgres_only
async def test_two_first_cases_at_once_share_one_first_version(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        works = await create_agency(s, slug="works", name="Works")
        service = await create_service(s, agency=works, code="POTHOLE", attributes=[SIZE])
        service_id, agency_id = service.id, works.id
        await s.commit()

    async def open_one(title: str) -> uuid.UUID | None:
        async with runtime.db.session() as s:
            case = await cases.open_case(
                s, prefix="TS", agency_id=agency_id, title=title, channel="web", service_id=service_id
            )
            kept = case.form_version_id
            await s.commit()
            return kept

    first, second = await asyncio.gather(open_one("One"), open_one("Two"))
    assert first is not None
    assert first == second
    async with runtime.db.session() as s:
        assert await _versions(s, service_id) == 1
