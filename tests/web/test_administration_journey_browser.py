"""In Chromium, a city set up without code, end to end through the desk's and the portal's own pages.

An administrator (the only account there is) creates an agency with its names in English and French and a contact
point, a service of it, the service's two-page bilingual form (published), office hours, an SLA target and an
agent's account; on the Agents page gives the agent French; and opens a queue for the service with those hours.
The agent signs in through the organisation's OpenID Connect provider (a real one, the group in the ID token
mapped to the new agency) and goes available. A resident applies in French with the new form, seeing the wording
the administrator typed; the case's work lands in the new queue and is offered to the agent live, who takes it.
A few of the administration pages are checked with axe-core on the way (the desk's page walk checks them all)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.factories import PASSWORD, create_staff
from tests.support.applying import continue_to, send_application
from tests.support.browser import assert_accessible
from tests.support.oidc import StaffPerson, sign_in_in_browser, staff_provider
from tests.support.servers import LiveApp, free_port, serving
from tests.web.portal.conftest import Resident, make_resident
from townsquare.agencies.models import Service, ServiceFormVersion
from townsquare.app import build_runtime, create_app
from townsquare.cases.models import Case
from townsquare.routing.engine import RoutingConfig
from townsquare.routing.models import Queue, WorkItem
from townsquare.settings import Settings
from townsquare.staff.models import StaffRole
from townsquare.web.i18n import LANGUAGE_COOKIE

ADMIN = "root@city.example"
AGENT = "nour@city.example"
GROUP = "parks-agents"
MAPPING = {GROUP: {"role": "agent", "agencies": ["parks"]}}
SERVICE = "PICNIC"
QUEUE = "Picnic shelter bookings"
LIVE = 15000  # ms: an offer crosses the outbox, a routing pass and a fragment fetch
FORM = f"/desk/admin/services/{SERVICE}/form"


@pytest.fixture
def live(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app live (its outbox and routing workers running), its public URL the provider's callback, and the
    organisation's provider with the agent in the agency's group."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    people = [StaffPerson("nour-7", AGENT, "Nour Haddad", groups=[GROUP])]
    with staff_provider(tmp_path_factory.mktemp("staff-oidc"), people, public_url=url) as provider:
        update = {"public_url": url, "outbox_worker": True, "routing_worker": True}
        live_settings = settings.model_copy(update=update | provider.settings(mapping=MAPPING))
        runtime = build_runtime(live_settings)
        # An offer waits an hour for its answer: taking it is never a race against the clock.
        runtime.router.config = RoutingConfig(offer_seconds={"voice": 3600, "chat": 3600, "async": 3600})
        with serving(create_app(live_settings, runtime), port) as loop:
            yield LiveApp(url, runtime, loop)


async def _submit(page: Page, button: str, lands_on: str | re.Pattern[str]) -> None:
    """Press the form's button and wait for the page it leads to (a refusal would stay put, naming the field)."""
    await page.get_by_role("button", name=button, exact=True).click()
    await page.wait_for_url(lands_on)


async def _agency_and_service(page: Page, url: str) -> None:
    await page.goto(f"{url}/desk/sign-in?next=/desk/admin")
    await page.fill("#email", ADMIN)
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/desk/admin")
    await assert_accessible(page)

    await page.click("a[href='/desk/admin/agencies']")
    await page.click("a[href='/desk/admin/agencies/new']")
    await page.fill("#field-slug", "parks")
    await page.fill("#field-name", "Parks and Recreation")
    await page.fill("#field-name_fr", "Parcs et Loisirs")
    await page.fill("#field-timezone", "America/Toronto")
    await page.select_option("#point-channel-1", "email")
    await page.fill("#point-address-1", "parks@city.example")
    await _submit(page, "Add the agency", f"{url}/desk/admin/agencies/parks?notice=created")
    assert await page.input_value("#point-address-1") == "parks@city.example"
    await assert_accessible(page)

    await page.goto(f"{url}/desk/admin/services/new")
    await page.fill("#field-code", SERVICE)
    await page.select_option("#field-agency", label="Parks and Recreation")
    await page.fill("#field-name", "Picnic shelter booking")
    await page.fill("#field-name_fr", "Réservation d'un abri à pique-nique")
    await page.fill("#field-sla_hours", "72")
    await _submit(page, "Add the service", f"{url}/desk/admin/services/{SERVICE}?notice=created")
    await page.click("text=Edit the questions of its form")
    await page.wait_for_url(f"{url}{FORM}")


async def _field(page: Page, url: str, fields: dict[str, str], *, kind: str) -> None:
    await page.click("text=Add a field")
    for selector, value in fields.items():
        await page.fill(selector, value)
    await page.select_option("#datatype", kind)
    await page.check("#required")
    await _submit(page, "Save the field", f"{url}{FORM}?notice=saved")


async def _two_page_form(page: Page, url: str) -> None:
    """Two questions on two pages, each page titled in both languages; published."""
    guests = {"#label": "How many people will come?", "#label_fr": "Combien de personnes viendront ?"}
    await _field(page, url, guests | {"#code": "guests", "#page": "1"}, kind="number")
    shelter = {"#label": "Which shelter would you like?", "#label_fr": "Quel abri souhaitez-vous ?"}
    choices = "north | North shelter | Abri nord\nsouth | South shelter | Abri sud"
    await _field(page, url, shelter | {"#code": "shelter", "#page": "2", "#choices": choices}, kind="singlevaluelist")
    titles = {"#title-1-en": "Your picnic", "#title-1-fr": "Votre pique-nique"}
    titles |= {"#title-2-en": "The shelter", "#title-2-fr": "L'abri"}
    for selector, title in titles.items():
        await page.fill(selector, title)
    await _submit(page, "Save the page titles", f"{url}{FORM}?notice=pages")
    # A new service's form before its first question is kept as version 1 (empty); this is the next one.
    await page.get_by_role("button", name=re.compile(r"^Publish version \d+$")).click()
    await page.wait_for_url(f"{url}{FORM}?notice=published")
    await assert_accessible(page)


async def _hours_sla_and_agent(page: Page, url: str) -> uuid.UUID:
    """Office hours, an SLA target for the service's web forms, and the agent's account; the agent's id."""
    await page.goto(f"{url}/desk/admin/hours/new")
    await page.select_option("#agency_id", label="Parks and Recreation")
    await page.fill("#name", "Parks office")
    await page.fill("#timezone", "America/Toronto")
    for day in range(5):  # Monday to Friday
        await page.fill(f"#open-{day}-0", "08:30")
        await page.fill(f"#close-{day}-0", "16:30")
    await _submit(page, "Save hours", re.compile(r"/desk/admin/hours/[0-9a-f-]{36}\?notice=created$"))
    await assert_accessible(page)

    await page.goto(f"{url}/desk/admin/sla/new")
    await page.select_option("#agency_id", label="Parks and Recreation")
    await page.select_option("#channel", "web")
    await page.select_option("#service_code", SERVICE)
    await page.fill("#amount", "2")
    await page.select_option("#unit", "days")
    await page.fill("#goal_percent", "90")
    await _submit(page, "Save target", f"{url}/desk/admin/sla?notice=created")

    await page.goto(f"{url}/desk/admin/staff/new")
    await page.fill("#field-email", AGENT)
    await page.fill("#field-display_name", "Nour Haddad")
    await page.select_option("#field-role", "agent")
    await page.check("text=Parks and Recreation")
    await _submit(page, "Add the account", re.compile(r"/desk/admin/staff/[0-9a-f-]{36}\?notice=created$"))
    return uuid.UUID(page.url.split("/")[-1].split("?")[0])


async def _profile_and_queue(page: Page, url: str, agent_id: uuid.UUID) -> None:
    """The agent answers in French too (the Agents page), and the service's queue answers in the office's hours."""
    await page.goto(f"{url}/desk/agents")
    await page.get_by_role("link", name="Edit Nour Haddad").click()
    await page.wait_for_url(f"{url}/desk/agents/{agent_id}")
    await page.check("#language-fr")
    await _submit(page, "Save profile", f"{url}/desk/agents/{agent_id}?notice=saved")

    await page.goto(f"{url}/desk/admin/queues/new")
    await page.select_option("#agency_id", label="Parks and Recreation")
    await page.fill("#name", QUEUE)
    await page.fill("#name_fr", "Réservations d'abris à pique-nique")
    await page.check("#channel-web")
    await page.check("text=Picnic shelter booking")
    await page.select_option("#calendar_id", label="Parks office")
    await assert_accessible(page)
    await _submit(page, "Save queue", f"{url}/desk/admin/queues?notice=created")
    assert QUEUE in await page.inner_text("main")


async def _agent_signs_in_and_goes_available(page: Page, url: str) -> None:
    """Through the organisation's provider: the account the administrator made is linked by its verified email."""
    await page.context.clear_cookies()
    await sign_in_in_browser(page, url, "nour-7")
    await page.get_by_label("Available").check()
    await _submit(page, "Set status", f"{url}/desk")
    await expect(page.locator(".presence-now")).to_contain_text("Available")
    await expect(page.locator("#desk-connection")).to_have_text("Live updates: on", timeout=LIVE)


async def _resident_applies_in_french(context: BrowserContext, url: str, resident: Resident) -> None:
    await context.add_cookies([resident.cookie(url), {"name": LANGUAGE_COOKIE, "value": "fr", "url": url}])
    page = await context.new_page()
    await page.goto(f"{url}/services/{SERVICE}/apply")
    assert "Votre pique-nique" in await page.inner_text("h1")
    assert "Combien de personnes viendront ?" in await page.inner_text("main")
    await page.fill("#field-guests", "12")
    await continue_to(page, "**/pages/2")
    assert "L'abri" in await page.inner_text("h1")
    await page.check("text=Abri nord")
    await continue_to(page, "**/pages/3", "**/check")
    assert "Quel abri souhaitez-vous ?" in await page.inner_text("main")
    await send_application(page)


async def test_an_administrator_sets_up_a_service_an_agent_signed_in_by_the_provider_works(
    browser: Browser, live: LiveApp
) -> None:
    async def seed() -> Resident:
        async with live.runtime.db.session() as s:
            await create_staff(s, email=ADMIN, role=StaffRole.admin)  # and nothing of the agency to come
            await s.commit()
            return await make_resident(s)

    resident = await live.call(seed)
    staff = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await staff.new_page()
    await _agency_and_service(page, live.url)
    await _two_page_form(page, live.url)
    agent_id = await _hours_sla_and_agent(page, live.url)
    await _profile_and_queue(page, live.url, agent_id)

    await _agent_signs_in_and_goes_available(page, live.url)
    await _resident_applies_in_french(await browser.new_context(), live.url, resident)
    offer = page.locator(".offer", has_text="Maria Lopez")
    await expect(offer).to_be_visible(timeout=LIVE)
    await expect(offer).to_contain_text("Picnic shelter booking")
    await offer.get_by_role("button", name="Accept").click()
    await page.wait_for_url(re.compile(r"/desk/work/[0-9a-f-]{36}"))
    await expect(page.locator("main")).to_contain_text("Maria Lopez")

    async def landed() -> tuple[str | None, uuid.UUID | None, list[str], bool, dict[str, object]]:
        """The work item's queue and holder; the case's form version: its questions, and whether it is the one
        the administrator published; the case's answers."""
        async with live.runtime.db.session() as s:
            case = (await s.execute(select(Case))).scalar_one()
            item = (await s.execute(select(WorkItem).where(WorkItem.case_id == case.id))).scalar_one()
            queue = await s.get(Queue, item.queue_id) if item.queue_id else None
            version = await s.get_one(ServiceFormVersion, case.form_version_id)
            published = await s.scalar(select(Service.form_version).where(Service.code == SERVICE))
            return (
                queue.name if queue else None,
                item.assigned_to_id,
                [f["code"] for f in version.fields],
                version.number == published and version.published_by_id is not None,
                case.attributes,
            )

    assert await live.call(landed) == (QUEUE, agent_id, ["guests", "shelter"], True, {"guests": 12, "shelter": "north"})
