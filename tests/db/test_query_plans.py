"""Every hot read is served by an index on PostgreSQL, at any data size.

Each test makes one real request (API, desk, portal, Open311) while recording every statement the app's engine
sends with its parameters, then asks PostgreSQL for the plan of each one with `enable_seqscan = off`. The planner
then picks a Seq Scan only when no index can serve the query, so a Seq Scan on a table that grows with the city
means a missing (or lost) index, whatever the number of rows in the test. So does an index scan whose condition
leaves out the index's first key: the planner's other way round a missing index, walking a whole index that merely
holds the columns. Catalogue tables (agencies, services, queues, staff, knowledge articles ...) may be scanned.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories import (
    api_key_headers,
    create_agency,
    create_agent,
    create_service,
    create_staff,
    desk_citizen_with_history,
    desk_work_item,
)
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.citizens import sessions
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.db import Base
from townsquare.routing.models import OfferOutcome, WorkItemStatus, WorkOffer
from townsquare.staff.models import StaffRole

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.pristine_tables,
    pytest.mark.skipif(
        not os.environ.get("TOWNSQUARE_TEST_DATABASE_URL"),
        reason="query plans are PostgreSQL's: set TOWNSQUARE_TEST_DATABASE_URL (SQLite has no enable_seqscan)",
    ),
]

# Tables whose rows grow with the city's people, contacts and cases: never read whole on a hot path.
GROWING = frozenset(
    {
        "citizens",
        "identities",
        "conversations",
        "interactions",
        "attachments",
        "cases",
        "case_updates",
        "case_links",
        "work_items",
        "work_offers",
        "work_item_transfers",
        "audit_log",
        "knowledge_answers",
        "outbox",
        "drafts",
        "citizen_sessions",
        "staff_sessions",
        "open311_requests",
        "places",
        "verification_challenges",
        "sign_in_links",
        "citizen_searches",
        "citizen_totp",
        "assistant_sessions",
    }
)
EXPLAINABLE = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
AGENT, ADMIN = "wren@city.example", "root@city.example"


class Sent(NamedTuple):
    """One statement as the driver received it, with its parameters."""

    statement: str
    parameters: tuple[Any, ...]


@contextmanager
def record_sent(engine: AsyncEngine) -> Iterator[list[Sent]]:
    """Every single-row statement (with parameters) `engine` sends while the block runs."""
    seen: list[Sent] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if not executemany:
            seen.append(Sent(statement, tuple(params or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# Planned as if every table were large: no Seq Scan unless no index can serve, and joins as nested loops probing
# an index per row (hash and merge joins read their inputs whole, which only pays for tiny tables).
PLANNER = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
INDEX_SCANS = frozenset({"Index Scan", "Index Only Scan", "Bitmap Index Scan"})
INDEXES = """
SELECT c.relname, t.relname, trim(both '"' from pg_get_indexdef(i.indexrelid, 1, true))
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
"""


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a plan tree, init plans and sub plans included."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def whole_read(node: dict[str, Any], first_keys: dict[str, tuple[str, str]]) -> str | None:
    """How `node` reads a growing table whole, if it does: a Seq Scan; or an index scan whose condition leaves
    out the index's first key, so it walks the whole index testing every entry (what a lost index falls back to
    when another index merely contains the columns, e.g. a keyset page on (case_id, occurred_at, id))."""
    kind = node["Node Type"]
    if kind == "Seq Scan":
        table = node.get("Relation Name")
        return f"Seq Scan on {table} (filter: {node.get('Filter', 'none')})" if table in GROWING else None
    if kind not in INDEX_SCANS or node.get("Index Name") not in first_keys or "Index Cond" not in node:
        return None
    table, first_key = first_keys[node["Index Name"]]
    if not re.fullmatch(r"\w+", first_key) or re.search(rf"(?<![\w.]){re.escape(first_key)}(?!\w)", node["Index Cond"]):
        return None
    return (
        f"{kind} on {table} reads all of {node['Index Name']}: its condition {node['Index Cond']} "
        f"leaves out the first key {first_key}"
    )


def outline(plan: dict[str, Any], depth: int = 2) -> Iterator[str]:
    """The plan as indented lines: node, relation or index, and the conditions it scans with."""
    on = " ".join(f"{k.split()[0].lower()}={plan[k]}" for k in ("Relation Name", "Index Name") if k in plan)
    conds = "".join(f" [{k}: {plan[k]}]" for k in ("Index Cond", "Recheck Cond", "Filter") if k in plan)
    yield f"{'  ' * depth}{plan['Node Type']} {on}{conds}"
    for child in plan.get("Plans", []):
        yield from outline(child, depth + 1)


def shorten(sql: str, width: int = 400) -> str:
    flat = re.sub(r"\s+", " ", sql).strip()
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def whole_reads_of_growing_tables(engine: AsyncEngine, sent: list[Sent]) -> list[str]:
    """Each of `sent` whose plan reads a growing table whole: what reads it, the SQL and the plan's outline."""
    found: list[str] = []
    async with engine.connect() as conn:
        rows: list[Any] = list(await conn.exec_driver_sql(INDEXES))
        first_keys = {str(index): (str(table), str(key)) for index, table, key in rows if table in GROWING}
        for setting in PLANNER:
            await conn.exec_driver_sql(f"SET LOCAL {setting} = off")
        for statement, params in sent:
            if not statement.lstrip().upper().startswith(EXPLAINABLE):
                continue
            document = (await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params)).scalar_one()
            plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
            problems = [p for node in nodes(plan) if (p := whole_read(node, first_keys))]
            if problems:
                found.append("\n".join([*problems, f"  in: {shorten(statement)}", *outline(plan)]))
        await conn.rollback()
    return found


@dataclass(frozen=True)
class City:
    """The data set every read runs against; fields name what the read paths fill in."""

    scoped: dict[str, str]
    unscoped: dict[str, str]
    citizen_id: uuid.UUID
    case_ref: str
    item_id: uuid.UUID
    resident_token: str


async def _cases(session: AsyncSession, agency_id: uuid.UUID, service_id: uuid.UUID, n: int) -> list[Case]:
    """`n` cases a minute apart over the last day, at places around town, some already moving."""
    opened = []
    start = utcnow() - timedelta(days=1)
    for i in range(n):
        case = await cases.open_case(
            session,
            prefix="TS",
            agency_id=agency_id,
            service_id=service_id,
            title=f"Report {i}",
            channel="web",
            sla_target_hours=72,
            location={"lat": 45.42 + i / 1000, "long": -75.69, "address_string": f"{i} Elgin St"},
        )
        case.created_at = case.updated_at = start + timedelta(minutes=i)
        if i % 4 == 0:
            await cases.change_status(session, case=case, status=CaseStatus.open, note="Seen", source="staff")
        opened.append(case)
    await session.flush()
    return opened


@pytest.fixture
async def city(session: AsyncSession) -> City:
    """Two agencies with Open311 services and 60+ cases; an agent of one (holding work), an admin; two API keys;
    Maria with a phone, an email, 120 touchpoints, cases, queued/held/done work and a portal session."""
    works = await create_agency(session, slug="city-works", name="City Works")
    parks = await create_agency(session, slug="parks", name="Parks")
    pothole = await create_service(session, agency=works, code="POTHOLE", name="Pothole", open311=True)
    graffiti = await create_service(session, agency=parks, code="GRAFFITI", name="Graffiti", open311=True)
    wren = await create_agent(session, email=AGENT, agencies=[works])
    await create_staff(session, email=ADMIN, role=StaffRole.admin)
    await create_staff(session, email="ben@city.example", agencies=[parks])
    mine = await _cases(session, works.id, pothole.id, 60)
    theirs = await _cases(session, parks.id, graffiti.id, 8)
    await cases.link(session, case=mine[1], other=mine[2], staff_id=wren.id)
    maria_case = mine[-1]
    maria, conversation = await desk_citizen_with_history(
        session, touchpoints=120, staff_id=wren.id, case_id=maria_case.id
    )
    maria_case.citizen_id = theirs[-1].citizen_id = maria.id
    await desk_citizen_with_history(session, touchpoints=5, name="Marianne Lopez", phone="+16135550199", email=None)
    held = await desk_work_item(
        session, agency=works, citizen=maria, conversation_id=conversation.id, holder=wren, case_id=maria_case.id
    )
    held.first_answered_at = utcnow() - timedelta(minutes=5)
    session.add(
        WorkOffer(
            work_item_id=held.id, staff_id=wren.id, capacity_class=held.capacity_class, outcome=OfferOutcome.accepted
        )
    )
    queued = await desk_work_item(session, agency=works, citizen=maria, conversation_id=None, holder=None)
    done = await desk_work_item(session, agency=works, citizen=maria, conversation_id=None, holder=wren)
    done.status, done.first_answered_at, done.closed_at = WorkItemStatus.done, utcnow(), utcnow()
    await desk_work_item(session, agency=parks, citizen=maria, conversation_id=None, holder=None)
    assert queued.sla_due_at is not None
    assert held.sla_due_at is not None
    scoped = await api_key_headers(session, agency=works)
    unscoped = await api_key_headers(session)
    token = await sessions.start(session, citizen_id=maria.id, method="email_link", hours=24, device="test")
    await session.commit()
    await session.execute(text("ANALYZE"))  # plans from these rows, not from whenever autovacuum last looked
    await session.commit()
    return City(scoped, unscoped, maria.id, maria_case.reference, held.id, token)


class Read(NamedTuple):
    """A hot read: who asks (`scoped`/`unscoped` API key, `agent`, `admin`, `resident`, `public`) and the path,
    with City fields in braces. `paged`: first fetch the path, then read the page its `next_cursor` names."""

    who: str
    path: str
    paged: bool = False


READS: dict[str, Read] = {
    "api case by reference": Read("scoped", "/api/v1/cases/{case_ref}"),
    "api cases, every agency": Read("unscoped", "/api/v1/cases?limit=50"),
    "api cases, one agency": Read("scoped", "/api/v1/cases?limit=50"),
    "api cases, status new": Read("scoped", "/api/v1/cases?limit=50&status=new"),
    "api cases, status new, every agency": Read("unscoped", "/api/v1/cases?limit=50&status=new"),
    "api cases, next page, every agency": Read("unscoped", "/api/v1/cases?limit=50", paged=True),
    "api cases, next page, one agency": Read("scoped", "/api/v1/cases?limit=50", paged=True),
    "api timeline, one agency": Read("scoped", "/api/v1/citizens/{citizen_id}/timeline?limit=50"),
    "api timeline, every agency": Read("unscoped", "/api/v1/citizens/{citizen_id}/timeline?limit=50"),
    "api timeline, next page": Read("scoped", "/api/v1/citizens/{citizen_id}/timeline?limit=50", paged=True),
    "api citizens by phone": Read("scoped", "/api/v1/citizens?q=" + quote("(613) 555-0142")),
    "api citizens by email": Read("scoped", "/api/v1/citizens?q=maria@example.org"),
    "api citizens by name": Read("scoped", "/api/v1/citizens?q=lop"),
    "api citizens by case reference": Read("scoped", "/api/v1/citizens?q={case_ref}"),
    "desk home": Read("agent", "/desk"),
    "desk search by phone": Read("agent", "/desk?q=" + quote("(613) 555-0142")),
    "desk search by name": Read("agent", "/desk?q=maria"),
    "desk citizen 360": Read("agent", "/desk/citizens/{citizen_id}"),
    "desk work item": Read("agent", "/desk/work/{item_id}"),
    "desk workspace": Read("agent", "/desk/work"),
    "desk workspace contacts, finished lately": Read("agent", "/desk/_contacts?state=done"),
    "desk wallboard": Read("admin", "/desk/wallboard"),
    "desk audit log": Read("admin", "/desk/audit"),
    "desk audit log about a person": Read("admin", "/desk/audit?resident={citizen_id}"),
    "desk audit log of an action": Read("admin", "/desk/audit?action=citizen.read&from=2026-01-01"),
    "desk audit log of a record": Read("admin", "/desk/audit?subject_kind=case&subject_id={case_ref}"),
    "desk audit log export": Read("admin", "/desk/audit.csv?action=citizen.read"),
    "portal account": Read("resident", "/account"),
    "portal cases": Read("resident", "/account/cases"),
    "portal case": Read("resident", "/account/cases/{case_ref}"),
    "open311 requests": Read("public", "/open311/v2/requests.json"),
    "open311 open requests of a service": Read("public", "/open311/v2/requests.json?service_code=POTHOLE&status=open"),
}


async def _as(client: httpx.AsyncClient, who: str, city: City) -> dict[str, str]:
    """Sign `client` in as `who`; the headers its requests carry."""
    if who in ("agent", "admin"):
        await sign_in_staff(client, AGENT if who == "agent" else ADMIN)
    elif who == "resident":
        client.cookies.set(CITIZEN_COOKIE, city.resident_token)
    return {"scoped": city.scoped, "unscoped": city.unscoped}.get(who, {})


def test_every_growing_table_exists() -> None:
    """A renamed table would silently leave the check: every name in GROWING is a real table."""
    assert sorted(GROWING - set(Base.metadata.tables)) == []


@pytest.mark.parametrize("name", list(READS))
async def test_a_hot_read_scans_no_growing_table(
    name: str, city: City, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    read = READS[name]
    headers = await _as(client, read.who, city)
    path = read.path.format(**vars(city))
    if read.paged:
        first = await client.get(path, headers=headers)
        assert first.status_code == 200, first.text
        cursor = first.json()["next_cursor"]
        assert cursor, f"{path} has a single page: the data set is too small to page"
        path += f"&cursor={quote(cursor)}"
    with record_sent(runtime.db.engine) as sent:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, f"{name}: GET {path} answered {response.status_code}: {response.text[:500]}"
    assert sent, f"{name}: GET {path} sent no statement"

    found = await whole_reads_of_growing_tables(runtime.db.engine, sent)
    assert not found, f"GET {path} ({name}) reads whole tables that grow with the city:\n" + "\n".join(found)
