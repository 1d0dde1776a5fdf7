"""The desk's satisfaction pages: CSAT, average and response rate by channel, agent and the other groupings, the
filters, the CSV of each table, and the comment search, which is audited and stays within the supervisor's
agencies (another agency's supervisor sees nothing of it)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.surveys.world import create_survey
from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.staff.models import AuditEntry, StaffRole


@dataclass(frozen=True)
class Desk:
    works_id: str
    parks_id: str


@pytest.fixture
async def desk(session: AsyncSession) -> Desk:
    works = await create_agency(session, slug="city-works", name="City Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    pothole = await create_service(session, agency=works, code="POTHOLE", name="Pothole repair")
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[works])
    await create_staff(session, email="pat@city.example", role=StaffRole.supervisor, agencies=[parks])
    await create_staff(session, email="ana@city.example", agencies=[works])
    ana = await create_staff(session, email="ana.agent@city.example", agencies=[works])
    maria = await create_citizen(session, name="Maria Lopez", phone="+16135551234")
    kim = await create_citizen(session, name="Kim Tran", phone="+16135554321")
    await create_survey(
        session,
        citizen=maria,
        agency=works,
        service=pothole,
        staff_id=ana.id,
        score=5,
        comment="Great crew, fast work",
    )
    await create_survey(session, citizen=kim, agency=works, service=pothole, score=2, comment="Nobody called back")
    await create_survey(session, citizen=kim, agency=works, channel="voice", staff_id=ana.id, score=4)
    await create_survey(session, citizen=maria, agency=works, channel="email")  # not answered
    await create_survey(session, citizen=kim, agency=parks, score=1, comment="The crew left the bridge muddy")
    await session.commit()
    return Desk(str(works.id), str(parks.id))


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_results_by_channel_and_by_agent_with_their_csv(client: httpx.AsyncClient, desk: Desk) -> None:
    await sign_in_staff(client, "sue@city.example")

    page = await client.get("/desk/satisfaction")
    by_channel = rows((await client.get("/desk/satisfaction/results.csv")).text)
    by_agent = rows((await client.get("/desk/satisfaction/results.csv?by=agent")).text)
    agent_page = await client.get("/desk/satisfaction?by=agent")

    assert page.status_code == 200
    assert '<th scope="row">Text message</th>' in page.text
    assert by_channel[0] == ["channel", "key", "sent", "answered", "response_rate", "csat", "average_score"]
    assert by_channel[1:] == [
        ["sms", "sms", "2", "2", "1.0000", "0.5000", "3.50"],
        ["email", "email", "1", "0", "0.0000", "", ""],
        ["voice", "voice", "1", "1", "1.0000", "1.0000", "4.00"],
        ["total", "", "4", "3", "0.7500", "0.6667", "3.67"],
    ]
    agents = {row[0]: row[2:] for row in by_agent[1:]}
    assert agents["Ana.Agent"] == ["2", "2", "1.0000", "1.0000", "4.50"]
    assert agents[""] == ["2", "1", "0.5000", "0.0000", "2.00"]  # no agent: a case nobody was assigned
    assert "Ana.Agent" in agent_page.text
    assert "Parks" not in page.text  # another agency is not even offered as a filter


async def test_filters_narrow_the_figures(client: httpx.AsyncClient, desk: Desk) -> None:
    await sign_in_staff(client, "sue@city.example")

    voice = rows((await client.get("/desk/satisfaction/results.csv?channel=voice")).text)
    foreign = rows((await client.get(f"/desk/satisfaction/results.csv?agency={desk.parks_id}")).text)
    future = rows((await client.get("/desk/satisfaction/results.csv?since=2999-01-01")).text)

    assert voice[-1][:4] == ["total", "", "1", "1"]
    assert foreign[-1][:3] == ["total", "", "4"]  # not theirs: the filter is dropped, never widened
    assert future[-1][:3] == ["total", "", "0"]


async def test_comment_search_is_audited_and_stays_within_the_agency(
    client: httpx.AsyncClient, session: AsyncSession, desk: Desk
) -> None:
    await sign_in_staff(client, "sue@city.example")
    found = await client.get("/desk/satisfaction/comments?q=CREW")
    exported = rows((await client.get("/desk/satisfaction/comments.csv?q=crew")).text)

    assert "Great crew, fast work" in found.text
    assert "Nobody called back" not in found.text
    assert "bridge" not in found.text
    assert [r[-1] for r in exported[1:]] == ["Great crew, fast work"]
    await fresh(session)
    audited = (await session.execute(select(AuditEntry).where(AuditEntry.action == "survey.comment.read"))).scalars()
    reads = list(audited)
    assert len(reads) == 2  # the page and the export, each comment shown once
    assert {r.purpose for r in reads} == {
        "GET /desk/satisfaction/comments",
        "GET /desk/satisfaction/comments.csv",
    }
    assert all(r.citizen_id is not None and str(r.agency_id) == desk.works_id for r in reads)

    await sign_in_staff(client, "pat@city.example")
    theirs = await client.get("/desk/satisfaction/comments?q=crew")
    assert "The crew left the bridge muddy" in theirs.text
    assert "Great crew" not in theirs.text
    assert "Great crew" not in (await client.get(f"/desk/satisfaction/comments?agency={desk.works_id}")).text


async def test_agents_are_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    await sign_in_staff(client, "ana@city.example")
    for path in ("/desk/satisfaction", "/desk/satisfaction/comments", "/desk/satisfaction/comments.csv"):
        refused = await client.get(path, headers={"Accept": "text/html"})
        assert refused.status_code == 403, path


async def test_the_pages_speak_french(client: httpx.AsyncClient, desk: Desk) -> None:
    await sign_in_staff(client, "sue@city.example")
    client.cookies.set("ts_lang", "fr")
    page = await client.get("/desk/satisfaction")
    comments = await client.get("/desk/satisfaction/comments")
    assert "Taux de réponse" in page.text
    assert "Commentaires de satisfaction" in comments.text
