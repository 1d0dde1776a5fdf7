"""The demo city with one resident who has used the portal, and every portal page a resident can reach in it.

`build_world` seeds the demo (its catalogue, help pages, templates, address register and street reports, a few
residents) and gives Marie, a French-speaking resident, what each account page shows: a sent report with a
staff reply and a public update, a message from the city about no case, an unfinished application, a reminder, a
phone waiting for its code, an authenticator app being set up. `portal_pages` lists the pages to visit,
`portal_forms` the forms sent with a mistake, and `uncovered_routes` the GET routes of the portal that neither the
list nor `NOT_PAGES` accounts for, so a new page cannot go unchecked.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_service
from tests.support.french import words_only_in_english
from tests.web.portal.conftest import Resident, make_resident
from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency, Service
from townsquare.analytics.open_data import export as open_data
from townsquare.analytics.surveys import asking as survey_links
from townsquare.analytics.surveys.models import Survey
from townsquare.app import Runtime
from townsquare.appointments import booking, offering
from townsquare.appointments import links as appointment_links
from townsquare.appointments.booking import Booking
from townsquare.appointments.kinds import BookedVia
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.citizens import sessions
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.demo.city import city
from townsquare.demo.seed import seed
from townsquare.drafts import links
from townsquare.drafts import service as drafts
from townsquare.drafts.links import LinkPurpose
from townsquare.engagement import links as signed_links
from townsquare.errors import Problem
from townsquare.interactions import service as interactions
from townsquare.interactions.models import Channel, Conversation, Direction, InteractionKind
from townsquare.notify import opt_outs
from townsquare.notify import reminders as reminder_rules
from townsquare.notify.kinds import MessageType
from townsquare.notify.notifications import Notifier, Request
from townsquare.offices.models import Office
from townsquare.residents import accounts
from townsquare.sharing import access, consents, declared
from townsquare.sharing import agreements as sharing_agreements
from townsquare.sharing.records import Identifier, IncomingRecord, put_record
from townsquare.staff.auth import Principal
from townsquare.staff.models import ApiKey, AuditEntry, StaffAccount, StaffRole
from townsquare.web.portal.account import PENDING_COOKIE

ORIGIN = {"Origin": "http://testserver"}
PHONE = "+16135550177"
EXPIRY = [{"code": "expiry_date", "datatype": "datetime", "description": "When does it expire?"}]
EXPIRY_FR = {"fr": {"description": "Quand expire-t-il?"}}

# GET routes of the portal and of the pages around it that are not pages a resident reads, each with why.
NOT_PAGES: dict[str, str] = {
    "/applications/{draft_id}/state": "JSON for the autosave script",
    "/account/data.json": "the resident's data as JSON, a download",
    "/account/files/{attachment_id}": "a file the resident sent, served as it is",
    "/map/places": "JSON for the address box and the map",
    "/sw.js": "the service worker's script",
    "/manifest.webmanifest": "JSON; its words are checked on their own (test_the_manifest_speaks_french)",
    "/applications/{draft_id}/photo": "the photo a resident added to a report, served as it is",
    "/account/sharing/{consent_id}/receipt.json": "a consent receipt as JSON, a download",
    "/account/access-log.csv": "the access log as CSV, a download",
    "/open-data/files/{filename}": "the open data files (CSV, JSON), downloads",
    "/together/d/{draft_id}": "a redirect to the page the form opened from a link was left on",
    "/together/d/{draft_id}/state": "JSON for the autosave script, on a form opened from a link",
    "/together/d/{draft_id}/wait": "JSON for the long poll of a form opened from a link",
    "/together/d/{draft_id}/photo": "the photo added to a form opened from a link, served as it is",
    "/together/d/{draft_id}/done": "the confirmation of /applications/{draft_id}/done, the same template",
    "/appointments/manage/{token}/calendar.ics": "an appointment as a calendar file, a download",
}


@dataclass
class World:
    """What the pages need: the resident, their case, draft, conversation and links, and words allowed as they are."""

    resident: Resident
    case_reference: str
    report_reference: str
    conversation_id: uuid.UUID
    draft_id: str
    sent_draft_id: str
    phone_id: uuid.UUID
    unsubscribe_token: str
    survey_token: str  # the sealed link of a satisfaction survey about her case
    message_token: str
    pending_sign_in: str
    neighbour: Resident  # a French-speaking resident of the demo, with its year of contact on every channel
    neighbour_cases: list[str]
    neighbour_conversations: list[uuid.UUID]
    followed_report: str  # a demo street report Marie said "me too" to
    guest_token: str  # a visitor without an account, waiting for the code to follow that report
    allowed: list[str] = field(default_factory=list)
    catalogue_english: frozenset[str] = frozenset()  # words of the catalogue's English names, not French ones
    transit_draft_id: str = ""  # an application whose answers were filled in from other agencies, with consent
    consent_id: uuid.UUID | None = None  # Marie's consent that Social Services read her income and address
    access_entry_id: uuid.UUID | None = None  # a read of that data by a member of staff, in her access log
    together_token: str = ""  # a link Wren sent her to fill in her permit's renewal together, not opened yet
    together_session: str = ""  # the session of the device that opened another such link (she let Wren fill in)
    together_draft_id: str = ""
    office_path: str = ""  # the demo service centre's booking page for a licence renewal
    appointment_token: str = ""  # the link in the confirmation of Marie's appointment there
    offer_token: str = ""  # a time freed on a day she waits for, kept for her
    held_id: str = ""  # the same time, kept for her (a guest's "how should we tell you" page names it)


@dataclass(frozen=True)
class PortalPage:
    """One page: the route it is drawn by, the address to visit, whether signed in, the status it answers with."""

    route: str
    url: str
    signed_in: bool
    status: int = 200
    cookies: tuple[tuple[str, str], ...] = ()
    token: str = ""  # signed in as another resident than Marie

    def session(self, world: World) -> str | None:
        """The session cookie's value to visit with, if signed in."""
        return (self.token or world.resident.token) if self.signed_in else None

    @property
    def who(self) -> str:
        """Who reads the page, for a report."""
        if not self.signed_in:
            return "signed out"
        return "signed in as the neighbour" if self.token else "signed in"


def _form(page: httpx.Response) -> dict[str, str]:
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    return {name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in hidden}


async def _apply(client: httpx.AsyncClient, answers: list[dict[str, str]], *, send: bool) -> str:
    """Start a pothole report and answer its pages in turn; send it when asked. Returns the draft's id."""
    started = await client.get("/services/POTHOLE/apply")
    assert started.status_code == 303, started.text
    draft_id = started.headers["location"].split("/")[2]
    for number, fields in enumerate(answers, start=1):
        page = await client.get(f"/applications/{draft_id}/pages/{number}")
        assert page.status_code == 200, page.text
        moved = await client.post(f"/applications/{draft_id}/pages/{number}", data={**_form(page), **fields})
        assert moved.status_code == 303, moved.text
    if send:
        sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
        assert sent.headers["location"] == f"/applications/{draft_id}/done", sent.text
    return draft_id


async def _demo_city(runtime: Runtime) -> None:
    """The demo city, its history published as open data (so those pages show its files and figures)."""
    await seed(runtime.db, citizens=5, settings=runtime.settings)
    await open_data.export(runtime.db, runtime.settings)


async def build_world(runtime: Runtime, client: httpx.AsyncClient) -> World:
    """Seed the demo city and let Marie use the portal (through `client`, which is left signed out)."""
    await _demo_city(runtime)
    async with runtime.db.session() as s:
        resident = await make_resident(s, name="Marie Tremblay", email="marie@example.org", phone=PHONE)
        citizen = await s.get_one(Citizen, resident.citizen_id)
        citizen.language = "fr"
        works = await agencies.get_agency(s, slug="city-works")
        renewal = await create_service(
            s,
            agency=works,
            code="PERMIT-RENEW",
            name="Renew a sidewalk café permit",
            attributes=[{**EXPIRY[0], "translations": EXPIRY_FR}],
            translations={"fr": {"name": "Renouveler un permis de café-terrasse"}},
        )
        await reminder_rules.add_rule(
            s, service_id=renewal.id, message_type=MessageType.renewal_reminder, days=30, attribute_code="expiry_date"
        )
        permit = await cases.open_case(
            s,
            prefix="TS",
            agency_id=works.id,
            title="Renouvellement",
            channel="web",
            service_id=renewal.id,
            citizen_id=resident.citizen_id,
            attributes={"expiry_date": "2099-03-01"},
        )
        await reminder_rules.for_case(s, permit, now=datetime(2099, 1, 1, tzinfo=UTC))
        # Another device, signed in with the link and the authenticator app's code: the account lists both.
        await sessions.start(
            s, citizen_id=resident.citizen_id, method="email_link+totp", hours=24, device="Firefox/128 (Android)"
        )
        phone_id = (
            await s.execute(
                select(Identity.id).where(
                    Identity.citizen_id == resident.citizen_id, Identity.kind == IdentityKind.phone
                )
            )
        ).scalar_one()
        wren = (
            await s.execute(select(StaffAccount).where(StaffAccount.email == "works.agent@city.example"))
        ).scalar_one()
        wren_id, works_id, renewal_id = wren.id, works.id, renewal.id
        await s.commit()

    client.cookies.set("ts_citizen", resident.token)
    client.cookies.set("ts_lang", "fr")
    where = {"f._address": "130 Queen Street West"}
    details = {"f.size": "small", "f.in_bike_lane": "no", "f._details": "Un trou profond devant le numéro 130."}
    sent_draft = await _apply(client, [where, details], send=True)
    draft = await _apply(client, [where], send=False)
    await client.post("/account/identities/phone/new", data={"phone": "613 555 0188"}, headers=ORIGIN)
    await client.post("/account/security/authenticator", headers=ORIGIN)
    transit_draft = await _transit_pass(runtime, client)  # and signs her out

    async with runtime.db.session() as s:
        followed = (
            await s.execute(
                select(Case.reference)
                .join(Service, Service.id == Case.service_id)
                .where(Service.open311.is_(True), Case.citizen_id != resident.citizen_id)
                .order_by(Case.created_at)
                .limit(1)
            )
        ).scalar_one()
    client.cookies.set("ts_citizen", resident.token)
    await client.post(f"/reports/{followed}/me-too", headers=ORIGIN)
    client.cookies.clear()
    client.cookies.set("ts_lang", "fr")
    asked = await client.post(
        "/contact", data={"for": f"follow:{followed}", "how": "email", "email": "voisin@example.org"}, headers=ORIGIN
    )
    assert asked.status_code == 303, asked.text
    guest_token = str(client.cookies.get("ts_citizen"))
    client.cookies.clear()

    async with runtime.db.session() as s:
        case = (
            await s.execute(select(Case).where(Case.citizen_id == resident.citizen_id, Case.service_id != renewal_id))
        ).scalar_one()
        conversation = await interactions.conversation_for_case(s, case_id=case.id, citizen_id=resident.citizen_id)
        assert conversation is not None
        reply = await interactions.record(
            s,
            conversation=conversation,
            channel=Channel.sms,
            direction=Direction.outbound,
            kind=InteractionKind.message,
            body="Bonjour, une équipe passera vendredi pour boucher le trou.",
            case_id=case.id,
            staff_id=wren_id,
        )
        wren_principal = Principal("staff", wren_id, "Wren", StaffRole.agent, frozenset({works_id}))
        await casework.change_status(
            s,
            settings=runtime.settings,
            actor=wren_principal,
            case=case,
            status=CaseStatus.in_progress,
            note="Une équipe est prévue pour vendredi.",
        )
        # The city's own word, about no case: its conversation is titled by the message's French subject.
        general = {"subject": "Collecte des ordures", "message": "La collecte de lundi est reportée à mardi."}
        await Notifier(runtime.settings).send(
            s, Request(citizen_id=resident.citizen_id, message_type=MessageType.general, personalisation=general)
        )
        await s.commit()
        reference, conversation_id, reply_id, survey_id = (
            case.reference,
            conversation.id,
            reply.id,
            await _survey(s, case),
        )

    (consent_id, access_entry_id), together, (office_path, appointment_token, offer_token, held_id) = (
        await _shared_data(runtime, resident.citizen_id, wren_id),
        await _together(runtime, resident.citizen_id, renewal_id, wren_id),
        await _appointments(runtime, resident.citizen_id),
    )
    settings = runtime.settings
    unsubscribe = opt_outs.token(
        settings.secret_key, opt_outs.Unsubscribe(resident.citizen_id, "email", MessageType.status_change)
    )
    pending = accounts.seal_pending(settings.secret_key, accounts.pending_sign_in(resident.citizen_id))
    demo = city()
    staff_notes = [note for report in demo.reports for _status, note, _hours in report.steps]  # shown as written
    allowed = [
        "Marie Tremblay",
        "marie@example.org",
        settings.brand_name,
        settings.map_tile_attribution,
        "English",  # the language switch names English in English (lang="en")
        *HOME.split("\n"),  # her address, as the licensing office holds it
        *(street.name for street in demo.streets),
        "110 Laurier Ave W",  # the service centre's address
        *staff_notes,
        *(report.description for report in demo.reports),  # what the demo's reporters wrote, in English
    ]
    async with runtime.db.session() as s:
        neighbour, cases_of, conversations_of = await _neighbour(s, runtime)
        systems = list((await s.execute(select(ApiKey.name))).scalars())  # agency systems, named as they are
        named: list[Agency | Service] = [*await agencies.list_agencies(s), *await agencies.list_services(s)]
        english = [text for record in named for text in (record.name, getattr(record, "group", ""))]
        french = [
            str(text)
            for record in named
            for field_name, text in (record.translations or {}).get("fr", {}).items()
            if field_name in ("name", "group", "description")
        ]
    allowed += [await _display_name(runtime, neighbour.citizen_id), *(member.name for member in demo.staff), *systems]
    return World(
        catalogue_english=words_only_in_english(english, french),
        resident=resident,
        case_reference=reference,
        report_reference=reference,
        conversation_id=conversation_id,
        draft_id=draft,
        sent_draft_id=sent_draft,
        phone_id=phone_id,
        unsubscribe_token=unsubscribe,
        survey_token=survey_links.token(settings.secret_key, survey_id),
        message_token=signed_links.sign_id(settings.secret_key, "message", reply_id),
        pending_sign_in=pending,
        neighbour=neighbour,
        neighbour_cases=cases_of,
        neighbour_conversations=conversations_of,
        followed_report=followed,
        guest_token=guest_token,
        allowed=allowed,
        transit_draft_id=transit_draft,
        consent_id=consent_id,
        access_entry_id=access_entry_id,
        together_token=together[0],
        together_session=together[1],
        together_draft_id=together[2],
        office_path=office_path,
        appointment_token=appointment_token,
        offer_token=offer_token,
        held_id=held_id,
    )


HOME = "130 Queen Street West\nToronto ON M5H 2N2"


async def _survey(s: AsyncSession, case: Case) -> uuid.UUID:
    """A satisfaction survey about Marie's case, put to her by email, not yet answered (committed)."""
    assert case.citizen_id is not None
    survey = Survey(
        subject_key=f"case:{case.id}",
        about="case",
        citizen_id=case.citizen_id,
        channel="email",
        contact_channel="web",
        language="fr",
        agency_id=case.agency_id,
        service_id=case.service_id,
        case_id=case.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    s.add(survey)
    await s.commit()
    return survey.id


async def _transit_pass(runtime: Runtime, client: httpx.AsyncClient) -> str:
    """Marie's income and address as Revenue and Licensing hold them, used (with her consent) to apply for the
    low-income transit pass; the draft's id."""
    async with runtime.db.session() as s:
        named = [Identifier(IdentityKind.email, "marie@example.org")]
        when = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        revenue = await agencies.get_agency(s, slug="revenue")
        licensing = await agencies.get_agency(s, slug="transport-licensing")
        await put_record(s, revenue, IncomingRecord("RT-MARIE", when, named, {"household_income": 28400}),
                         source="test", provenance={}, region="CA")  # fmt: skip
        await put_record(s, licensing, IncomingRecord("DL-MARIE", when, named, {"home_address": HOME}),
                         source="test", provenance={}, region="CA")  # fmt: skip
        await s.commit()
    started = await client.get("/services/TRANSIT-PASS/apply")
    assert started.headers.get("location", "").endswith("/prefill"), started.text  # asked first
    page = await client.get(started.headers["location"])
    used = await client.post(started.headers["location"], data={**_form(page), "choice": "use"}, headers=ORIGIN)
    assert used.status_code == 303, used.text
    client.cookies.clear()
    return str(started.headers["location"]).split("/")[2]


async def _shared_data(runtime: Runtime, citizen_id: uuid.UUID, staff_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """Marie agreed that Social Services read her income and address; a member of staff read them, and a read of
    her date of birth, outside the agreements, was refused."""
    async with runtime.db.session() as s:
        benefits = await agencies.get_agency(s, slug="social-services")
        await declared.declare(s, citizen_id=citizen_id, key="social-services.household_size", raw="3")  # hers
        keys = ["revenue.household_income", "transport-licensing.home_address"]
        labels = [
            sharing_agreements.label(a) for a in await sharing_agreements.between(s, consumer_agency_id=benefits.id)
        ]
        consent = await consents.give(s, citizen_id=citizen_id, consumer_agency_id=benefits.id,
                                      purpose="benefit-eligibility", attributes=keys, agreements=labels,
                                      channel="web")  # fmt: skip
        await s.commit()
        reader = access.Reader("staff", str(staff_id), benefits.id, "desk", "GET /desk/citizens/{citizen_id}")
        await access.read(s, reader=reader, consumer=benefits, citizen_id=citizen_id, keys=keys,
                          purpose="benefit-eligibility")  # fmt: skip
        with contextlib.suppress(Problem):  # refused: outside the agreements, and logged as such
            await access.read(s, reader=reader, consumer=benefits, citizen_id=citizen_id,
                              keys=["transport-licensing.date_of_birth"], purpose="benefit-eligibility")  # fmt: skip
        entry = await s.scalar(
            select(AuditEntry.id).where(AuditEntry.citizen_id == citizen_id, AuditEntry.action == access.READ)
        )
        assert entry is not None
        return consent.id, entry


async def _together(
    runtime: Runtime, citizen_id: uuid.UUID, service_id: uuid.UUID, staff_id: uuid.UUID
) -> tuple[str, str, str]:
    """Wren, on a call with Marie, sent her links to fill in her permit's renewal together: one not opened yet, and
    one she opened on her phone, letting Wren fill in, who entered the expiry date. (fresh token, session, draft)"""
    async with runtime.db.session() as s:
        draft = await drafts.start_or_resume(s, citizen_id=citizen_id, service_id=service_id)
        fresh_link = await links.create(
            s, draft=draft, staff_id=staff_id, work_item_id=None, channel="sms", purpose=LinkPurpose.form, minutes=60
        )
        link, token = await links.create(
            s, draft=draft, staff_id=staff_id, work_item_id=None, channel="sms", purpose=LinkPurpose.form, minutes=60
        )
        opened = await links.open_link(s, token=token, session_minutes=600, browser_session=None)
        assert isinstance(opened, links.Opened)
        assert opened.session_token is not None
        await links.agree(s, link=link, allow=True)
        await drafts.save(s, draft_id=draft.id, citizen_id=citizen_id, base_version=0,
                          changes={"expiry_date": "2027-03-01T12:00:00-05:00"},
                          author=drafts.staff_author(staff_id))  # fmt: skip
        await s.commit()
        return fresh_link[1], opened.session_token, str(draft.id)


async def _appointments(runtime: Runtime, citizen_id: uuid.UUID) -> tuple[str, str, str, str]:
    """Marie's appointment at the demo's service centre, and a freed time kept for her from its waiting list."""
    async with runtime.db.session() as s:
        office = (await s.execute(select(Office).where(Office.slug == "service-centre"))).scalar_one()
        offer = await offering.offer(s, office_id=office.id, service_code="DL-RENEW")
        now = utcnow()
        free = await offering.next_available(s, offer=offer, now=now, settings=runtime.settings, count=2)
        made = await booking.book(
            s, runtime.settings, offer=offer, booking=Booking(citizen_id, free[0].starts_at, BookedVia.portal), now=now
        )
        kept = await booking.book(
            s,
            runtime.settings,
            offer=offer,
            booking=Booking(citizen_id, free[1].starts_at, BookedVia.waitlist),
            now=now,
            hold_until=now + timedelta(hours=2),
        )
        await s.commit()
    secret = runtime.settings.secret_key
    return (
        f"/appointments/{office.id}/DL-RENEW",
        appointment_links.token(secret, appointment_links.MANAGE, made.id),
        appointment_links.token(secret, appointment_links.OFFER, kept.id),
        str(kept.id),
    )


async def _neighbour(s: AsyncSession, runtime: Runtime) -> tuple[Resident, list[str], list[uuid.UUID]]:
    """The first French-speaking resident of the demo who has cases, signed in: their cases and conversations."""
    found = (
        await s.execute(
            select(Citizen.id)
            .join(Case, Case.citizen_id == Citizen.id)
            .where(Citizen.language == "fr")
            .order_by(Citizen.created_at)
            .limit(1)
        )
    ).scalar_one()
    token = await sessions.start(s, citizen_id=found, method="email_link", hours=24, device="test")
    await s.commit()
    references = (await s.execute(select(Case.reference).where(Case.citizen_id == found))).scalars().all()
    talks = (await s.execute(select(Conversation.id).where(Conversation.citizen_id == found))).scalars().all()
    return Resident(found, "", token), list(references), list(talks)


async def _display_name(runtime: Runtime, citizen_id: uuid.UUID) -> str:
    """A resident's name as pages show it (the demo's names are made up, and a name may be an English word)."""
    async with runtime.db.session() as s:
        return (await s.get_one(Citizen, citizen_id)).display_name or ""


def portal_pages(world: World) -> list[PortalPage]:
    """Every page a resident can reach, signed out and signed in (the account's pages only signed in)."""
    public = [
        ("/", "/"),
        ("/services", "/services"),
        ("/services/{code}", "/services/POTHOLE"),
        ("/services/{code}", "/services/PROP-TAX"),
        ("/search", "/search"),
        ("/search", "/search?q=nid-de-poule"),
        ("/search", "/search?q=zzzqqq"),
        ("/help", "/help"),
        ("/help/{slug}", "/help/signaler-un-nid-de-poule"),
        ("/help/{slug}", "/help/report-a-pothole"),  # the English page, read in French: its French version
        ("/help/{slug}", "/help/signaler-un-nid-de-poule?answered=yes"),
        ("/help/{slug}", "/help/signaler-un-nid-de-poule?answered=no"),
        ("/map", "/map"),
        ("/open-data", "/open-data"),
        ("/open-data/dashboard", "/open-data/dashboard"),
        ("/reports/{reference}", f"/reports/{world.report_reference}"),
        ("/reports/{reference}", f"/reports/{world.followed_report}"),
        ("/contact", f"/contact?for=follow:{world.followed_report}"),
        ("/contact", f"/contact?for=metoo:{world.followed_report}"),
        ("/offline", "/offline?lang=fr"),
        ("/unsubscribe/{token}", f"/unsubscribe/{world.unsubscribe_token}"),
        ("/survey/{token}", f"/survey/{world.survey_token}?score=4"),
        ("/m/{token}", f"/m/{world.message_token}"),
        ("/account/sign-in/{token}", "/account/sign-in/not-a-real-token"),
        ("/account/identities/email/confirm/{token}", "/account/identities/email/confirm/not-a-real-token"),
        ("/account/identities/email/confirmed", "/account/identities/email/confirmed"),
    ]
    appointment = f"/appointments/manage/{world.appointment_token}"
    public += [
        ("/appointments", "/appointments"),
        ("/appointments/{office_id}/{code}", world.office_path),
        ("/appointments/{office_id}/{code}", world.office_path + "?day=2026-12-25"),  # Christmas: closed
        ("/appointments/manage/{token}", appointment),
        ("/appointments/manage/{token}", appointment + "?booked=1"),
        ("/appointments/manage/{token}/move", appointment + "/move"),
        ("/appointments/manage/{token}/cancel", appointment + "/cancel"),
        ("/appointments/offer/{token}", f"/appointments/offer/{world.offer_token}"),
    ]
    missing = [
        ("/appointments/manage/{token}", "/appointments/manage/not-a-real-token", 404),
        ("/appointments/offer/{token}", "/appointments/offer/not-a-real-token", 404),
        ("/appointments/{office_id}/{code}", world.office_path + "?day=demain", 422),
        ("/services/{code}", "/services/NO-SUCH-SERVICE", 404),
        ("/help/{slug}", "/help/no-such-page", 404),
        ("/reports/{reference}", "/reports/TS-0000-000000", 404),
        ("/unsubscribe/{token}", "/unsubscribe/not-a-real-token", 404),
        ("/survey/{token}", "/survey/not-a-real-token", 404),
        ("/m/{token}", "/m/not-a-real-token", 404),
        ("", "/no-such-page", 404),
        ("", "/map?service=NOPE", 422),
        ("/search", "/search?q=+", 422),
        ("/account/oidc/sign-in", "/account/oidc/sign-in", 404),  # no identity provider in the demo
        ("/contact", "/contact?for=nothing", 404),
        ("/account/oidc/callback", "/account/oidc/callback?state=x&code=y", 404),
    ]
    signed_out_only = [
        ("/account/sign-in", "/account/sign-in", 200),
        ("/services/{code}/apply", "/services/POTHOLE/apply", 200),  # a report without an account (signed in: a draft)
        ("/account/sign-in-code", "/account/sign-in-code", 400),  # no sign-in waiting for its code
    ]
    waiting_for_code = (PENDING_COOKIE, world.pending_sign_in)
    account = [
        ("/account", "/account"),
        ("/account/cases", "/account/cases"),
        ("/account/cases/{reference}", f"/account/cases/{world.case_reference}"),
        ("/account/messages", "/account/messages"),
        ("/account/messages/{conversation_id}", f"/account/messages/{world.conversation_id}"),
        ("/account/preferences", "/account/preferences"),
        ("/account/notifications", "/account/notifications"),
        ("/account/reminders", "/account/reminders"),
        ("/account/appointments", "/account/appointments"),
        ("/contact", f"/contact?for=book:{world.held_id}"),
        ("/appointments/{office_id}/{code}", world.office_path + "?waiting=1"),
        ("/account/details", "/account/details"),
        ("/account/security", "/account/security"),
        ("/account/security/authenticator", "/account/security/authenticator"),
        ("/account/identities/phone/new", "/account/identities/phone/new"),
        ("/account/identities/phone/code", "/account/identities/phone/code"),
        ("/account/identities/email/new", "/account/identities/email/new"),
        ("/account/identities/{identity_id}/remove", f"/account/identities/{world.phone_id}/remove"),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{world.draft_id}/pages/1"),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{world.draft_id}/pages/2"),
        ("/applications/{draft_id}/check", f"/applications/{world.draft_id}/check"),
        ("/applications/{draft_id}/done", f"/applications/{world.sent_draft_id}/done"),
        ("/applications/{draft_id}/prefill", f"/applications/{world.transit_draft_id}/prefill"),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{world.transit_draft_id}/pages/1"),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{world.transit_draft_id}/pages/2"),
        ("/contact", f"/contact?for=draft:{world.draft_id}"),
        ("/reports/{reference}", f"/reports/{world.followed_report}?followed=1"),
        ("/reports/{reference}", f"/reports/{world.report_reference}?sent=1"),
        # The same pages after a change: each shows a banner saying what was done.
        ("/account", "/account?updated=phone"),
        ("/account", "/account?updated=email"),
        ("/account", "/account?updated=removed"),
        ("/account", "/account?updated=preferences"),
        ("/account/notifications", "/account/notifications?saved=1"),
        ("/account/reminders", "/account/reminders?cancelled=1"),
        ("/account/details", "/account/details?saved=1"),
        ("/account/details", "/account/details?removed=1"),
        ("/account/security", "/account/security?changed=on"),
        ("/account/security", "/account/security?changed=off"),
        ("/account/messages/{conversation_id}", f"/account/messages/{world.conversation_id}?sent=1"),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{world.draft_id}/pages/1?saved=1"),
        ("/account/sharing", "/account/sharing"),
        ("/account/sharing", "/account/sharing?withdrawn=1"),
        ("/account/sharing/{consent_id}/withdraw", f"/account/sharing/{world.consent_id}/withdraw"),
        ("/account/sharing/{consent_id}/receipt", f"/account/sharing/{world.consent_id}/receipt"),
        ("/account/access-log", "/account/access-log"),
        ("/account/access-log", "/account/access-log?kind=refusals"),
        ("/account/access-log/{entry_id}/why", f"/account/access-log/{world.access_entry_id}/why"),
    ]
    account_missing = [
        ("/account/cases/{reference}", "/account/cases/TS-0000-000000", 404),
        ("/account/messages/{conversation_id}", f"/account/messages/{uuid.uuid4()}", 404),
        ("/applications/{draft_id}/pages/{number}", f"/applications/{uuid.uuid4()}/pages/1", 404),
        ("/account/identities/{identity_id}/remove", f"/account/identities/{uuid.uuid4()}/remove", 404),
        ("/account/sharing/{consent_id}/receipt", f"/account/sharing/{uuid.uuid4()}/receipt", 404),
        ("/account/access-log/{entry_id}/why", f"/account/access-log/{uuid.uuid4()}/why", 404),
        ("/account/access-log", "/account/access-log?start=hier", 422),
    ]
    pages = [PortalPage(route, url, signed) for signed in (False, True) for route, url in public]
    pages += [PortalPage(route, url, signed, status) for signed in (False, True) for route, url, status in missing]
    pages += [PortalPage(route, url, False, status) for route, url, status in signed_out_only]
    pages.append(PortalPage("/account/sign-in-code", "/account/sign-in-code", False, cookies=(waiting_for_code,)))
    pages += [PortalPage(route, url, True) for route, url in account]
    pages += [PortalPage(route, url, True, status) for route, url, status in account_missing]
    # A form opened from a link staff sent, on the phone that opened it (never signed in), and on another.
    together = (("ts_together", world.together_session),)
    base = f"/together/d/{world.together_draft_id}"
    pages.append(PortalPage("/together/{token}", f"/together/{world.together_token}", False))
    pages.append(PortalPage("/together/{token}", "/together/not-a-real-token", False, 404))
    pages.append(PortalPage("/together/d/{draft_id}/pages/{number}", f"{base}/pages/1", False, 200, together))
    pages.append(PortalPage("/together/d/{draft_id}/pages/{number}", f"{base}/pages/2", False, 200, together))
    pages.append(PortalPage("/together/d/{draft_id}/check", f"{base}/check", False, 200, together))
    pages.append(PortalPage("/together/d/{draft_id}/upload", f"{base}/upload", False, 200, together))
    pages.append(PortalPage("/together/d/{draft_id}/pages/{number}", f"{base}/pages/1", False, 403))
    guest = world.guest_token
    pages.append(PortalPage("/contact/code", f"/contact/code?for=follow:{world.followed_report}", True, token=guest))
    # A neighbour's six months of contact: every kind of touchpoint, each channel's words around it.
    theirs = world.neighbour.token
    pages += [PortalPage("/account/cases", "/account/cases", True, token=theirs)]
    pages += [PortalPage("/account/messages", "/account/messages", True, token=theirs)]
    pages += [PortalPage("/account/access-log", "/account/access-log", True, token=theirs)]
    pages += [
        PortalPage("/account/cases/{reference}", f"/account/cases/{r}", True, token=theirs)
        for r in world.neighbour_cases
    ]
    pages += [
        PortalPage("/account/messages/{conversation_id}", f"/account/messages/{c}", True, token=theirs)
        for c in world.neighbour_conversations
    ]
    return pages


@dataclass(frozen=True)
class PortalForm:
    """A form sent with a mistake (or done, for the pages that answer a form): its answer is a page to read."""

    url: str
    data: dict[str, str]
    signed_in: bool
    status: int
    cookies: tuple[tuple[str, str], ...] = ()
    token: str = ""  # signed in as another resident than Marie


def portal_forms(world: World) -> list[PortalForm]:
    """Forms sent as a resident gets them wrong, and the answers to forms that are pages of their own."""
    draft, conversation = world.draft_id, world.conversation_id
    code = (PENDING_COOKIE, world.pending_sign_in)
    together = (("ts_together", world.together_session),)
    return [
        PortalForm("/account/sign-in", {"email": "pas-une-adresse"}, False, 422),
        PortalForm("/account/sign-in", {"email": ""}, False, 422),
        PortalForm("/account/sign-in", {"email": "marie@example.org"}, False, 200),  # check your email
        PortalForm("/account/sign-in-code", {"code": ""}, False, 400, (code,)),
        PortalForm("/account/sign-in-code", {"code": "12"}, False, 400, (code,)),
        PortalForm("/account/sign-in-code", {"code": "000000"}, False, 400, (code,)),
        PortalForm("/account/sign-in/not-a-real-token", {}, False, 400),
        PortalForm("/account/identities/email/confirm/not-a-real-token", {}, False, 400),
        PortalForm(f"/applications/{draft}/pages/2", {"f.size": ""}, True, 422),
        PortalForm(f"/applications/{draft}/submit", {}, True, 422),
        PortalForm(f"/together/d/{world.together_draft_id}/upload", {}, False, 422, together),  # no photo chosen
        PortalForm("/together/not-a-real-token", {}, False, 404),
        PortalForm(f"/applications/{world.transit_draft_id}/prefill", {}, True, 422),  # neither choice
        PortalForm(f"/account/messages/{conversation}", {"text": ""}, True, 422),
        PortalForm("/account/identities/phone/new", {"phone": "pas un numéro"}, True, 422),
        PortalForm("/account/identities/phone/code", {"code": "000000"}, True, 422),
        PortalForm("/account/identities/email/new", {"email": "pas-une-adresse"}, True, 422),
        PortalForm("/account/preferences", {"language": "fr", "quiet_start": "tard", "quiet_end": ""}, True, 422),
        PortalForm("/account/preferences", {"language": "fr", "quiet_start": "21:00"}, True, 422),
        PortalForm("/account/security/authenticator/confirm", {"code": ""}, True, 400),
        PortalForm("/account/security/authenticator/confirm", {"code": "000000"}, True, 400),
        PortalForm("/help/signaler-un-nid-de-poule/feedback", {"helpful": ""}, False, 422),
        PortalForm(f"/unsubscribe/{world.unsubscribe_token}", {"scope": "type"}, False, 200),
        PortalForm(f"/unsubscribe/{world.unsubscribe_token}", {"undo": "1"}, False, 200),
        PortalForm(f"/survey/{world.survey_token}", {"comment": "sans note"}, False, 422),
        PortalForm(f"/survey/{world.survey_token}", {"score": "4", "comment": "Très bien"}, False, 200),
        PortalForm("/contact", {"for": f"follow:{world.followed_report}", "how": ""}, False, 422),
        PortalForm(world.office_path, {"day": "2026-12-07"}, True, 422),  # no time chosen
        PortalForm(world.office_path, {"starts_at": "2020-01-06T14:00:00+00:00"}, True, 422),  # a time gone by
        PortalForm(f"/appointments/manage/{world.appointment_token}/move", {}, False, 422),
        PortalForm("/contact", {"for": f"follow:{world.followed_report}", "how": "phone", "phone": "non"}, True, 422),
        PortalForm(
            "/contact/code",
            {"for": f"follow:{world.followed_report}", "code": "000000"},
            True,
            422,
            token=world.guest_token,
        ),
    ]


def resident_get_routes(app: FastAPI) -> set[str]:
    """The paths of the app's GET routes drawn by the portal (and the read-more page of a shortened SMS), through
    the routers the app includes."""
    found = set()
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else []
        gets = [(ctx.path, ctx.original_route.endpoint) for ctx in contexts if ctx.methods and "GET" in ctx.methods]
        if isinstance(route, APIRoute) and "GET" in (route.methods or set()):
            gets.append((route.path, route.endpoint))
        for path, endpoint in gets:
            module = endpoint.__module__
            if module.startswith("townsquare.web.portal.") or module == "townsquare.web.messages":
                found.add(path)
    assert {"/", "/account", "/m/{token}"} <= found, "the portal's routes could not be read"
    return found


def uncovered_routes(app: FastAPI, pages: list[PortalPage]) -> set[str]:
    """GET routes of the portal that no page visits and `NOT_PAGES` does not explain."""
    return resident_get_routes(app) - {page.route for page in pages} - set(NOT_PAGES)
