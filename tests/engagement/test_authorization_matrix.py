"""The authorization matrix, generated from the app's route table: every route x every kind of caller.

Every route must declare exactly one rule (a dependency marked with `staff.auth.enforces`); the rule says who may
call it, and each caller's real answer must agree. A new route without a rule, or a rule a route does not keep,
fails here. Resources in paths belong to agency A and resident A.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_agent, create_article, create_citizen, create_service, desk_work_item
from tests.support.counters import SomeOffice, make_office
from tests.support.counters import ticket as counter_ticket
from townsquare.agencies.models import Agency, AgencyLogo, CannedResponse
from townsquare.app import Runtime
from townsquare.appointments.kinds import BookedVia
from townsquare.appointments.models import Appointment
from townsquare.cases import service as cases
from townsquare.cases.models import CaseLink
from townsquare.casework.models import SavedView
from townsquare.citizens import sessions
from townsquare.citizens.models import Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Attachment, Channel, Direction, InteractionKind
from townsquare.matching.models import MatchDecision, Outcome, SourceRecord
from townsquare.notify import reminders
from townsquare.notify.kinds import MessageType, ReminderStatus
from townsquare.notify.models import Reminder
from townsquare.routing import setup as routing_setup
from townsquare.routing.models import Skill, SlaTarget, WorkItem, WorkItemStatus, WrapUpCode
from townsquare.settings import Settings
from townsquare.sharing import agreements as sharing_agreements
from townsquare.sharing import consents
from townsquare.sharing.holdings import put_attribute
from townsquare.staff import service as staff
from townsquare.staff.auth import PUBLIC, Rule, rule_of
from townsquare.staff.models import ApiKeyScope, AuditEntry, StaffRole

ROLES = (
    "anonymous",
    "resident_a",
    "resident_b",
    "agent_a",
    "agent_b",
    "supervisor",
    "agency_admin_a",
    "admin",
    "key_a",
    "key_any",
    "open311_a",
)
STAFF = {"agent_a", "agent_b", "supervisor", "agency_admin_a", "admin"}
API = STAFF | {"key_a", "key_any"}
OF_A = {"agent_a", "supervisor", "agency_admin_a", "admin", "key_a", "key_any"}  # the supervisor: agency A only
ALLOWED: dict[str, set[str]] = {
    "public": set(ROLES),
    "provider": set(),  # only the provider's own credential (a Twilio or Meta signature, the email door's token)
    "open311-key": {"open311_a"},
    "sealed-link": set(),  # only whoever holds the link; the matrix's token is not one
    "link-holder": set(),  # only the device that opened a link to fill in a draft together; nobody here did
    "resident": {"resident_a", "resident_b"},
    "resident-own": {"resident_a"},
    "staff": STAFF,
    "staff-agency": {"agent_a", "supervisor", "agency_admin_a", "admin"},
    "staff-citizen": {
        "agent_a",
        "supervisor",
        "agency_admin_a",
        "admin",
    },  # resident A dealt with agency A only (a case, work)
    "staff-holder": {"agent_a"},  # the work item is assigned to agent A
    "staff-own": {"agent_a"},  # the saved case view is agent A's own
    "supervisor": {"supervisor", "agency_admin_a", "admin"},
    "supervisor-agency": {"supervisor", "agency_admin_a", "admin"},
    "admin": {"admin"},
    "administrator": {"agency_admin_a", "admin"},
    "agency-admin": {"agency_admin_a", "admin"},  # the agency administrator of agency A
    "api": API,
    "api-admin": {"admin"},
    "signing-in": set(),  # only a browser half-way through signing in (code or MFA set-up to come); nobody here
    "api-key": {
        "key_a",
        "key_any",
    },  # webhooks belong to keys; each key reaches only its own (tests/api/test_webhooks.py)
    "case": OF_A,
    "conversation": OF_A,
    "interaction": OF_A,
    "citizen": API,
    "agency-system": {
        "agent_a",
        "supervisor",
        "agency_admin_a",
        "key_a",
    },  # its own systems only: no all-agency key, no admin
    "reader-agency": API,  # every API caller reads for an agency of its own; agreements and consent decide the rest
    "metrics-scraper": set(),  # only Prometheus with the metrics token (set below); an API key is not it
}
METRICS_TOKEN = "matrix-metrics-token-0123456789"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A metrics token, as production sets one: with none, /metrics answers loopback callers, which every
    caller of this matrix is (tests/api/test_metrics.py shows both)."""
    return settings.model_copy(update={"metrics_token": METRICS_TOKEN})


def _rules(dependant: Dependant) -> Iterator[Rule]:
    for dep in dependant.dependencies:
        rule = rule_of(dep.call)
        if rule is not None:
            yield rule  # the rule's own dependencies (who is calling) belong to it
        else:
            yield from _rules(dep)


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    path: str
    rules: tuple[Rule, ...]
    websocket: bool

    @property
    def rule(self) -> Rule:
        top = max(r.level for r in self.rules)
        chosen = {r for r in self.rules if r.level == top}
        assert len(chosen) == 1, f"{self.path} has more than one rule: {sorted(r.name for r in chosen)}"
        return chosen.pop()


def route_table(app: FastAPI) -> list[Route]:
    """Every route the app serves, with the rules its dependencies enforce."""
    found: list[Route] = []
    # FastAPI's own description of the API (plain routes with no dependencies) is public by nature.
    described = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):
                for ctx in route.effective_route_contexts():
                    if not ctx.methods:  # a websocket: its own route carries its path and dependencies
                        socket = ctx.original_route
                        found.append(Route(frozenset({"WS"}), socket.path, tuple(_rules(socket.dependant)), True))
                        continue
                    methods = frozenset(ctx.methods) - {"HEAD"}
                    found.append(Route(methods, ctx.path, tuple(_rules(ctx.dependant)), False))
            elif hasattr(route, "dependant"):
                methods = frozenset(getattr(route, "methods", None) or {"WS"}) - {"HEAD"}
                found.append(Route(methods, route.path, tuple(_rules(route.dependant)), methods == {"WS"}))
            elif getattr(route, "path", "") == "/static":
                continue  # files from disk, public by nature
            elif getattr(route, "path", "") in described:
                found.append(Route(frozenset({"GET"}), route.path, (PUBLIC,), False))
            else:
                raise AssertionError(f"a route the matrix cannot read: {route!r}")

    walk(list(app.routes))
    return found


@dataclass
class World:
    params: dict[str, str]
    credentials: dict[str, uuid.UUID | str]  # a person's id, or an API key
    ids: dict[str, uuid.UUID]


async def _reset(session: AsyncSession, world: World) -> None:
    """Undo what an allowed caller's request changed that the next caller's request depends on: the work item is
    agent A's again, and the two cases are likely duplicates again (a merge or a dismissal changes the link)."""
    await session.execute(
        update(WorkItem)
        .where(WorkItem.id == world.ids["item"])
        .values(status=WorkItemStatus.assigned, assigned_to_id=world.ids["agent_a"])
    )
    pair = (world.ids["case"], world.ids["other"])
    await session.execute(delete(CaseLink).where(CaseLink.case_id.in_(pair) | CaseLink.linked_case_id.in_(pair)))
    case = await cases.get_by_id(session, case_id=world.ids["case"])
    other = await cases.get_by_id(session, case_id=world.ids["other"])
    link = await cases.link(session, case=case, other=other, kind=cases.LIKELY_DUPLICATE)
    world.params["link_id"] = str(link.id)
    reminder = uuid.UUID(world.params["reminder_id"])
    await session.execute(update(Reminder).where(Reminder.id == reminder).values(status=ReminderStatus.scheduled))
    await session.commit()


async def _review_in(session: AsyncSession, agency: Agency) -> uuid.UUID:
    """Two records the model could not decide on, queued for `agency` (its staff alone may see the pair)."""
    people = [await create_citizen(session, name=name) for name in ("Zoe Roy", "Zoé Roy")]
    records = [
        SourceRecord(source="matrix", source_key=str(i), digest=str(i), fields={"given_name": "Zoe"}, citizen_id=p.id)
        for i, p in enumerate(people)
    ]
    session.add_all(records)
    await session.flush()
    item = await desk_work_item(session, agency=agency, citizen=people[0], conversation_id=None, holder=None)
    decision = MatchDecision(
        source_record_id=records[0].id,
        citizen_id=people[0].id,
        candidate_citizen_id=people[1].id,
        candidate_record_id=records[1].id,
        outcome=Outcome.review,
        probability=0.7,
        work_item_id=item.id,
    )
    session.add(decision)
    await session.flush()
    return decision.id


async def _contact_centre(session: AsyncSession, agency: Agency) -> dict[str, str]:
    """Agency A's queue, SLA target, office hours, team, wrap-up code and skill, by their path parameters."""
    calendar, _ = await routing_setup.put_calendar(
        session, agency_id=agency.id, name="Office", timezone="America/Toronto", hours={}, holidays=[]
    )
    team, _ = await routing_setup.put_team(session, agency_id=agency.id, slug="crew", name="Crew")
    queue, _ = await routing_setup.put_queue(session, agency_id=agency.id, slug="q", name="Q", active=False)
    await routing_setup.put_wrap_up_code(session, agency_id=agency.id, code="done", label="Done")
    target = SlaTarget(agency_id=agency.id, channel="email", first_response_seconds=3600)
    skill = Skill(agency_id=agency.id, code="roads", label="Roads")
    session.add_all([target, skill])
    await session.flush()
    wrap_up = await session.scalar(select(WrapUpCode.id).where(WrapUpCode.agency_id == agency.id))
    return {
        "queue_id": str(queue.id),
        "target_id": str(target.id),
        "calendar_id": str(calendar.id),
        "team_id": str(team.id),
        "wrap_up_id": str(wrap_up),
        "skill_id": str(skill.id),
    }


async def _office(session: AsyncSession, agency: Agency, citizen_id: uuid.UUID) -> dict[str, str]:
    """Agency A's service office (its kiosk and display by slug), a counter of it, a ticket in its line and resident
    A's appointment there."""
    place = await make_office(session, agency=agency, clerks=0, slug="a-office")
    waiting = await counter_ticket(session, place)
    return await _appointments(session, place, citizen_id) | {
        "office": place.office.slug,
        "office_id": str(place.office.id),
        "counter_id": str(place.counters[0].id),
        "ticket_id": str(waiting.id),
    }


async def _appointments(session: AsyncSession, place: SomeOffice, citizen_id: uuid.UUID) -> dict[str, str]:
    """Resident A's appointment at agency A's office next week, for a service it offers."""
    start = (utcnow() + timedelta(days=7)).replace(microsecond=0)
    appointment = Appointment(
        agency_id=place.agency.id,
        office_id=place.office.id,
        service_id=place.permit.id,
        citizen_id=citizen_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=15),
        occupied_from=start,
        occupied_until=start + timedelta(minutes=15),
        booked_via=BookedVia.portal,
    )
    session.add(appointment)
    await session.flush()
    return {"appointment_id": str(appointment.id)}


async def _world(session: AsyncSession) -> World:
    a = await create_agency(session, slug="roads", name="Roads")
    b = await create_agency(session, slug="parks", name="Parks")
    service = await create_service(session, agency=a, code="POTHOLE", open311=True)
    resident_a = await create_citizen(session, name="Ana A", email="ana@example.org")
    resident_b = await create_citizen(session, name="Ben B", email="ben@example.org")
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=a.id,
        title="Pothole",
        channel="web",
        service_id=service.id,
        citizen_id=resident_a.id,
    )
    other = await cases.open_case(
        session, prefix="TS", agency_id=a.id, title="Pothole too", channel="web", service_id=service.id
    )
    link = await cases.link(session, case=case, other=other, kind=cases.LIKELY_DUPLICATE)
    conversation = await interactions.start_conversation(
        session, citizen_id=resident_a.id, channel=Channel.sms, case_id=case.id
    )
    interaction = await interactions.record(
        session,
        conversation=conversation,
        channel=Channel.sms,
        direction=Direction.inbound,
        kind=InteractionKind.message,
        body="There is a hole",
        case_id=case.id,
    )
    agent_a = await create_agent(session, email="a@city.example", agencies=[a])
    agent_b = await create_agent(session, email="b@city.example", agencies=[b])
    supervisor = await create_agent(session, email="sup@city.example", agencies=[a], role=StaffRole.supervisor)
    agency_admin_a = await create_agent(
        session, email="agency-admin@city.example", agencies=[a], role=StaffRole.agency_admin
    )
    admin = await create_agent(session, email="admin@city.example", agencies=[a, b], role=StaffRole.admin)
    item = await desk_work_item(
        session, agency=a, citizen=resident_a, conversation_id=conversation.id, holder=agent_a, case_id=case.id
    )
    draft = await drafts.start_or_resume(session, citizen_id=resident_a.id, service_id=service.id)
    email = await session.scalar(
        select(Identity).where(Identity.citizen_id == resident_a.id, Identity.kind == IdentityKind.email)
    )
    assert email is not None
    article = await create_article(session, agency=a, slug="potholes", title="Potholes")
    rule = await reminders.add_rule(
        session, service_id=service.id, message_type=MessageType.application_reminder, days=3
    )
    reminder = Reminder(
        key="matrix",
        rule_id=rule.id,
        citizen_id=resident_a.id,
        message_type=MessageType.application_reminder,
        due_at=utcnow(),
        about="Pothole",
    )
    session.add(reminder)
    await session.flush()
    consent = await consents.give(  # "Data you share": resident A's consent, and a read of her record by agent A
        session,
        citizen_id=resident_a.id,
        consumer_agency_id=a.id,
        purpose="benefit-eligibility",
        attributes=["parks.income"],
        agreements=[],
        channel="web",
    )
    staff.audit(
        session,
        actor_kind="staff",
        actor_id=str(agent_a.id),
        action="citizen.read",
        subject_kind="citizen",
        subject_id=str(resident_a.id),
        citizen_id=resident_a.id,
        agency_id=a.id,
    )
    await session.flush()
    entry_id = await session.scalar(
        select(AuditEntry.id).where(AuditEntry.citizen_id == resident_a.id, AuditEntry.action == "citizen.read")
    )
    c = await create_agency(session, slug="welfare", name="Welfare")  # a third agency, party with A only
    await put_attribute(session, agency_id=a.id, code="road_permit", name="Road permit")
    agreement = await sharing_agreements.propose(
        session,
        sharing_agreements.Terms(
            provider_agency_id=a.id,
            consumer_agency_id=c.id,
            attribute_codes=["road_permit"],
            purpose="matrix-check",
            purpose_text="To check the matrix.",
            legal_basis="By-law 1",
            starts_on=utcnow().date(),
        ),
        proposed_by_id=supervisor.id,
    )
    review = await _review_in(session, a)  # a pair of records waiting for agency A's records team
    view = SavedView(owner_id=agent_a.id, name="Overdue", query="sla=overdue")  # agent A's own saved case view
    session.add(view)
    await session.flush()
    view_id = view.id
    key_a, _ = await staff.create_api_key(session, name="A", agency_id=a.id)
    key_any, _ = await staff.create_api_key(session, name="any")
    open311_a, _ = await staff.create_api_key(session, name="app", agency_id=a.id, scope=ApiKeyScope.open311)
    _, resource_key = await staff.create_api_key(session, name="to revoke", agency_id=a.id)
    contact_centre = await _contact_centre(session, a)
    office = await _office(session, a, resident_a.id)
    reply = CannedResponse(agency_id=a.id, slug="thanks", title="Thanks", body="Thank you, {first_name}.")
    session.add(reply)
    session.add(AgencyLogo(agency_id=a.id, content_type="image/png", width=1, height=1, data=b"a logo"))
    await session.commit()
    params = {
        "reference": case.reference,
        "service_request_id": case.reference,
        "citizen_id": str(resident_a.id),
        "conversation_id": str(conversation.id),
        "interaction_id": str(interaction.id),
        "item_id": str(item.id),
        "draft_id": str(draft.id),
        "identity_id": str(email.id),
        "staff_id": str(agent_a.id),
        "key_id": str(resource_key.id),
        "article_id": str(getattr(article, "article_id", getattr(article, "id", ""))),
        "number": "1",
        "action": "submit",  # publishing also needs a second person: the knowledge service's four-eyes rule
        "link_id": str(link.id),
        "slug": a.slug,
        "code": service.code,
        "service_code": service.code,
        "fmt": "json",
        "token": "not-a-token",
        "call_sid": "CA" + "0" * 32,
        "rest": "nothing-here",
        "notification_id": str(uuid.uuid4()),
        "reminder_id": str(reminder.id),
        "decision_id": str(review),
        "view_id": str(view_id),
        "merge_id": str(uuid.uuid4()),  # an unknown merge: supervisors are answered 404, everyone else refused
        "message_type": "status_change",
        "channel": "sms",
        "language": "en",
        "webhook_id": str(uuid.uuid4()),
        "delivery_id": str(uuid.uuid4()),
        "agency": a.slug,
        "record_id": "R-1",
        "person_id": str(resident_a.id),
        "consent_id": str(consent.id),
        "entry_id": str(entry_id),
        "agreement": agreement.reference,
        "version": str(agreement.version),
        "figure": "volume",
        "reply_id": str(reply.id),  # agency A's canned reply
        "filename": "datapackage.json",  # /open-data/files/{filename}: public, 404 before the first export
        **contact_centre,
        **office,
    }
    credentials: dict[str, uuid.UUID | str] = {
        "resident_a": resident_a.id,
        "resident_b": resident_b.id,
        "agent_a": agent_a.id,
        "agent_b": agent_b.id,
        "supervisor": supervisor.id,
        "agency_admin_a": agency_admin_a.id,
        "admin": admin.id,
        "key_a": key_a,
        "key_any": key_any,
        "open311_a": open311_a,
    }
    ids = {"item": item.id, "agent_a": agent_a.id, "case": case.id, "other": other.id}
    return World(params, credentials, ids)


async def _as(session: AsyncSession, world: World, role: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Headers, cookies and query of a fresh request by `role` (fresh sessions: a sign-out must not leak over)."""
    held = world.credentials.get(role)
    headers: dict[str, str] = {"origin": "http://testserver"}
    if role.startswith("resident"):
        assert isinstance(held, uuid.UUID), role
        token = await sessions.start(session, citizen_id=held, method="email_link", hours=1)
        await session.commit()
        return headers, {sessions.CITIZEN_COOKIE: token}, {}
    if role in STAFF:
        assert isinstance(held, uuid.UUID), role
        token = await staff.start_session(session, staff_id=held, hours=1)
        await session.commit()
        return headers, {"ts_staff": token}, {}
    if role == "open311_a":
        return headers | {"authorization": f"Bearer {held}"}, {}, {"api_key": str(held)}
    if held is not None:
        return headers | {"authorization": f"Bearer {held}"}, {}, {}
    return headers, {}, {}


def _denied(response: httpx.Response, rule: Rule) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 404 and rule.level == 2:
        return True  # another's record answers as an unknown one
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and "/sign-in?next=" in location


async def with_files(runtime: Runtime, session: AsyncSession, world: World) -> None:
    """A file a contact brought (its `attachment_id`), and a photo in the report's draft only its owner may see."""
    kept = Attachment(
        interaction_id=uuid.UUID(world.params["interaction_id"]),
        filename="photo.jpg",
        content_type="image/jpeg",
        size_bytes=3,
        sha256=runtime.pipeline.store.save(b"jpg"),
    )
    session.add(kept)
    photo = {"sha256": runtime.pipeline.store.save(b"stripped jpg"), "width": 1, "height": 1}
    await drafts.save(  # the report's photo, which only its owner may see
        session,
        draft_id=uuid.UUID(world.params["draft_id"]),
        citizen_id=uuid.UUID(str(world.credentials["resident_a"])),
        base_version=0,
        changes={"_photo": photo},
    )
    await session.commit()
    world.params["attachment_id"] = str(kept.id)


def _fill(path: str, params: dict[str, str]) -> str:
    for name, value in params.items():
        path = path.replace("{" + name + "}", value).replace("{" + name + ":path}", value)
    assert "{" not in path, f"no value for a parameter of {path}"
    return path


async def test_every_route_declares_exactly_one_rule(app: FastAPI) -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in route_table(app) if not r.rules]
    assert missing == [], f"routes without an authorization rule: {missing}"
    for route in route_table(app):
        assert route.rule.name in ALLOWED, f"{route.path}: the matrix does not know rule {route.rule.name!r}"


async def test_every_route_answers_every_caller_as_its_rule_says(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async with runtime.db.session() as session:
        world = await _world(session)
        await with_files(runtime, session, world)
    wrong: list[str] = []
    # A GET changes nothing, so each caller's sign-in serves every GET until a write (which may sign out) comes.
    reading: dict[str, tuple[dict[str, str], dict[str, str], dict[str, str]]] = {}
    for route in route_table(app):
        if route.websocket:
            continue  # the sockets' rules are exercised in tests/channels/test_chat.py and test_desk_live.py
        for method in sorted(route.methods):
            for role in ROLES:
                if method == "GET" and role in reading:
                    headers, cookies, query = reading[role]
                else:
                    async with runtime.db.session() as session:
                        if method != "GET":
                            reading.clear()
                            await _reset(session, world)
                        headers, cookies, query = await _as(session, world, role)
                    if method == "GET":
                        reading[role] = (headers, cookies, query)
                path = _fill(route.path, world.params)
                client.cookies.clear()
                for name, value in cookies.items():
                    client.cookies.set(name, value)
                response = await client.request(method, path, headers=headers, params=query, follow_redirects=False)
                expected = role in ALLOWED[route.rule.name]
                if response.status_code >= 500 or _denied(response, route.rule) == expected:
                    wrong.append(
                        f"{method} {route.path} [{route.rule.name}] as {role}: {response.status_code} "
                        f"{'(expected allowed)' if expected else '(expected denied)'}"
                    )
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize(
    ("template", "param"),
    [
        ("/api/v1/cases/{}", "reference"),
        ("/api/v1/cases/{}/timeline", "reference"),
        ("/api/v1/conversations/{}", "conversation_id"),
        ("/api/v1/interactions/{}", "interaction_id"),
    ],
)
async def test_another_agencys_record_answers_as_an_unknown_one(
    client: httpx.AsyncClient, runtime: Runtime, template: str, param: str
) -> None:
    async with runtime.db.session() as session:
        world = await _world(session)
        parks = await create_agency(session, slug="other", name="Other")
        key, _ = await staff.create_api_key(session, name="other", agency_id=parks.id)
        await session.commit()
    headers = {"authorization": f"Bearer {key}"}
    real = world.params[param]
    unknown = "TS-2099-999999" if param == "reference" else str(uuid.uuid4())
    theirs = await client.get(template.format(real), headers=headers)
    nothing = await client.get(template.format(unknown), headers=headers)
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json()["detail"].replace(real, "X") == nothing.json()["detail"].replace(unknown, "X")


async def test_a_scoped_key_cannot_reach_another_agencys_identities(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """A reply, a typing notice and an interaction naming another agency's case all fail as unknown ones."""
    async with runtime.db.session() as session:
        world = await _world(session)
        other = await create_agency(session, slug="other", name="Other")
        key, _ = await staff.create_api_key(session, name="other", agency_id=other.id)
        await session.commit()
        before = await session.scalar(Identity.__table__.select().with_only_columns(Identity.id).limit(1))
    assert before is not None
    headers = {"authorization": f"Bearer {key}"}
    conversation = world.params["conversation_id"]
    reply = await client.post(f"/api/v1/conversations/{conversation}/replies", json={"text": "hi"}, headers=headers)
    assert reply.status_code == 404
    typing = await client.post(f"/channels/chat/conversations/{conversation}/typing", headers=headers)
    assert typing.status_code == 404
    contact = {"channel": "api", "text": "about my case", "sender": {"kind": "email", "value": "x@example.org"}}
    known = await client.post(
        "/api/v1/interactions", json=contact | {"case_reference": world.params["reference"]}, headers=headers
    )
    unknown = await client.post(
        "/api/v1/interactions", json=contact | {"case_reference": "TS-2099-999999"}, headers=headers
    )
    assert known.status_code == unknown.status_code == 422
    assert known.json()["errors"] == unknown.json()["errors"]
