"""In Chromium, on a 320-pixel phone: a resident with no account reports a pothole with a photo and her location,
proves her phone by the texted code, follows her report and a neighbour's, and sees the city's public update.
Every page on the way is free of axe-core violations and never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, FilePayload, Page
from sqlalchemy import select

from tests.factories import create_agency, create_citizen, create_service, create_staff
from tests.support.browser import assert_accessible
from tests.support.messages import body_of, code_in, last_sent_to
from tests.support.photos import phone_photo
from townsquare.app import Runtime
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus
from townsquare.casework import cases as casework
from townsquare.content.notification_templates import import_notification_templates
from townsquare.demo.city import NOTIFICATIONS_DIR
from townsquare.places import service as places
from townsquare.settings import Settings
from townsquare.staff.auth import Principal
from townsquare.staff.models import StaffRole

HERE = (43.6535, -79.3841)  # where her phone says she is: the register's 100 Queen Street West
PHONE = "+16135550123"
WIDTH = 320


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"map_tile_url": "/tiles/{z}/{x}/{y}.png"})  # tiles need not load


async def _seed(runtime: Runtime) -> str:
    """The pothole service, the address register, the city's message templates and a neighbour's open report."""
    async with runtime.db.session() as s:
        await import_notification_templates(s, NOTIFICATIONS_DIR)
        agency = await create_agency(s)
        pothole = await create_service(s, agency=agency, code="POTHOLE", name="Report a pothole")
        pothole.open311 = True
        rows = [
            {"address_id": "Q-100", "address": "100 Queen Street West", "lat": str(HERE[0]), "long": str(HERE[1])},
            {"address_id": "B-1", "address": "1 Bay Street", "lat": "43.6400", "long": "-79.3770"},
        ]
        await places.import_rows(s, rows)
        neighbour = await create_citizen(s, name="A Neighbour", email="neighbour@example.org")
        theirs = await cases.open_case(
            s,
            prefix="TS",
            agency_id=agency.id,
            title=pothole.name,
            channel="web",
            service_id=pothole.id,
            citizen_id=neighbour.id,
            location={"address_string": "1 Bay Street", "lat": 43.64, "long": -79.377},
        )
        await s.commit()
        return theirs.reference


async def _fits(page: Page) -> None:
    """The page is accessible and nothing on it makes a phone scroll sideways."""
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {WIDTH}px"
    await assert_accessible(page)


async def _post_update(runtime: Runtime, settings: Settings, reference: str, note: str) -> None:
    """A supervisor moves the report on, with a public note."""
    async with runtime.db.session() as s:
        admin = await create_staff(s, email=f"crew.{reference.lower()}@city.example", role=StaffRole.admin)
        me = Principal("staff", admin.id, "Admin", StaffRole.admin, None)
        case = await cases.require(s, reference=reference)
        await casework.change_status(
            s, settings=settings, actor=me, case=case, status=CaseStatus.in_progress, note=note
        )
        await s.commit()


async def _report(page: Page, live_server: str) -> str:
    """From the service's page to the end of the form, as a signed-out resident; the draft's address."""
    await page.goto(f"{live_server}/services/POTHOLE")
    await _fits(page)
    await page.get_by_role("button", name="Start now").click()  # GOV.UK's start link
    await page.wait_for_url("**/services/POTHOLE/apply")
    assert "You do not need an account" in await page.content()
    await _fits(page)
    await page.get_by_role("button", name="Start now").click()
    await page.wait_for_url("**/pages/1")
    draft_url = page.url.rsplit("/pages/", 1)[0]
    await _fits(page)

    await page.get_by_role("button", name="Use my location").click()
    await page.wait_for_function("document.querySelector('#field-_address').value === '100 Queen Street West'")
    photo: FilePayload = {"name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": phone_photo(at=HERE)}
    await page.set_input_files("#field-photo", files=[photo])
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/pages/2")
    await page.get_by_label("Details (optional)").fill("Deep, in the bike lane, by the bus stop")
    await _fits(page)
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/check")
    text = await page.content()
    assert "100 Queen Street West" in text
    assert "1 photo, without its hidden details" in text
    await _fits(page)
    await page.get_by_role("button", name="Continue").click()

    return draft_url


async def _prove_phone(page: Page, runtime: Runtime) -> None:
    """Give a mobile number and type the code texted to it."""
    await page.wait_for_url("**/contact?for=draft:*")
    await _fits(page)
    await page.get_by_label("By text message").check()
    await page.get_by_label("Mobile phone number").fill("613-555-0123")
    await page.get_by_role("button", name="Send me a code").click()
    await page.wait_for_url("**/contact/code?for=draft:*")
    await _fits(page)
    async with runtime.db.session() as s:
        code = code_in(body_of(await last_sent_to(s, PHONE)))
    await page.get_by_label("Enter the code we sent you").fill(code)
    await page.get_by_role("button", name="Confirm").click()


async def test_an_anonymous_resident_reports_a_pothole_from_her_phone_and_follows_it(
    browser: Browser, live_server: str, runtime: Runtime, settings: Settings
) -> None:
    neighbours = await _seed(runtime)
    context = await browser.new_context(
        viewport={"width": WIDTH, "height": 640},
        geolocation={"latitude": HERE[0], "longitude": HERE[1]},
        permissions=["geolocation"],
        reduced_motion="reduce",
        is_mobile=True,
        has_touch=True,
    )
    page = await context.new_page()

    draft_url = await _report(page, live_server)
    await _prove_phone(page, runtime)
    await page.wait_for_url(f"{draft_url}/done")
    await _fits(page)
    reference = await page.locator(".govuk-panel__body strong").inner_text()

    await page.get_by_role("link", name="See your report's public page").click()
    await page.wait_for_url(f"**/reports/{reference}")
    assert "You reported this problem. We will tell you when it changes." in await page.content()
    await _fits(page)
    # A neighbour's report of the same street: she follows that one too, with the phone she has just proved.
    await page.goto(f"{live_server}/reports/{neighbours}")
    await page.get_by_role("button", name="Follow this report").click()
    await page.wait_for_url(f"**/reports/{neighbours}?followed=1")
    assert "You are following this report." in await page.content()
    await _fits(page)

    await _post_update(runtime, settings, reference, "A crew is booked for Friday.")
    await _post_update(runtime, settings, neighbours, "Fixed the same day as the one on Queen Street.")
    await page.goto(f"{live_server}/reports/{reference}")
    updated = await page.content()
    assert "In progress" in updated
    assert "A crew is booked for Friday." in updated
    await _fits(page)
    async with runtime.db.session() as s:
        texts = [body_of(await last_sent_to(s, PHONE))]
        case = (await s.execute(select(Case).where(Case.reference == reference))).scalar_one()
    assert case.address_string == "100 Queen Street West"
    assert "the report you follow" in texts[0]  # the neighbour's report, texted to her as a follower
    assert "Fixed the same day" in texts[0]
    await context.close()
