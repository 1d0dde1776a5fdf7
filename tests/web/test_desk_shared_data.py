"""The desk's "tell us once" on a person and a case: consent recorded by an agent on the phone, shared values read
only through the access decision (the refusal shown, nothing revealed), and a case's answers marked verified or
self-declared from where they came from."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from tests.sharing.world import PURPOSE, World, sharing_world
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.sharing.models import Consent
from townsquare.staff.models import AuditEntry, StaffAccount

KEY = "revenue.household_income"


async def _world(session: AsyncSession, language: str = "en") -> tuple[World, StaffAccount]:
    world = await sharing_world(session)
    world.person.language = language
    agent = await create_staff(session, email="ben.agent@city.example", agencies=[world.benefits])
    await create_staff(session, email="rev.agent@city.example", agencies=[world.revenue])
    await session.commit()
    return world, agent


async def _audit(session: AsyncSession, action: str) -> list[dict[str, Any]]:
    await session.commit()
    rows = (await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars().all()
    return [{"actor": r.actor_id, "citizen": r.citizen_id, **r.detail} for r in rows]


async def test_an_agent_records_consent_by_voice_then_sees_the_values_read_through_the_check(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, agent = await _world(session)
    revenue_v1 = world.agreements[0]
    await sign_in_staff(client, "ben.agent@city.example")
    page = await client.get(f"/desk/citizens/{world.person.id}")
    assert page.status_code == 200
    assert 'id="shared-data"' in page.text
    assert "DSA-0001 v1" in page.text
    assert "DSA-0002 v1" in page.text
    assert "No consent given yet." in page.text
    assert "Benefits would like to read this information that Revenue holds about you: Household income." in page.text

    refused = await client.get(
        f"/desk/citizens/{world.person.id}/shared-values", params={"agreement": str(revenue_v1.id)}
    )
    assert refused.status_code == 200
    assert "The read was refused" in refused.text
    assert "has not consented to Benefits reading Household income" in refused.text
    assert "41200" not in refused.text
    assert [r["refused"] for r in await _audit(session, "person_data.refused")] == [{KEY: "consent-needed"}]

    unconfirmed = await client.post(
        f"/desk/citizens/{world.person.id}/consents",
        data={"agreement": str(revenue_v1.id), "attributes": [KEY], "channel": "voice"},
    )
    assert unconfirmed.status_code == 422
    assert f'href="#consent-{revenue_v1.id}-confirmed"' in unconfirmed.text
    assert (await session.execute(select(Consent))).scalars().all() == []

    given = await client.post(
        f"/desk/citizens/{world.person.id}/consents",
        data={"agreement": str(revenue_v1.id), "attributes": [KEY], "channel": "voice", "confirmed": "yes"},
    )
    assert given.status_code == 303
    await session.commit()
    consent = (await session.execute(select(Consent))).scalar_one()
    assert (consent.channel, consent.recorded_by_id, consent.attributes) == ("voice", agent.id, [KEY])
    assert (consent.consumer_agency_id, consent.purpose, consent.agreements) == (
        world.benefits.id,
        PURPOSE,
        ["DSA-0001 v1"],
    )
    recorded = await _audit(session, "consent.recorded")
    assert recorded == [{"actor": str(agent.id), "citizen": world.person.id, "agreement": "DSA-0001 v1",
                         "attributes": [KEY], "channel": "voice", "purpose": PURPOSE}]  # fmt: skip
    after = await client.get(given.headers["location"])
    assert "The consent was recorded." in after.text
    assert "recorded by Ben.Agent" in after.text

    shown = await client.get(
        f"/desk/citizens/{world.person.id}/shared-values", params={"agreement": str(revenue_v1.id)}
    )
    assert shown.status_code == 200
    assert "41200" in shown.text
    assert "Verified" in shown.text
    assert "with the person's consent" in shown.text.replace("&#39;", "'")
    reads = await _audit(session, "person_data.read")
    assert [(r["actor"], r["agreements"], r["consents"]) for r in reads] == [
        (str(agent.id), ["DSA-0001 v1"], [str(consent.id)])
    ]


async def test_the_script_is_read_in_the_persons_language_and_other_agencies_have_no_panel(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, _agent = await _world(session, language="fr")
    await sign_in_staff(client, "ben.agent@city.example")
    page = await client.get(f"/desk/citizens/{world.person.id}")
    assert "Benefits souhaite consulter ces renseignements que Revenue détient à votre sujet" in page.text
    assert 'lang="fr"' in page.text

    await sign_in_staff(client, "rev.agent@city.example")  # Revenue provides; it reads nothing under these
    page = await client.get(f"/desk/citizens/{world.person.id}")
    assert page.status_code == 200
    assert 'id="shared-data"' not in page.text
    agreement = world.agreements[0].id
    refused = await client.post(
        f"/desk/citizens/{world.person.id}/consents",
        data={"agreement": str(agreement), "attributes": [KEY], "channel": "voice", "confirmed": "yes"},
    )
    assert refused.status_code == 404
    values = await client.get(f"/desk/citizens/{world.person.id}/shared-values", params={"agreement": str(agreement)})
    assert values.status_code == 404
    assert "41200" not in values.text


async def test_the_case_page_marks_each_answer_verified_or_self_declared(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world, _agent = await _world(session)
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=world.benefits.id,
        title="Low-income transit pass",
        channel="web",
        citizen_id=world.person.id,
        attributes={"household_income": 41200, "household_size": 3},
    )
    case.provenance = {
        "household_income": {
            "source": KEY,
            "agency": "revenue",
            "verified": True,
            "last_updated": "2026-11-01T09:00:00+00:00",
            "agreement": "DSA-0001 v1",
            "consent_id": "9d7f0c1e-0000-4000-8000-000000000001",
        }
    }
    await session.commit()
    await sign_in_staff(client, "ben.agent@city.example")
    page = await client.get(f"/desk/cases/{case.reference}")
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'")
    assert "Verified · from Revenue · 1 Nov 2026 · under DSA-0001 v1 · with the resident's consent" in text
    assert 'data-mark="verified"' in text
    assert 'data-mark="declared"' in text
    assert "Self-declared" in text
