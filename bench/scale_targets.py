"""What bench/scale.py measures: the endpoints, the real ids and references each rotates through, and who asks.

Picks records from the loaded database (random residents, the heaviest ones, their phones, emails, names and case
references, the signed-in agent's own work) and signs in through the product's own service functions (staff
sessions for an agent and an admin, a resident's session, API keys), committed before the server starts. Reads
and writes nothing else; checks each endpoint once over HTTP before wrk measures it.
"""

from __future__ import annotations

import inspect
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

import scale_load  # this script's directory is on sys.path

SAMPLE = 200  # distinct records each endpoint rotates through
CASE_STATUSES = ("new", "open", "in_progress", "waiting_on_citizen", "resolved", "closed")
DEEP_OFFSET = 500_000


@dataclass(frozen=True)
class Endpoint:
    name: str
    title: str
    paths: list[str]
    auth: str  # none, key, agency_key, agent, admin, resident, heavy_resident


@dataclass
class Targets:
    endpoints: list[Endpoint]
    credentials: dict[str, dict[str, str]]
    notes: list[str] = field(default_factory=list)

    def headers(self, auth: str) -> dict[str, str]:
        return self.credentials.get(auth, {})


async def _column(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).scalars())


@dataclass
class Picked:
    """The concrete records, read before the server starts."""

    citizens: list[uuid.UUID]
    heavy: list[uuid.UUID]
    phones: list[str]
    emails: list[str]
    names: list[str]
    references: list[str]
    cases: int
    admin: uuid.UUID
    agent: uuid.UUID
    agency: uuid.UUID
    work: list[uuid.UUID]
    resident: uuid.UUID
    resident_refs: list[str]


async def pick(session: AsyncSession, citizens: int) -> Picked:
    heavy_count = max(10, min(100, citizens // 1000))
    agent = await _column(
        session,
        "SELECT a.id FROM staff_accounts a WHERE a.role = 'agent' AND a.active AND EXISTS (SELECT 1 FROM work_items w"
        " WHERE w.assigned_to_id = a.id AND w.status = 'assigned')"
        " ORDER BY (a.email = 'works.agent@city.example') DESC, a.created_at LIMIT 1",
    )
    if not agent:
        raise SystemExit("no agent holds assigned work in this database: was it loaded by bench/scale.py?")
    resident = await _column(
        session,
        "SELECT citizen_id FROM cases WHERE citizen_id IS NOT NULL GROUP BY citizen_id"
        " HAVING count(*) BETWEEN 2 AND 4 ORDER BY random() LIMIT 1",
    )
    heavy = "SELECT citizen_id FROM interactions GROUP BY citizen_id ORDER BY count(*) DESC LIMIT :n"
    admin = "SELECT id FROM staff_accounts WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1"
    work = "SELECT id FROM work_items WHERE assigned_to_id = :a AND status = 'assigned' ORDER BY created_at"
    return Picked(
        citizens=await _column(
            session, "SELECT id FROM citizens WHERE status <> 'merged' ORDER BY random() LIMIT :n", n=SAMPLE
        ),
        heavy=await _column(session, heavy, n=heavy_count),
        phones=await _column(
            session, "SELECT value FROM identities WHERE kind = 'phone' ORDER BY random() LIMIT :n", n=SAMPLE
        ),
        emails=await _column(
            session, "SELECT value FROM identities WHERE kind = 'email' ORDER BY random() LIMIT :n", n=SAMPLE
        ),
        names=await _column(
            session,
            "SELECT display_name FROM citizens WHERE display_name IS NOT NULL ORDER BY random() LIMIT :n",
            n=SAMPLE,
        ),
        references=await _column(session, "SELECT reference FROM cases ORDER BY random() LIMIT :n", n=SAMPLE),
        cases=(await _column(session, "SELECT count(*) FROM cases"))[0],
        admin=(await _column(session, admin))[0],
        agent=agent[0],
        agency=(await _column(session, "SELECT agency_id FROM staff_agencies WHERE staff_id = :a LIMIT 1", a=agent[0]))[
            0
        ],
        work=await _column(session, work, a=agent[0]),
        resident=resident[0],
        resident_refs=await _column(session, "SELECT reference FROM cases WHERE citizen_id = :c", c=resident[0]),
    )


async def deep_page(session: AsyncSession, cases: int) -> tuple[str, str]:
    """The case list's page that starts `DEEP_OFFSET` cases in (90% in when there are fewer): with the keyset
    cursor the API hands out when it has one, else with `offset`. Returns (path, how it is reached)."""
    deep = max(1, min(DEEP_OFFSET, cases * 9 // 10))
    from townsquare.api import cases as cases_api

    if "cursor" not in inspect.signature(cases_api.list_cases).parameters:
        return f"/api/v1/cases?limit=50&offset={deep}", f"offset={deep}"
    from townsquare.db import keyset

    row = (
        await session.execute(
            text("SELECT created_at, id FROM cases ORDER BY created_at DESC, id DESC OFFSET :d LIMIT 1"),
            {"d": deep - 1},
        )
    ).one()
    return f"/api/v1/cases?limit=50&cursor={keyset.token((row[0], row[1]))}", f"cursor after case {deep:,}"


async def sign_in(session: AsyncSession, p: Picked) -> dict[str, dict[str, str]]:
    """Sessions and keys through the product's own service functions (only hashes are stored)."""
    from townsquare.citizens import sessions
    from townsquare.staff import service as staff
    from townsquare.staff.auth import SESSION_COOKIE

    name = f"scale bench {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
    key, _ = await staff.create_api_key(session, name=name, created_by_id=p.admin)
    agency_key, _ = await staff.create_api_key(session, name=f"{name} (one agency)", agency_id=p.agency)
    agent = await staff.start_session(session, staff_id=p.agent, hours=12)
    admin = await staff.start_session(session, staff_id=p.admin, hours=12)
    resident = await sessions.start(session, citizen_id=p.resident, method="email_link", hours=12, device="bench")
    heavy = await sessions.start(session, citizen_id=p.heavy[0], method="email_link", hours=12, device="bench")
    await session.commit()
    return {
        "key": {"Authorization": f"Bearer {key}"},
        "agency_key": {"Authorization": f"Bearer {agency_key}"},
        "agent": {"Cookie": f"{SESSION_COOKIE}={agent}"},
        "admin": {"Cookie": f"{SESSION_COOKIE}={admin}"},
        "resident": {"Cookie": f"{sessions.CITIZEN_COOKIE}={resident}"},
        "heavy_resident": {"Cookie": f"{sessions.CITIZEN_COOKIE}={heavy}"},
    }


def national(e164: str) -> str:
    """+13435551234 as an agent types it: 343-555-1234."""
    digits = e164.removeprefix("+1")
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else e164


def endpoints(p: Picked, deep_path: str, deep_how: str) -> list[Endpoint]:
    def each(template: str, values: list[Any]) -> list[str]:
        return [template.format(quote(str(v), safe="")) for v in values]

    phones = [v if i % 2 else national(v) for i, v in enumerate(p.phones)]
    timeline = "/api/v1/citizens/{}/timeline?limit=50"
    table: list[tuple[str, str, str, list[str]]] = [
        ("floor", "GET /healthz", "none", ["/healthz"]),
        ("case_by_ref", "GET /api/v1/cases/{ref}", "key", each("/api/v1/cases/{}", p.references)),
        ("desk_citizen", "GET /desk/citizens/{id} (random)", "agent", each("/desk/citizens/{}", p.citizens)),
        ("desk_citizen_heavy", "GET /desk/citizens/{id} (heavy)", "agent", each("/desk/citizens/{}", p.heavy)),
        ("timeline", "GET /api/v1/citizens/{id}/timeline?limit=50", "key", each(timeline, p.citizens)),
        ("timeline_heavy", "GET …/timeline?limit=50 (heavy)", "key", each(timeline, p.heavy)),
        ("search_phone", "GET /api/v1/citizens?q={phone}", "key", each("/api/v1/citizens?q={}", phones)),
        ("search_email", "GET /api/v1/citizens?q={email}", "key", each("/api/v1/citizens?q={}", p.emails)),
        ("search_name", "GET /api/v1/citizens?q={full name}", "key", each("/api/v1/citizens?q={}", p.names)),
        ("search_case_ref", "GET /api/v1/citizens?q={case ref}", "key", each("/api/v1/citizens?q={}", p.references)),
        ("desk_search_phone", "GET /desk?q={phone}", "agent", each("/desk?q={}", phones)),
        ("cases_first", "GET /api/v1/cases?limit=50", "key", ["/api/v1/cases?limit=50"]),
        (
            "cases_status",
            "GET /api/v1/cases?limit=50&status=…",
            "key",
            each("/api/v1/cases?limit=50&status={}", list(CASE_STATUSES)),
        ),
        ("cases_agency", "GET /api/v1/cases?limit=50 (agency key)", "agency_key", ["/api/v1/cases?limit=50"]),
        ("cases_deep", f"GET /api/v1/cases?limit=50, {deep_how}", "key", [deep_path]),
        ("desk_home", "GET /desk", "agent", ["/desk"]),
        ("desk_inbox", "GET /desk/_inbox", "agent", ["/desk/_inbox"]),
        ("desk_work", "GET /desk/work/{item_id} (own work)", "agent", each("/desk/work/{}", p.work)),
        ("wallboard", "GET /desk/wallboard (admin)", "admin", ["/desk/wallboard"]),
        ("portal_account", "GET /account", "resident", ["/account"]),
        ("portal_cases", "GET /account/cases", "resident", ["/account/cases"]),
        ("portal_case", "GET /account/cases/{ref}", "resident", each("/account/cases/{}", p.resident_refs)),
        ("portal_cases_heavy", "GET /account/cases (heavy resident)", "heavy_resident", ["/account/cases"]),
        ("open311_requests", "GET /open311/v2/requests.json", "none", ["/open311/v2/requests.json"]),
    ]
    return [Endpoint(name, title, paths, auth) for name, title, auth, paths in table]


async def prepare(url: str, *, citizens: int) -> Targets:
    """Pick the records, sign everyone in, check a sample of identities against the product's normaliser."""
    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            picked = await pick(session, citizens)
            credentials = await sign_in(session, picked)
            sample = await session.execute(
                text("SELECT kind, value FROM identities WHERE kind IN ('phone', 'email') ORDER BY random() LIMIT 1000")
            )
            wrong = scale_load.identity_samples([(str(k), str(v)) for k, v in sample.all()])
            deep_path, deep_how = await deep_page(session, picked.cases)
    finally:
        await engine.dispose()
    notes = []
    if picked.cases < DEEP_OFFSET:
        notes.append(f"the deep case page is {deep_how}: the issue's 500,000 is past the last case at this size")
    if wrong:
        notes.append(f"{len(wrong)} of 1,000 identities differ from the product's normal form, e.g. {wrong[:3]}")
    return Targets(endpoints(picked, deep_path, deep_how), credentials, notes)


def preflight(base_url: str, endpoint: Endpoint, headers: dict[str, str]) -> dict[str, Any]:
    """Each endpoint's first three requests once, with their status, size, time and how many records came back."""
    checked: dict[str, Any] = {"requests": []}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60.0, trust_env=False) as client:
        for path in endpoint.paths[:3]:
            t0 = time.perf_counter()
            response = client.get(path)
            entry: dict[str, Any] = {
                "path": path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - t0) * 1000, 1),
                "bytes": len(response.content),
            }
            if response.headers.get("content-type", "").startswith("application/json"):
                body = response.json()
                items = body.get("items") if isinstance(body, dict) else body
                if isinstance(items, list):
                    entry["records"] = len(items)
            checked["requests"].append(entry)
            if response.status_code != 200 and "failure" not in checked:
                checked["failure"] = f"{path}: HTTP {response.status_code} {response.text[:300]!r}"
    return checked


def write_attachments(root: Path) -> None:
    """The few files the loaded attachment rows point at, in the server's content-addressed store."""
    from townsquare.interactions.storage import AttachmentStore

    store = AttachmentStore(root)
    for _, _, data in scale_load.BLOBS:
        store.save(data)
