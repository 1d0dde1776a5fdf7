"""Fill an empty database with the demo city: its catalogue and knowledge base imported from demo/content/ by the
same importers a real city runs, its staff, an address register, a hundred and fifty residents, a year of their
contact across every channel (with its seasons and its shift from the phone and the counter to the web and chat),
and street reports on the map; then the analytics worker folds every contact's touch into journeys and rollups,
so the dashboards at /desk/analytics are full the moment the demo serves.

Everything is written through the domains' own service functions, history at the time it happened. Deterministic
for a given seed (Faker and random are seeded); times are relative to now so the demo looks live. Never touches
a database that already has agencies.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.analytics.models import Journey, Touch
from townsquare.analytics.worker import AnalyticsWorker
from townsquare.clock import utcnow
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.content.knowledge import import_knowledge
from townsquare.content.notification_templates import import_notification_templates
from townsquare.db import Database
from townsquare.demo.addresses import address_points, register_rows
from townsquare.demo.appointments import seed_appointments
from townsquare.demo.city import CATALOGUE_DIR, KNOWLEDGE_DIR, NOTIFICATIONS_DIR, city
from townsquare.demo.history import History
from townsquare.demo.offices import seed_offices
from townsquare.demo.records import seed_records
from townsquare.demo.reports import REPORTS, ReportContext, create_demo_key, seed_reports
from townsquare.demo.sharing import seed_sharing
from townsquare.engagement.pipeline import Pipeline
from townsquare.interactions.models import Interaction
from townsquare.interactions.storage import AttachmentStore
from townsquare.notify.direct import ESSENTIAL_DIR
from townsquare.places import service as places_service
from townsquare.routing import agents as routing_agents
from townsquare.routing import setup as routing_setup
from townsquare.settings import Settings
from townsquare.staff import service as staff_service
from townsquare.staff.models import ADMINISTERING, StaffRole

DEMO_PASSWORD = city().password
FRONT_LINE = "front-line"
FOLD_PASSES = 10  # more than enough: the first pass folds a demo's year, the next finds nothing new
# A step of the seeding and how many units of work it is, for a progress bar: (label, total).
Progress = Callable[[str, int], Callable[[int], None]]


def _quiet(_label: str, _total: int) -> Callable[[int], None]:
    return lambda _done: None


@dataclass(frozen=True)
class DemoSummary:
    seeded: bool
    citizens: int
    cases: int
    interactions: int
    staff: list[tuple[str, str, str]]  # email, role, password
    touches: int = 0  # what analytics folded: every inbound contact's touch
    journeys: int = 0


def staff_listing() -> list[tuple[str, str, str]]:
    return [(s.email, s.role, DEMO_PASSWORD) for s in city().staff]


async def seed(
    db: Database,
    *,
    prefix: str = "TS",
    citizens: int = 150,
    rng_seed: int = 2026,
    settings: Settings | None = None,
    progress: Progress = _quiet,
) -> DemoSummary:
    """Seed once; a database that already has agencies is left as it is."""
    settings = (settings or Settings()).model_copy(update={"case_reference_prefix": prefix})
    rng = random.Random(rng_seed)
    faker = Faker(["en_CA", "fr_CA"])
    faker.seed_instance(rng_seed)
    async with db.session() as session:
        if await agencies.list_agencies(session):
            return DemoSummary(False, 0, 0, 0, staff_listing())
        step = progress("Catalogue, staff, addresses, knowledge", 4)
        await import_catalogue(session, CATALOGUE_DIR)
        step(1)
        admin_id, staff_by_agency, staff_ids = await _staff(session)
        step(1)
        await places_service.import_rows(session, register_rows())
        await seed_offices(session)
        step(1)
        await import_knowledge(session, KNOWLEDGE_DIR)
        await import_notification_templates(session, NOTIFICATIONS_DIR)
        await import_notification_templates(session, ESSENTIAL_DIR)  # so the desk's editor shows them
        step(1)
        history = History(
            session,
            rng,
            faker,
            prefix,
            utcnow(),
            # Services residents have contacted the city about (the demo's phrases); a new benefit starts empty.
            [s for s in await agencies.list_services(session) if s.code in city().phrases.openers],
            staff_by_agency,
            address_points(),
        )
        await history.people(citizens, progress("Residents", citizens))
        needs = history.plan()
        advance = progress("A year of contact", len(needs))
        for start, resident in needs:
            await history.journey(start, resident)
            advance(1)
        supervisor = next((staff_ids[s.email] for s in city().staff if s.role == "supervisor"), None)
        # The registers draw from generators of their own: the year's history depends on the day and hour the demo
        # starts (it ends now), and what the registers hold must not.
        await seed_sharing(
            session,
            residents=history.residents,
            places=address_points(),
            rng=random.Random(rng_seed + 1),
            now=history.now,
            provider_approver=supervisor,
            consumer_approver=admin_id,
        )
        records_rng = random.Random(rng_seed + 2)
        await seed_records(session, settings, residents=history.residents, places=address_points(), rng=records_rng)
        await seed_appointments(session, settings, residents=history.residents, now=history.now)
        key = await create_demo_key(session, created_by_id=admin_id)
        works = staff_by_agency.get((await agencies.get_agency(session, slug="city-works")).id, [])
        await session.commit()
    context = ReportContext(
        now=history.now,
        places={p.address: p for p in address_points()},
        reporters=[(r.citizen, r.phone, r.email) for r in history.residents],
        agent_id=works[-1] if works else admin_id,
        key_id=key.id,
    )
    advance = progress("Street reports", 1)
    pipeline = Pipeline(settings, AttachmentStore(settings.data_dir / "attachments"))
    await seed_reports(db, pipeline, context)
    advance(1)
    folded = await fold(db, progress)
    async with db.session() as session:  # the reports' forms and what the city said back (acknowledgements)
        recorded = (await session.execute(select(func.count()).select_from(Interaction))).scalar_one()
        journeys = (await session.execute(select(func.count()).select_from(Journey))).scalar_one()
    return DemoSummary(True, citizens, history.case_count + len(REPORTS), recorded, staff_listing(), folded, journeys)


async def fold(db: Database, progress: Progress = _quiet) -> int:
    """Fold every touch into journeys and compute the dashboards' rollups, as the app's analytics worker would,
    pass after pass until a pass folds, decides and learns nothing more; returns the touches folded. (Each pass
    also reads again the last hour's released work, by design, so that alone does not call for another pass.)"""
    async with db.session() as session:
        waiting = (
            await session.execute(select(func.count()).select_from(Touch).where(Touch.journey_id.is_(None)))
        ).scalar_one()
    advance = progress("Journeys and rollups for the dashboards", waiting)
    worker = AnalyticsWorker(db)
    folded = 0
    for _ in range(FOLD_PASSES):
        report = await worker.run_once()
        folded += report.touches
        advance(report.touches)
        if not report.held or not (report.touches or report.decided or report.outcomes):
            break
    return folded


async def _staff(
    session: AsyncSession,
) -> tuple[uuid.UUID | None, dict[uuid.UUID, list[uuid.UUID]], dict[str, uuid.UUID]]:
    """The demo staff, each an agent in English and French, skilled in their agencies' services and in their
    agencies' front-line teams; returns the administrator's id, each agency's staff and each account by email."""
    slugs = {a.slug: a.id for a in await agencies.list_agencies(session)}
    services = await agencies.list_services(session)
    admin_id = None
    by_agency: dict[uuid.UUID, list[uuid.UUID]] = {}
    by_email: dict[str, uuid.UUID] = {}
    for spec in city().staff:
        agency_ids = [slugs[a] for a in spec.agencies]
        account = await staff_service.create_staff(
            session,
            email=spec.email,
            display_name=spec.name,
            password=DEMO_PASSWORD,
            role=StaffRole(spec.role),
            agency_ids=agency_ids,
        )
        by_email[spec.email] = account.id
        if StaffRole(spec.role) in ADMINISTERING:  # they sign in with a one-time code too (staff.mfa)
            account.mfa_secret, account.mfa_enabled_at = city().admin_mfa_key, utcnow()
        if spec.role == "admin" and admin_id is None:
            admin_id = account.id
        for agency_id in agency_ids:
            by_agency.setdefault(agency_id, []).append(account.id)
        codes = [s.code for s in services if s.agency_id in agency_ids]
        await routing_agents.ensure_agent(
            session,
            staff_id=account.id,
            languages=["en", "fr"],
            skills={code.lower(): 4 if spec.role == "supervisor" else 3 for code in codes},
            wrap_up_seconds=15,
        )
        teams = set()
        for agency_id in agency_ids:
            team = await routing_setup.team(session, agency_id=agency_id, slug=FRONT_LINE)
            if team is not None:
                teams.add(team.id)
        await routing_agents.set_teams(session, staff_id=account.id, team_ids=teams, allowed=teams)
    return admin_id, by_agency, by_email
