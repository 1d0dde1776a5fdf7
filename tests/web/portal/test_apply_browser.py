"""In Chromium: one resident applies on a phone and a desktop at once and loses nothing; the case and the web
visits reach the desk; the whole form also works with JavaScript off. axe-core finds nothing on every page
(checked with JavaScript on, since axe is itself a script)."""

from __future__ import annotations

import re
from typing import TypedDict

from playwright.async_api import Browser, BrowserContext, Page, ViewportSize
from sqlalchemy import select

from tests.factories import PASSWORD, create_agency, create_service, create_staff
from tests.support.browser import assert_accessible
from tests.web.portal.conftest import Resident, make_resident
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.citizens import sessions
from townsquare.citizens.sessions import CITIZEN_COOKIE

ATTRIBUTES = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "How big is it?",
        "values": [{"key": "small", "name": "Smaller than a plate"}, {"key": "large", "name": "Bigger than a tyre"}],
        "page": 1,
    },
    {"code": "street", "datatype": "string", "required": True, "description": "Which street is it on?", "page": 2},
    {"code": "depth", "datatype": "number", "description": "How deep is it, in centimetres?", "page": 2},
]


class Device(TypedDict, total=False):
    """How a browser context presents itself: the options of `Browser.new_context` these tests use."""

    viewport: ViewportSize
    is_mobile: bool
    has_touch: bool
    device_scale_factor: float
    java_script_enabled: bool


PHONE: Device = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
DESKTOP: Device = {"viewport": {"width": 1280, "height": 800}}
BOTH_SAVED_OR_ONE_ASKED = (
    "document.querySelectorAll('.govuk-inset-text button').length > 0 || "
    "document.querySelector('[data-autosave-status]').textContent === 'Saved'"
)


async def _seed(runtime: Runtime) -> tuple[Resident, str]:
    async with runtime.db.session() as s:
        agency = await create_agency(s)
        await create_service(s, agency=agency, attributes=ATTRIBUTES)
        await create_staff(s, email="wren@city.example", agencies=[agency])
        await s.commit()
        resident = await make_resident(s)
        second = await sessions.start(s, citizen_id=resident.citizen_id, method="email_link", hours=24, device="desk")
        await s.commit()
    return resident, second


async def _context(browser: Browser, url: str, token: str, device: Device) -> BrowserContext:
    context = await browser.new_context(**device)
    await context.add_cookies([{"name": CITIZEN_COOKIE, "value": token, "url": url}])
    return context


async def _saved(page: Page) -> None:
    await page.wait_for_function("document.querySelector('[data-autosave-status]').textContent === 'Saved'")


async def test_two_devices_of_one_resident_fill_one_application_and_nothing_is_lost(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    resident, second_token = await _seed(runtime)
    phone = await (await _context(browser, live_server, resident.token, PHONE)).new_page()
    desktop = await (await _context(browser, live_server, second_token, DESKTOP)).new_page()

    draft_url = await _start_on_the_phone(phone, live_server)
    await _open_the_same_application_on_the_desktop(desktop, live_server, draft_url)
    await _different_fields_typed_on_both_are_both_kept(phone, desktop)
    typed = await _the_same_field_changed_on_both_is_a_choice(phone, desktop)
    reference = await _finish_and_send_on_the_desktop(phone, desktop, draft_url)

    async with runtime.db.session(deferred=True) as s:
        case = (await s.execute(select(Case).where(Case.reference == reference))).scalar_one()
        assert case.attributes == {"size": "large", "street": typed, "depth": 12}
        assert case.citizen_id == resident.citizen_id

    # Staff see the web visits and the submission on the person's timeline.
    timeline = await _staff_timeline(browser, live_server, resident)
    assert "Started an application: Report a pothole" in timeline
    assert "Continued the application on another device: Report a pothole" in timeline
    assert "It fills with water when it rains." in timeline
    assert reference in timeline


async def _start_on_the_phone(phone: Page, live_server: str) -> str:
    """The application's address, started on the phone and answered up to page 2."""
    await phone.goto(f"{live_server}/services/POTHOLE/apply")
    assert re.search(r"/applications/[0-9a-f-]+/pages/1$", phone.url)
    draft_url = phone.url.rsplit("/pages/", 1)[0]
    await assert_accessible(phone)
    await phone.get_by_label("Bigger than a tyre").check()
    await phone.get_by_role("button", name="Continue").click()
    await phone.wait_for_url(f"{draft_url}/pages/2")
    await assert_accessible(phone)
    return draft_url


async def _open_the_same_application_on_the_desktop(desktop: Page, live_server: str, draft_url: str) -> None:
    """The desktop opens the same application on the same page, with the same answers."""
    await desktop.goto(f"{live_server}/services/POTHOLE/apply")
    assert desktop.url == f"{draft_url}/pages/2"
    await assert_accessible(desktop)
    await desktop.goto(f"{draft_url}/pages/1")
    assert await desktop.get_by_label("Bigger than a tyre").is_checked()
    await assert_accessible(desktop)
    await desktop.goto(f"{draft_url}/pages/2")


async def _different_fields_typed_on_both_are_both_kept(phone: Page, desktop: Page) -> None:
    """Different fields typed on both before either saves: both kept."""
    await phone.fill("#field-street", "Elm Street")
    await desktop.fill("#field-depth", "12")
    await _saved(phone)
    await _saved(desktop)
    for page in (phone, desktop):
        await page.reload()
        assert await page.input_value("#field-street") == "Elm Street"
        assert await page.input_value("#field-depth") == "12"


async def _the_same_field_changed_on_both_is_a_choice(phone: Page, desktop: Page) -> str:
    """The same field changed on both to different values: the second to save is offered the choice. Returns the
    street the chooser keeps, what they typed."""
    await phone.fill("#field-street", "Oak Avenue")
    await desktop.fill("#field-street", "Pine Road")
    keep = "button:has-text('saved from another device')"
    await phone.wait_for_function(BOTH_SAVED_OR_ONE_ASKED)
    await desktop.wait_for_function(BOTH_SAVED_OR_ONE_ASKED)
    torn = [p for p in (phone, desktop) if await p.locator(keep).count()]
    assert len(torn) == 1, "exactly one device is asked to choose"
    chooser = torn[0]
    typed = await chooser.input_value("#field-street")
    assert typed in ("Oak Avenue", "Pine Road")  # what was typed is still on the page
    assert await chooser.locator(f"button:has-text('Use: {typed} (what you typed here)')").count() == 1
    await assert_accessible(chooser)
    await chooser.locator(f"button:has-text('Use: {typed}')").click()
    await _saved(chooser)
    for page in (phone, desktop):
        await page.reload()
        assert await page.input_value("#field-street") == typed
    return typed


async def _finish_and_send_on_the_desktop(phone: Page, desktop: Page, draft_url: str) -> str:
    """Finish and send on the desktop, through a validation error and its fix; the case's reference."""
    await desktop.fill("#field-depth", "deep")
    await desktop.get_by_role("button", name="Continue").click()
    await desktop.wait_for_selector(".govuk-error-summary")
    assert (await desktop.title()).startswith("Error:")
    await assert_accessible(desktop)
    await desktop.fill("#field-depth", "12")
    await desktop.get_by_role("button", name="Continue").click()
    await desktop.wait_for_url(f"{draft_url}/pages/3")
    await assert_accessible(desktop)
    await desktop.fill("#field-_details", "It fills with water when it rains.")
    await desktop.get_by_role("button", name="Continue").click()
    await desktop.wait_for_url(f"{draft_url}/check")
    await assert_accessible(desktop)
    for path in ("pages/3", "check"):  # the same pages on the phone
        await phone.goto(f"{draft_url}/{path}")
        await assert_accessible(phone)
    await desktop.get_by_role("button", name="Accept and send").click()
    await desktop.wait_for_url(f"{draft_url}/done")
    await assert_accessible(desktop)
    reference = await desktop.locator(".govuk-panel__body strong").inner_text()
    await phone.goto(f"{draft_url}/pages/1")  # a sent application's pages lead to its confirmation
    assert phone.url == f"{draft_url}/done"
    await assert_accessible(phone)
    return reference


async def _staff_timeline(browser: Browser, live_server: str, resident: Resident) -> str:
    """The resident's timeline on the desk, as a signed-in member of staff reads it."""
    staff = await browser.new_page(viewport={"width": 1280, "height": 800})
    await staff.goto(f"{live_server}/desk/sign-in")
    await staff.fill("#email", "wren@city.example")
    await staff.fill("#password", PASSWORD)
    await staff.keyboard.press("Enter")
    await staff.wait_for_url(f"{live_server}/desk")
    await staff.goto(f"{live_server}/desk/citizens/{resident.citizen_id}")
    return await staff.inner_text(".timeline")


async def test_the_whole_form_works_without_javascript(browser: Browser, live_server: str, runtime: Runtime) -> None:
    resident, _second = await _seed(runtime)
    context = await _context(browser, live_server, resident.token, {**DESKTOP, "java_script_enabled": False})
    page = await context.new_page()
    await page.goto(f"{live_server}/services/POTHOLE/apply")
    draft_url = page.url.rsplit("/pages/", 1)[0]

    await page.get_by_role("button", name="Continue").click()  # nothing chosen
    assert (await page.title()).startswith("Error: How big is it?")
    summary = page.locator(".govuk-error-summary")
    assert "Select an answer for “How big is it?”" in await summary.inner_text()
    await page.get_by_label("Smaller than a plate").check()
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/pages/2")

    await page.fill("#field-street", "Elm Street")
    await page.fill("#field-depth", "deep")
    await page.get_by_role("button", name="Continue").click()
    assert "must be a number" in await page.locator(".govuk-error-summary").inner_text()
    assert await page.input_value("#field-depth") == "deep"  # kept as typed
    await page.fill("#field-depth", "8")
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/pages/3")
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{draft_url}/check")
    await page.get_by_role("button", name="Accept and send").click()
    await page.wait_for_url(f"{draft_url}/done")

    async with runtime.db.session(deferred=True) as s:
        case = (await s.execute(select(Case))).scalar_one()
    assert case.attributes == {"size": "small", "street": "Elm Street", "depth": 8}
    assert case.reference in await page.inner_text(".govuk-panel")
