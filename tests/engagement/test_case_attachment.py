"""Every path by which a contact lands on a case, and the ways it must not: a contact joins a case only when it
names the case and is the case's person's, continues that case's own thread, or follows soon after on the same
subject. Starting an application for one service once left "Started an application: Report a pothole" on the
resident's parking-permit case (and in their data export): a visit joined whatever conversation was recent.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency, create_service
from townsquare.agencies import service as agencies
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.interactions.models import Interaction, InteractionKind
from townsquare.residents import applications, data_export

SENDER = {"kind": "email", "value": "maria@example.org"}


@pytest.fixture
async def headers(session: AsyncSession) -> dict[str, str]:
    works = await create_agency(session, slug="city-works", contact=("sms", "+16135550100"))
    transport = await create_agency(session, slug="transport", name="Transport")
    await create_service(session, agency=works, code="POTHOLE", name="Report a pothole")
    await create_service(session, agency=transport, code="PARK-PERMIT", name="Parking permit")
    h = await api_key_headers(session)
    await session.commit()
    return h


async def _apply(client: httpx.AsyncClient, headers: dict[str, str], code: str, text: str) -> dict[str, str]:
    body = {"channel": "web", "kind": "form_submission", "service_code": code, "from": SENDER, "text": text}
    answer = await client.post("/api/v1/interactions", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def _on_case(session: AsyncSession, reference: str) -> list[str]:
    await session.commit()  # a fresh read
    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    rows = await session.execute(select(Interaction.body).where(Interaction.case_id == case.id))
    return list(rows.scalars())


async def test_starting_another_application_is_never_recorded_on_an_earlier_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession, runtime: Runtime
) -> None:
    permit = await _apply(client, headers, "PARK-PERMIT", "A permit for Elm St")
    citizen_id = uuid.UUID(
        str((await session.execute(select(Case.citizen_id).where(Case.reference == permit["case_reference"]))).scalar())
    )
    service = await applications.service_with_form(session, service_id=await _service_id(session, "POTHOLE"))
    await applications.start_or_resume(
        session, runtime.pipeline, citizen_id=citizen_id, service=service, device="phone"
    )
    assert not any("Report a pothole" in b for b in await _on_case(session, permit["case_reference"]))
    visit = (await session.execute(select(Interaction).where(Interaction.kind == InteractionKind.visit))).scalar_one()
    assert visit.case_id is None
    exported = await data_export.export(session, citizen_id=citizen_id)
    [started] = [i for i in exported["interactions"] if i["kind"] == "visit"]
    assert started["case_reference"] is None  # nor in what the resident downloads


async def _service_id(session: AsyncSession, code: str) -> uuid.UUID:
    return (await agencies.get_service(session, code=code)).id


async def test_a_stranger_quoting_a_reference_does_not_land_in_that_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    permit = await _apply(client, headers, "PARK-PERMIT", "A permit for Elm St")
    text = f"What is happening with {permit['case_reference']}?"
    body = {"channel": "sms", "from": {"kind": "phone", "value": "+15550109999"}, "to": "+16135550100", "text": text}
    answer = (await client.post("/api/v1/interactions", json=body, headers=headers)).json()
    assert answer["case_reference"] is None
    assert text not in await _on_case(session, permit["case_reference"])


async def test_the_person_quoting_their_own_reference_lands_in_their_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    permit = await _apply(client, headers, "PARK-PERMIT", "A permit for Elm St")
    await _apply(client, headers, "POTHOLE", "A hole on Bank St")  # the more recent conversation
    text = f"Re {permit['case_reference']}: is it ready?"
    answer = (await client.post("/api/v1/interactions", json={"channel": "email", "from": SENDER, "text": text},
                                headers=headers)).json()  # fmt: skip
    assert answer["case_reference"] == permit["case_reference"]


async def test_a_form_quoting_a_reference_in_its_text_opens_its_own_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    first = await _apply(client, headers, "POTHOLE", "A hole on Bank St")
    second = await _apply(client, headers, "POTHOLE", f"Another one, near the one in {first['case_reference']}")
    assert second["case_reference"] not in (None, first["case_reference"])
    assert len(await _on_case(session, first["case_reference"])) == 1


async def test_a_message_about_another_service_does_not_join_a_recent_case(
    client: httpx.AsyncClient, headers: dict[str, str], session: AsyncSession
) -> None:
    permit = await _apply(client, headers, "PARK-PERMIT", "A permit for Elm St")
    same = {"channel": "email", "from": SENDER, "text": "And the permit?", "service_code": "PARK-PERMIT"}
    joined = (await client.post("/api/v1/interactions", json=same, headers=headers)).json()
    assert joined["case_reference"] == permit["case_reference"]  # soon after, on the same service: it follows on
    other = same | {"text": "There is a hole", "service_code": "POTHOLE"}
    apart = (await client.post("/api/v1/interactions", json=other, headers=headers)).json()
    assert apart["case_reference"] is None
    assert apart["conversation_id"] != permit["conversation_id"]
    assert "There is a hole" not in await _on_case(session, permit["case_reference"])
