"""The form builder in Chromium: an agency administrator builds a two-page bilingual form with a condition,
keyboard and mouse, publishes it, and a resident fills it in on the portal in French. The builder's pages are
axe-clean and fit 320 px and 1280 px without sideways scrolling."""

from __future__ import annotations

from playwright.async_api import Browser, Page
from sqlalchemy import select

from tests.factories import PASSWORD, create_agency, create_service, create_staff
from tests.support.applying import continue_to, send_application
from tests.support.browser import assert_accessible
from tests.support.servers import LiveApp
from tests.web.portal.conftest import Resident, make_resident
from townsquare.agencies.models import ServiceFormVersion
from townsquare.cases.models import Case
from townsquare.staff.models import StaffRole
from townsquare.web.i18n import LANGUAGE_COOKIE

BASE = "/desk/admin/services/PERMIT/form"
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


async def _fits_and_is_accessible(page: Page) -> None:
    for width in (320, 1280):
        await page.set_viewport_size({"width": width, "height": 900})
        assert await page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways at {width} px"
        await assert_accessible(page)


async def _add(
    page: Page, url: str, fields: dict[str, str], *, kind: str, required: bool = True, condition: str = ""
) -> None:
    await page.goto(f"{url}{BASE}/field")
    for selector, value in fields.items():
        await page.fill(selector, value)
    await page.select_option("#datatype", kind)
    if condition:
        await page.select_option("#condition_field", condition)
    if required:
        await page.check("#required")
    await page.click("button:has-text('Save the field')")
    await page.wait_for_url(f"{url}{BASE}?notice=saved")


async def test_an_administrator_builds_and_publishes_a_form_a_resident_fills_in_in_french(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> Resident:
        async with live_app.runtime.db.session() as s:
            works = await create_agency(s, slug="works", name="Works")
            await create_service(
                s, agency=works, code="PERMIT", name="Pet permit", translations={"fr": {"name": "Permis d'animal"}}
            )
            await create_staff(s, email="wa@city.example", role=StaffRole.agency_admin, agencies=[works])
            await s.commit()
            return await make_resident(s)

    resident = await live_app.call(seed)
    await _build_and_publish(browser, live_app.url)
    await _apply_in_french(browser, live_app.url, resident)

    async def sent() -> tuple[dict[str, str], int | None]:
        async with live_app.runtime.db.session() as s:
            case = (await s.execute(select(Case))).scalar_one()
            version = await s.get(ServiceFormVersion, case.form_version_id)
            return case.attributes, version.number if version else None

    assert await live_app.call(sent) == (
        {"pet": "dog", "breed": "Beagle", "pet_name": "Rex"},
        2,
    )  # version 1: the form before


async def _build_and_publish(browser: Browser, url: str) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{url}/desk/sign-in")
    await page.fill("#email", "wa@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{url}/desk")

    await page.goto(f"{url}{BASE}/field")
    await page.click("button:has-text('Save the field')")  # nothing filled in: the summary names the fields
    assert "Enter the question in English" in await page.inner_text(".error-summary")
    await _fits_and_is_accessible(page)
    pet = {
        "#label": "Do you have a pet?",
        "#label_fr": "Avez-vous un animal ?",
        "#code": "pet",
        "#page": "1",
        "#choices": "dog | Dog | Chien\nnone | None | Aucun",
    }
    await _add(page, url, pet, kind="singlevaluelist")
    await page.goto(f"{url}{BASE}/field")
    await page.fill("#label", "What is its name?")
    await page.fill("#label_fr", "Quel est son nom ?")
    await page.fill("#code", "pet_name")
    await page.fill("#page", "2")
    await page.check("#required")
    await page.select_option("#condition_field", "pet")
    await page.fill("#condition_values", "dog")
    await page.focus("#condition_values")
    await page.keyboard.press("Enter")  # the keyboard sends the form
    await page.wait_for_url(f"{url}{BASE}?notice=saved")
    breed = {"#label": "Which breed?", "#label_fr": "Quelle race ?", "#code": "breed", "#page": "1"}
    await _add(page, url, breed | {"#condition_values": "dog"}, kind="string", condition="pet", required=False)
    for selector, title in (("#title-1-en", "Your pet"), ("#title-1-fr", "Votre animal"), ("#title-2-en", "Its name")):
        await page.fill(selector, title)
    await page.click("button:has-text('Save the page titles')")
    await page.wait_for_url(f"{url}{BASE}?notice=pages")
    assert "Shown only when “Do you have a pet?” is answered dog" in await page.inner_text("main")
    await _fits_and_is_accessible(page)

    await page.goto(f"{url}{BASE}/preview?language=fr")
    assert "Avez-vous un animal ?" in await page.inner_text("main")
    assert "The title of page 2" in await page.inner_text("#missing-french")  # flagged, still allowed
    await _fits_and_is_accessible(page)
    await page.goto(f"{url}{BASE}")
    await page.click("button:has-text('Publish version')")
    await page.wait_for_url(f"{url}{BASE}?notice=published")
    await _fits_and_is_accessible(page)
    await page.close()


async def _apply_in_french(browser: Browser, url: str, resident: Resident) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies([resident.cookie(url), {"name": LANGUAGE_COOKIE, "value": "fr", "url": url}])
    resident_page = await context.new_page()
    await resident_page.goto(f"{url}/services/PERMIT/apply")
    assert "Votre animal" in await resident_page.inner_text("h1")
    breed = resident_page.locator("#field-breed")
    assert not await breed.is_visible()  # revealed by its answer on the same page (a progressive enhancement)
    await resident_page.check("text=Chien")
    await breed.wait_for(state="visible")
    await breed.fill("Beagle")
    await assert_accessible(resident_page)
    await continue_to(resident_page, "**/pages/2")
    await resident_page.fill("#field-pet_name", "Rex")
    await continue_to(resident_page, "**/pages/3", "**/check")
    assert "Quel est son nom ?" in await resident_page.inner_text("main")
    await send_application(resident_page)
    await context.close()
