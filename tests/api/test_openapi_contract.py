"""Schemathesis against the whole /api/v1 OpenAPI, in process: no 5xx, and every answer as the contract says.

Every operation runs for an unscoped API key (with input the schema refuses and undeclared methods too), and for a
key scoped to one agency and a signed-in administrator (with valid input), each test on its own copy of a small
seeded city: schemathesis's deterministic coverage cases and a few derandomized examples, naming real rows as well
as made-up ones.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from schemathesis import BaseSchema
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.conftest import PG_URL
from tests.factories import create_agency, create_agent, create_citizen, create_service
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.cases import service as cases
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind
from townsquare.engagement import replies
from townsquare.engagement.messages import InboundAttachment, InboundMessage, Sender
from townsquare.interactions.models import Channel
from townsquare.notify.rendering import Content
from townsquare.routing import service as routing
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.auth import SESSION_COOKIE
from townsquare.staff.models import StaffRole

EXAMPLES = 5  # generated per operation and caller, after schemathesis's deterministic coverage cases


class ServedApp:
    """The app under test, swapped per test: schemathesis loads the schema once, at import, and each test serves
    the app of its own freshly seeded city through this, on schemathesis's event loop (where its pool lives)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the apps' own lifespans start workers, which tests do not run
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.loop = asyncio.get_running_loop()
        await self.app(scope, receive, send)

    def finish(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` (closing the served app's pool) on the loop that served it, and wait for it."""
        if self.loop is None:
            work.close()
            return
        asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)


def _spec_app() -> FastAPI:
    """An app for its OpenAPI alone: it never opens its database."""
    return create_app(Settings(env="test", database_url="sqlite+aiosqlite://", outbox_worker=False))


SERVED = ServedApp(_spec_app())
_ROWS: dict[str, list[str]] = {}  # the current test's real identifiers, by path parameter name


def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any] | None) -> Any:
    # Each parameter is what schemathesis made up or a real row, so both refusals and real answers come back.
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {name: st.sampled_from([value, *_ROWS.get(name, [])]) for name, value in path_parameters.items()}
    )


# Body fields naming a row, and the path parameter whose real values they may take.
BODY_ROWS = {"service_code": "code", "agency_slug": "slug", "case_reference": "reference", "citizen_id": "citizen_id"}


def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    # A body naming a service, an agency, a case or a citizen names made-up ones, or all real ones of the first
    # agency together (one made-up name is enough to refuse the rest), so cases, tasks and queues really get made.
    if not isinstance(body, dict) or not BODY_ROWS.keys() & body.keys():
        return st.just(body)
    real = {name: _ROWS[BODY_ROWS[name]][0] if name in BODY_ROWS else value for name, value in body.items()}
    return st.sampled_from([body, real])


def _schema(*, malformed: bool) -> BaseSchema:
    """The schema with our settings; `malformed`: also input the schema refuses, and undeclared methods.

    Those are answered before any route logic, the same whoever calls, so one caller is enough to send them.
    """
    phases: dict[str, Any] = {"stateful": {"enabled": False}}
    if not malformed:
        positive = {"generation": {"mode": "positive"}}
        phases |= {"coverage": {"unexpected-methods": [], **positive}, "fuzzing": positive, "examples": positive}
    config = {
        "seed": 15,
        "generation": {
            "deterministic": True,
            "max-examples": EXAMPLES,
            "with-security-parameters": False,  # each caller presents its own credentials
            "database": "none",
        },
        "phases": phases,
        "checks": {
            # Valid by the schema yet refused by meaning (a phone number that is no number, a cursor this API
            # never handed out): JSON Schema cannot say that, so such a 422 is right.
            "positive_data_acceptance": {"enabled": False},
            # Starlette answers OPTIONS on a path with several routes with the first route's methods only.
            "allow_header_conformance": {"enabled": False},
        },
    }
    # The app's own document, read directly: fetching it over ASGI at import had a 10-second deadline that a
    # loaded machine missed while every worker imported the suite at once.
    schema = schemathesis.openapi.from_dict(_spec_app().openapi(), config=schemathesis.Config.from_dict(config))
    schema.app, schema.location = SERVED, "/openapi.json"
    schema.hook(flatmap_path_parameters)
    if not malformed:  # a real value put into input meant to be refused could make it acceptable
        schema.hook(flatmap_body)
    return schema


EVERY_INPUT = _schema(malformed=True)
VALID_INPUT = _schema(malformed=False)


@dataclass
class City:
    """The credentials of each caller, and the real identifiers each path parameter may name."""

    admin_key: str
    agency_key: str
    admin_session: str
    rows: dict[str, list[str]]

    def credentials(self, caller: str, public_url: str) -> tuple[dict[str, str], dict[str, str]]:
        """The headers and cookies `caller` sends; a signed-in browser's forms come from our own origin."""
        return {
            "admin-key": ({"Authorization": f"Bearer {self.admin_key}"}, {}),
            "agency-key": ({"X-API-Key": self.agency_key}, {}),
            "admin-session": ({"Origin": public_url}, {SESSION_COOKIE: self.admin_session}),
        }[caller]


async def _seed(session: AsyncSession, runtime: Runtime) -> City:
    """Two agencies, a citizen with preferences, cases, a conversation with a photo and a reply, an agent, a queue:
    every kind of row the API answers with, so response bodies are checked with real values in them."""
    works = await create_agency(session)
    parks = await create_agency(session, slug="parks", name="Parks")
    sizes = [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}]
    size = {"code": "size", "datatype": "singlevaluelist", "values": sizes}
    pothole = await create_service(session, agency=works, attributes=[size])
    await create_service(session, agency=parks, code="TREE", name="A fallen tree")
    admin = await create_agent(
        session, email="admin@city.example", role=StaffRole.admin, agencies=[works], skills={"POTHOLE": 3}
    )
    citizen = await create_citizen(session, phone="+16135550142", email="maria@example.org", phone_verified=True)
    await citizens.update_preferences(
        session, citizen=citizen, language="fr", preferred_channels=["sms", "email"], quiet_hours=(time(21), time(7))
    )
    admin_key, _ = await staff.create_api_key(session, name="warehouse")
    works_key, _ = await staff.create_api_key(session, name="works app", agency_id=works.id)
    _, spare = await staff.create_api_key(session, name="spare", agency_id=parks.id, contact="parks@city.example")
    await routing.create_queue(
        session, agency_id=works.id, slug="roads", name="Roads", channels=["sms"], required_skills={"POTHOLE": 1}
    )
    token = await staff.start_session(session, staff_id=admin.id, hours=2)
    prefix = runtime.settings.case_reference_prefix
    ours = await cases.open_case(
        session,
        prefix=prefix,
        agency_id=works.id,
        service_id=pothole.id,
        citizen_id=citizen.id,
        title="Pothole on Elm St",
        channel="sms",
        location={"lat": 45.4215, "long": -75.6972, "address_string": "12 Elm St"},
        attributes={"size": "large"},
    )
    theirs = await cases.open_case(session, prefix=prefix, agency_id=parks.id, title="Tree down", channel="api")
    await session.commit()
    photo = InboundAttachment("elm.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 a photo")
    contact = InboundMessage(
        channel=Channel.sms,
        text="It is getting deeper",
        sender=Sender(IdentityKind.phone, "+16135550142"),
        case_reference=ours.reference,
        attachments=(photo,),
    )
    ingested = await runtime.pipeline.ingest(session, contact)
    conversation_id = uuid.UUID(str(ingested.conversation_id))
    await replies.reply(session, conversation_id=conversation_id, content=Content(text="A crew is on its way."))
    await session.commit()
    return City(
        admin_key,
        works_key,
        token,
        rows={
            "slug": ["city-works", "parks"],
            "code": ["POTHOLE", "TREE"],
            "citizen_id": [str(citizen.id)],
            "reference": [ours.reference, theirs.reference],
            "interaction_id": [str(ingested.interaction_id)],
            "conversation_id": [str(ingested.conversation_id)],
            "key_id": [str(spare.id)],
            "staff_id": [str(admin.id), str(uuid.UUID(int=0))],
        },
    )


async def _seed_database(settings: Settings) -> City:
    runtime = build_runtime(settings, pool=False)
    try:
        async with runtime.db.session() as session:
            return await _seed(session, runtime)
    finally:
        await runtime.bus.wait_idle()
        await runtime.db.dispose()


def _sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


@pytest.fixture(scope="module")
def seeded_sqlite(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, City] | None:
    """On SQLite, the city is seeded once (argon2 is slow on purpose) and each test gets a copy of the file."""
    if PG_URL:
        return None
    path = tmp_path_factory.mktemp("city") / "city.db"
    shutil.copyfile(template_database, path)
    settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{path}", outbox_worker=False)
    return path, asyncio.run(_seed_database(settings))


@pytest.fixture
async def city(settings: Settings, seeded_sqlite: tuple[Path, City] | None) -> AsyncIterator[City]:
    """A seeded city, served to schemathesis for one test."""
    if seeded_sqlite is None:
        seeded = await _seed_database(settings)
    else:
        shutil.copyfile(seeded_sqlite[0], _sqlite_file(settings.database_url))
        seeded = seeded_sqlite[1]
    served = build_runtime(settings)
    spec_app, SERVED.app, SERVED.loop = SERVED.app, create_app(settings, served), None
    _ROWS.update(seeded.rows)
    yield seeded
    _ROWS.clear()
    SERVED.app = spec_app

    async def close() -> None:
        await served.bus.wait_idle()
        await served.db.dispose()

    SERVED.finish(close())


def _call(case: schemathesis.Case[Any], city: City, caller: str, public_url: str) -> None:
    headers, cookies = city.credentials(caller, public_url)
    case.call_and_validate(headers=headers, cookies=cookies)


@EVERY_INPUT.parametrize()
@pytest.mark.parametrize("caller", ["admin-key"])  # also makes each test's id name its operation
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_contract_for_an_unscoped_key(
    case: schemathesis.Case[Any], caller: str, city: City, settings: Settings
) -> None:
    _call(case, city, caller, settings.public_url)


@VALID_INPUT.parametrize()
@pytest.mark.parametrize("caller", ["agency-key", "admin-session"])
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_contract_for_a_scoped_key_and_a_signed_in_administrator(
    case: schemathesis.Case[Any], caller: str, city: City, settings: Settings
) -> None:
    _call(case, city, caller, settings.public_url)
