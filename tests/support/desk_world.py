"""A demo-like desk to read: the demo city (its agencies, staff, residents and a year of their contact), plus the
live work a shift has in front of it: a call offered to an agent after the phone menu, a chat from a resident known
only by a device (whose identity is the hash of its token), work held for weeks, and cases in every status.

`build_desk_world` seeds it; `desk_pages` lists every desk page of it to read, with whom to read it as.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pyotp
from fastapi import FastAPI
from fastapi.routing import APIRoute
from playwright.async_api import Page
from sqlalchemy import select

from townsquare.agencies.models import Agency, CannedResponse, Service
from townsquare.app import Runtime
from townsquare.appointments.models import Appointment
from townsquare.cases import service as cases
from townsquare.cases.models import CaseStatus
from townsquare.citizens import service as citizens
from townsquare.citizens.models import IdentityKind, VerificationMethod
from townsquare.clock import utcnow
from townsquare.counters import calling, staffing
from townsquare.counters.kinds import CheckIn
from townsquare.demo.city import city
from townsquare.demo.seed import DEMO_PASSWORD, seed
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import LinkPurpose
from townsquare.drafts.models import Draft
from townsquare.engagement import counter as counter_visits
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Direction, Interaction, InteractionKind
from townsquare.knowledge.models import Article
from townsquare.matching.models import MatchDecision, Outcome
from townsquare.notify.models import NotificationTemplate
from townsquare.offices.models import Counter, Office
from townsquare.routing import service as routing
from townsquare.routing.models import (
    Agent,
    BusinessCalendar,
    Presence,
    Queue,
    Skill,
    SlaTarget,
    Team,
    WorkItemStatus,
    WrapUpCode,
)
from townsquare.sharing.models import SharingAgreement
from townsquare.staff.models import ApiKey, StaffAccount

AGENT = "works.agent@city.example"
SUPERVISOR = "supervisor@city.example"
ADMIN = "admin@city.example"
BENEFITS = "benefits.agent@city.example"  # of the agency the demo's data-sharing agreements serve
PASSWORD = DEMO_PASSWORD
CODE_PATH = "/desk/sign-in/code"


def demo_codes() -> list[str]:
    """The demo administrators' one-time codes worth trying now: this step's, then the next (a code works once,
    so a second sign-in within the same 30 seconds gives the next)."""
    totp, now = pyotp.TOTP(city().admin_mfa_key), utcnow()
    return [totp.at(now), totp.at(now, counter_offset=1)]


async def sign_in(client: httpx.AsyncClient, who: str) -> None:
    """Sign `who` in on the desk as a person does: the password, then (administrators) the one-time code."""
    signed = await client.post("/desk/sign-in", data={"email": who, "password": PASSWORD})
    assert signed.status_code == 303, signed.text
    if not signed.headers["location"].startswith(CODE_PATH):
        return
    for code in demo_codes():
        if (await client.post(CODE_PATH, data={"code": code})).status_code == 303:
            return
    raise AssertionError(f"{who}: no one-time code was accepted")


async def sign_in_page(page: Page, url: str, who: str) -> None:
    """The same in a browser: the sign-in page, then the code's page when it asks."""
    await page.goto(f"{url}/desk/sign-in")
    await page.fill("#email", who)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    for code in demo_codes() if CODE_PATH in page.url else []:
        await page.fill("#code", code)
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        if CODE_PATH not in page.url:
            break
    await page.wait_for_url(f"{url}/desk")


MENU_PATH = ["main", "invalid", "assistant", "0:agent"]  # joined with angle quotes on the old desk
DEVICE = hashlib.sha256(b"a chat widget's token").hexdigest()  # what a chat device is stored as
LONG_WAIT = timedelta(days=27, minutes=17)  # "Waiting 648 h 17 min" on the old desk


@dataclass(frozen=True)
class DeskWorld:
    offered: uuid.UUID  # a call offered to the agent
    held: uuid.UUID  # a chat the agent has held for weeks
    queued: uuid.UUID  # an email waiting in the queue
    caller_id: uuid.UUID  # a resident known by a verified phone, with an application in progress
    device_id: uuid.UUID  # a resident known only by a chat device
    cases: dict[CaseStatus, str]  # a case reference in each status
    agent_id: uuid.UUID
    ids: dict[str, str]  # a record of each other kind a desk page is about, by its path parameter


@dataclass(frozen=True)
class DeskPage:
    path: str
    who: str  # the email of the staff member reading it ("" for nobody signed in)


async def _work(
    runtime: Runtime, agency: Agency, service: Service | None, agent: StaffAccount, caller: uuid.UUID, device: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    now = utcnow()
    async with runtime.db.session() as s:
        talk = await interactions.start_conversation(s, citizen_id=caller, channel=Channel.voice)
        call = Interaction(
            conversation_id=talk.id,
            citizen_id=caller,
            channel=Channel.voice,
            direction=Direction.inbound,
            kind=InteractionKind.call,
            body="",
            payload={"menu_path": MENU_PATH, "call_result": "answered", "talk_seconds": 125},
            duration_seconds=3 * 60 + 25,
            occurred_at=now - timedelta(minutes=4),
        )
        s.add(call)
        chat = await interactions.start_conversation(s, citizen_id=device, channel=Channel.chat)
        s.add(
            Interaction(
                conversation_id=chat.id,
                citizen_id=device,
                channel=Channel.chat,
                direction=Direction.inbound,
                kind=InteractionKind.message,
                body="Is the pool open on holidays?",
                payload={},
                occurred_at=now - LONG_WAIT,
            )
        )
        known = {"how": "phone", "verified": True, "verification_method": VerificationMethod.sms_code.value}
        offered = await routing.create(
            s,
            channel="voice",
            kind="call",
            agency_id=agency.id,
            received_at=now,
            conversation_id=talk.id,
            citizen_id=caller,
            service_id=service.id if service else None,
            # The call's sid (Twilio's): accepting it puts this caller through (the work page's call panel).
            context={"identified_by": known, "menu_path": MENU_PATH, "channel": "voice", "call_sid": "CA" + "4" * 32},
        )
        offered.status, offered.assigned_to_id = WorkItemStatus.offered, agent.id
        offered.offer_expires_at = now + timedelta(seconds=30)
        held = await routing.create(
            s,
            channel="chat",
            kind="message",
            agency_id=agency.id,
            received_at=now - LONG_WAIT,
            conversation_id=chat.id,
            citizen_id=device,
            context={"identified_by": {"how": "device", "verified": False, "verification_method": None}},
        )
        held.status, held.assigned_to_id = WorkItemStatus.assigned, agent.id
        held.created_at = now - LONG_WAIT
        queued = await routing.create(
            s,
            channel="email",
            kind="message",
            agency_id=agency.id,
            received_at=now,
            citizen_id=caller,
            context={"identified_by": {"how": "anonymous"}},
        )
        profile = await s.get_one(Agent, agent.id)
        profile.presence = Presence.wrap_up
        await s.commit()
        return offered.id, held.id, queued.id


async def _together(
    runtime: Runtime, service: Service | None, agent: StaffAccount, held: uuid.UUID, device: uuid.UUID
) -> None:
    """On the chat the agent holds, a form filled in together: the link opened, the resident's agreement given,
    an answer of hers and one of the agent's (the work page's "Fill in a form together" panel, at its fullest)."""
    if service is None:
        return
    async with runtime.db.session() as s:
        draft = await drafts.start_or_resume(s, citizen_id=device, service_id=service.id)
        link, token = await links.create(
            s, draft=draft, staff_id=agent.id, work_item_id=held, channel="chat", purpose=LinkPurpose.form, minutes=30
        )
        await links.open_link(s, token=token, session_minutes=120, browser_session=None)
        await links.agree(s, link=link, allow=True)
        await drafts.save(s, draft_id=draft.id, citizen_id=device, base_version=0, changes={"_address": "12 Elm St"})
        await drafts.save(
            s,
            draft_id=draft.id,
            citizen_id=device,
            base_version=1,
            changes={"_details": "A deep one, by the school"},
            author=drafts.staff_author(agent.id),
        )
        await s.commit()


async def _cases(runtime: Runtime, agency: Agency, service: Service | None, caller: uuid.UUID) -> dict[CaseStatus, str]:
    references: dict[CaseStatus, str] = {}
    async with runtime.db.session() as s:
        for status in CaseStatus:
            case = await cases.open_case(
                s,
                prefix="TS",
                agency_id=agency.id,
                title=f"Pothole on Elm Street, number {len(references) + 1}",
                channel="voice",
                citizen_id=caller,
                service_id=service.id if service else None,
            )
            case.status = status
            references[status] = case.reference
        await s.commit()
    return references


async def _counter(runtime: Runtime) -> dict[str, str]:
    """At the demo's licensing centre, the supervisor at counter 1 serving one visitor, another on hold and a
    third (who gave a phone) in line: the counter page at its fullest."""
    async with runtime.db.session() as s:
        office = (await s.execute(select(Office).where(Office.slug == "licensing-centre"))).scalar_one()
        counter = (
            await s.execute(select(Counter).where(Counter.office_id == office.id, Counter.label == "1"))
        ).scalar_one()
        supervisor = (await s.execute(select(StaffAccount).where(StaffAccount.email == SUPERVISOR))).scalar_one()
        for code, phone in (("DL-RENEW", ""), ("VEH-REG", ""), ("PARK-PERMIT", "+16135550177")):
            visit = counter_visits.Visit(office, code, "en", CheckIn.kiosk, phone=phone)
            await counter_visits.check_in(s, runtime.pipeline, visit)
        await staffing.open_counter(s, counter=counter, staff_id=supervisor.id, now=utcnow())
        for hold in (True, False):
            called = await calling.call_next(s, counter=counter, staff_id=supervisor.id)
            assert called is not None
            await calling.start(s, ticket_id=called.id, counter=counter, staff_id=supervisor.id)
            if hold:
                await calling.hold(s, ticket_id=called.id, counter=counter, staff_id=supervisor.id)
        await s.commit()
        return {"office_id": str(office.id), "counter_id": str(counter.id)}


async def _first_id(runtime: Runtime, column: object, *where: object) -> str:
    async with runtime.db.session(deferred=True) as s:
        # Ordered: a table's physical order is whatever its emptying between tests left behind.
        found = (await s.execute(select(column).where(*where).order_by(column).limit(1))).scalar_one_or_none()  # type: ignore[call-overload]
    assert found is not None, f"the demo city has no {column}"
    return str(found)


async def build_desk_world(runtime: Runtime) -> DeskWorld:
    """The demo city with a shift's live work on the agent's desk."""
    await seed(runtime.db, citizens=5, settings=runtime.settings)
    async with runtime.db.session() as s:
        agency = (await s.execute(select(Agency).where(Agency.slug == "city-works"))).scalar_one()
        service = (await s.execute(select(Service).where(Service.code == "POTHOLE"))).scalar_one_or_none()
        agent = (await s.execute(select(StaffAccount).where(StaffAccount.email == AGENT))).scalar_one()
        caller = await citizens.create(s, display_name="Maria Lopez")
        await citizens.add_identity(
            s,
            citizen_id=caller.id,
            kind=IdentityKind.phone,
            value="+16135550142",
            region="CA",
            verification_method=VerificationMethod.sms_code,
        )
        await citizens.add_identity(
            s, citizen_id=caller.id, kind=IdentityKind.email, value="maria@example.org", region="CA"
        )
        device = await citizens.create(s, display_name=None)
        await citizens.add_identity(
            s, citizen_id=device.id, kind=IdentityKind.device, value=DEVICE, region="CA", namespace="chat"
        )
        caller_id, device_id = caller.id, device.id
        if service is not None:  # a pothole report she began on her phone and left on its second page
            draft = await drafts.start_or_resume(s, citizen_id=caller.id, service_id=service.id)
            await drafts.save(
                s,
                draft_id=draft.id,
                citizen_id=caller.id,
                base_version=0,
                changes={"_address": "12 Elm Street", "size": "large"},
                step=2,
            )
        await s.commit()
    offered, held, queued = await _work(runtime, agency, service, agent, caller_id, device_id)
    await _together(runtime, service, agent, held, device_id)
    ids = {
        "agreement": await _first_id(runtime, SharingAgreement.reference),
        "agreement_id": await _first_id(runtime, SharingAgreement.id),  # the demo's are all the benefits agency's
        "article_id": await _first_id(runtime, Article.id, Article.agency_id == agency.id),  # the readers' own
        "decision_id": await _first_id(runtime, MatchDecision.id, MatchDecision.outcome == Outcome.review),
        "key_id": await _first_id(runtime, ApiKey.id),
        "queue_id": await _first_id(runtime, Queue.id),
        "target_id": await _first_id(runtime, SlaTarget.id),
        "calendar_id": await _first_id(runtime, BusinessCalendar.id),
        "team_id": await _first_id(runtime, Team.id),
        "wrap_up_id": await _first_id(runtime, WrapUpCode.id),
        "skill_id": await _first_id(runtime, Skill.id),
        "reply_id": await _first_id(runtime, CannedResponse.id, CannedResponse.language == "fr"),
    }
    async with runtime.db.session(deferred=True) as s:
        kind, channel, language = (
            await s.execute(
                select(NotificationTemplate.message_type, NotificationTemplate.channel, NotificationTemplate.language)
            )
        ).first() or ("", "", "")
    ids["template"] = f"{getattr(kind, 'value', kind)}/{channel}/{language}"
    ids["draft_id"] = await _first_id(runtime, Draft.id, Draft.citizen_id == caller_id)
    ids["service_code"] = await _first_id(runtime, Service.code, Service.open311.is_(True))
    ids |= await _counter(runtime)
    ids["appointment_id"] = await _first_id(runtime, Appointment.id)  # the demo's service centre's bookings
    ids["appointment_office_id"] = await _first_id(runtime, Appointment.office_id)
    references = await _cases(runtime, agency, service, caller_id)
    return DeskWorld(offered, held, queued, caller_id, device_id, references, agent.id, ids)


def desk_pages(world: DeskWorld) -> list[DeskPage]:
    """Every desk page of the world, read by the agent, the supervisor or (for their own pages) the administrator."""
    ids = world.ids
    both = [
        "/desk",
        "/desk/_inbox",
        f"/desk/work/{world.offered}",
        f"/desk/work/{world.held}",
        f"/desk/work/{world.queued}",
        "/desk/work",
        "/desk/work?state=assigned&channel=chat",
        f"/desk/work/{world.held}/_panes",
        f"/desk/_contacts?selected={world.held}",
        f"/desk/work/{world.held}/_cofill",
        *(f"/desk/cases/{reference}" for reference in world.cases.values()),
        f"/desk/citizens/{world.caller_id}",
        f"/desk/citizens/{world.device_id}",
        f"/desk/citizens/{world.device_id}/_360",
        f"/desk/citizens/{world.caller_id}/linked-records",
        f"/desk/citizens/{world.caller_id}/record",
        f"/desk/citizens/{world.device_id}/record",
        f"/desk/citizens/{world.caller_id}/message",
        f"/desk/citizens/{world.device_id}/message",
        f"/desk/citizens/{world.caller_id}/drafts/{ids['draft_id']}",
        "/desk/knowledge",
        "/desk/knowledge/new",
        f"/desk/knowledge/{ids['article_id']}",
        f"/desk/knowledge/{ids['article_id']}/edit",
        f"/desk/knowledge/{ids['article_id']}/versions/1",
        "/desk/agreements",
        "/desk/record-reviews",
        "/desk/cases",
        "/desk/cases?state=open&sort=due",
        "/desk/account",
        "/desk/account/mfa",
        "/desk/mail",
        "/desk/counter",
        "/desk/appointments",
    ]
    supervising = [
        "/desk/wallboard",
        "/desk/queue",
        f"/desk/queue/{world.queued}",
        f"/desk/queue/{world.offered}",
        "/desk/wallboard/_board",
        "/desk/agents",
        f"/desk/agents/{world.agent_id}",
        "/desk/analytics",
        "/desk/satisfaction",
        "/desk/satisfaction/comments",
        "/desk/notifications/templates",
        f"/desk/notifications/templates/{ids['template']}",
        "/desk/agreements/new",
        f"/desk/agreements/{ids['agreement']}",
        f"/desk/agreements/{ids['agreement']}/new-version",
        f"/desk/record-reviews/{ids['decision_id']}",
        "/desk/letters",
        f"/desk/counter/{ids['counter_id']}",
        f"/desk/counter/{ids['counter_id']}/_line",
        f"/desk/offices/{ids['office_id']}/greeter",
        f"/desk/appointments?office={ids['appointment_office_id']}",
        f"/desk/appointments/{ids['appointment_id']}",
        f"/desk/citizens/{world.caller_id}/appointments/new",
        f"/desk/citizens/{world.caller_id}/appointments/new?choice={ids['appointment_office_id']}/DL-RENEW",
    ]
    administering = [
        "/desk/analytics/settings",
        "/desk/integrators",
        f"/desk/integrators/{ids['key_id']}/revoke",
        "/desk/webhooks",
        "/desk/staff",
        "/desk/admin/catalogue",
        *(
            path
            for kind, key in [
                ("queues", "queue_id"),
                ("sla", "target_id"),
                ("hours", "calendar_id"),
                ("teams", "team_id"),
                ("wrap-up-codes", "wrap_up_id"),
                ("skills", "skill_id"),
            ]
            for path in (f"/desk/admin/{kind}", f"/desk/admin/{kind}/new", f"/desk/admin/{kind}/{ids[key]}")
        ),
        "/desk/audit",
        "/desk/admin",
        "/desk/admin/agencies",
        "/desk/admin/agencies/new",
        "/desk/admin/agencies/city-works",
        "/desk/admin/services",
        "/desk/admin/services/new",
        f"/desk/admin/services/{ids['service_code']}",
        "/desk/admin/canned-replies",
        "/desk/admin/canned-replies/new",
        f"/desk/admin/canned-replies/{ids['reply_id']}",
        "/desk/admin/staff",
        "/desk/admin/staff/new",
        f"/desk/admin/staff/{world.agent_id}",
        "/desk/admin/offices",
        "/desk/admin/offices/new",
        f"/desk/admin/offices/{ids['office_id']}",
        f"/desk/admin/offices/{ids['office_id']}/poster",
        "/desk/admin/services/POTHOLE/form",  # the form builder: the draft, a field, the preview in each language
        "/desk/admin/services/POTHOLE/form/field",
        "/desk/admin/services/POTHOLE/form/field?field=size",
        "/desk/admin/services/POTHOLE/form/preview",
        "/desk/admin/services/POTHOLE/form/preview?language=fr",
    ]
    return (
        [DeskPage("/desk/sign-in", ""), DeskPage("/desk/sign-in/reset", "")]
        + [DeskPage(p, AGENT) for p in both]
        + [DeskPage(p, SUPERVISOR) for p in both + supervising]
        + [DeskPage(p, ADMIN) for p in administering]
        # what the agreement lets the benefits agency read (here a refusal: the person gave no consent)
        + [DeskPage(f"/desk/citizens/{world.caller_id}/shared-values?agreement={ids['agreement_id']}", BENEFITS)]
    )


def desk_get_routes(app: FastAPI) -> list[APIRoute]:
    """The desk's GET routes."""
    return [
        r
        for r in app.routes
        if isinstance(r, APIRoute) and r.path.startswith("/desk") and "GET" in (r.methods or set())
    ]
