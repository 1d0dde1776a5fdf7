"""The administrators' view of the audit log over HTTP: filters by person, agency, action, subject and dates, newest
first a page at a time, the agency administrator kept to its agencies' rows, each row in words, the CSV export of
the filtered rows, and every read and export written to the log with the filters used."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_citizen, create_staff
from tests.support.staff import sign_in_staff
from townsquare.clock import utcnow
from townsquare.staff import audit_reads
from townsquare.staff.models import AuditEntry, StaffRole
from townsquare.web.i18n import LANGUAGE_COOKIE


async def _log(session: AsyncSession) -> dict[str, uuid.UUID]:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="boss@city.example", role=StaffRole.agency_admin, agencies=[roads])
    ana = await create_staff(session, email="ana@city.example", agencies=[roads])
    pat = await create_staff(session, email="pat@city.example", agencies=[parks])
    maria = await create_citizen(session, name="Maria Lopez")
    now = utcnow()
    rows = [
        (ana.id, "citizen.read", "citizen", str(maria.id), maria.id, roads.id, now - timedelta(days=3)),
        (ana.id, "case.status", "case", "TS-2026-000001", maria.id, roads.id, now - timedelta(days=2)),
        (pat.id, "citizen.read", "citizen", str(maria.id), maria.id, parks.id, now - timedelta(days=1)),
    ]
    for actor, action, kind, subject, citizen, agency, at in rows:
        session.add(
            AuditEntry(
                occurred_at=at,
                actor_kind="staff",
                actor_id=str(actor),
                action=action,
                subject_kind=kind,
                subject_id=subject,
                citizen_id=citizen,
                agency_id=agency,
            )
        )
    await session.commit()
    return {"roads": roads.id, "parks": parks.id, "ana": ana.id, "pat": pat.id, "maria": maria.id}


def _rows(html: str) -> int:
    return html.count("<tr>") - 1  # the header's row


async def _reads(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.occurred_at)
    return list((await session.scalars(stmt)).all())


async def test_rows_in_words_newest_first_and_filtered(client: httpx.AsyncClient, session: AsyncSession) -> None:
    ids = await _log(session)
    await sign_in_staff(client, "root@city.example")
    page = (await client.get(f"/desk/audit?resident={ids['maria']}")).text.split('id="audit"')[1]
    rows = page.split("<tr>")[2:5]
    assert ["Pat" in rows[0], "Changed a case&#39;s status" in rows[1], "Ana" in rows[2]] == [True, True, True]
    assert "Read a person&#39;s record" in page
    assert "citizen.read" not in page
    by_ana = (await client.get(f"/desk/audit?staff={ids['ana']}")).text
    assert "Pat" not in by_ana.split('id="audit"')[1]
    assert _rows(by_ana.split('id="audit"')[1]) == 2
    about_maria = (await client.get(f"/desk/audit?resident={ids['maria']}&agency={ids['parks']}")).text
    assert _rows(about_maria.split('id="audit"')[1]) == 1
    by_action = (await client.get("/desk/audit?action=case.status&subject_kind=case&subject_id=TS-2026-000001")).text
    assert _rows(by_action.split('id="audit"')[1]) == 1
    today = utcnow().date()
    dated = (await client.get(f"/desk/audit?from={today - timedelta(days=1)}&to={today}&action=citizen.read")).text
    assert _rows(dated.split('id="audit"')[1]) == 1
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    assert "A consulté le dossier d&#39;une personne" in (await client.get("/desk/audit")).text


async def test_bad_filters_are_named_and_nothing_is_shown(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _log(session)
    await sign_in_staff(client, "root@city.example")
    refused = await client.get("/desk/audit?resident=someone&from=yesterday&to=2026-01-01")
    assert refused.status_code == 422
    for field in ("resident", "from"):
        assert f'href="#field-{field}"' in refused.text
    backwards = await client.get("/desk/audit?from=2026-02-01&to=2026-01-01")
    assert 'href="#field-to"' in backwards.text
    assert (await client.get("/desk/audit.csv?from=nope")).status_code == 422


async def test_an_agency_administrator_reads_only_its_agencies_rows(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ids = await _log(session)
    await sign_in_staff(client, "boss@city.example")
    table = (await client.get("/desk/audit")).text.split('id="audit"')[1]
    assert "Pat" not in table
    assert _rows(table) == 2  # its own reading of the log is written after the page is read
    theirs = (await client.get(f"/desk/audit?agency={ids['parks']}")).text.split('id="audit"')[1]
    assert "No rows match these filters." in theirs
    exported = await client.get("/desk/audit.csv")
    assert {r["agency_id"] for r in csv.DictReader(io.StringIO(exported.text))} <= {str(ids["roads"])}


async def test_reading_and_exporting_are_audited_with_the_filters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ids = await _log(session)
    await sign_in_staff(client, "root@city.example")
    await client.get(f"/desk/audit?staff={ids['ana']}&action=citizen.read")
    [read] = await _reads(session, "audit_log.read")
    assert read.detail["filters"] == {"staff_id": str(ids["ana"]), "action": "citizen.read"}
    assert read.subject_kind == "audit_log"
    exported = await client.get(f"/desk/audit.csv?resident={ids['maria']}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["citizen.read", "case.status", "citizen.read"]
    assert rows[0]["actor"] == "Pat"
    assert rows[0]["citizen_id"] == str(ids["maria"])
    [export] = await _reads(session, "audit_log.export")
    assert export.detail["filters"] == {"citizen_id": str(ids["maria"])}
    assert export.detail["limit"] == audit_reads.EXPORT_LIMIT


async def test_pages_follow_by_position_not_offset(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _log(session)
    monkeypatch.setattr(audit_reads, "PAGE_SIZE", 2)
    await sign_in_staff(client, "root@city.example")
    two = (await client.get("/desk/audit?action=citizen.read")).text
    assert _rows(two.split('id="audit"')[1]) == 2
    assert "Older rows" not in two
    first = (await client.get(f"/desk/audit?resident={ids['maria']}")).text
    token = first.split("before=")[1].split('"')[0]
    older = (await client.get(f"/desk/audit?resident={ids['maria']}&before={token}")).text
    table = older.split('id="audit"')[1]
    assert _rows(table) == 1
    assert "Ana" in table
    assert (await client.get("/desk/audit?before=damaged")).status_code == 422
