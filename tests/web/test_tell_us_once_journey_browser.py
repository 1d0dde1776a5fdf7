"""Journey 2 in Chromium: a resident applies for a benefit; the form offers her income and address from two agencies;
she consents to exactly those for this purpose; the answers are filled in and locked; she sends it; the caseworker
sees which answers are verified; her access log shows the prefill read and the caseworker's; she withdraws the
consent; the caseworker's next read of the shared values is refused and logged, and her log shows the refusal."""

from __future__ import annotations

from playwright.async_api import Browser, Page
from sqlalchemy import select

from tests.factories import PASSWORD, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.web.portal.test_apply_prefill import prefill_world
from townsquare.cases.models import Case
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.sharing import access
from townsquare.staff.models import AuditEntry, StaffRole


async def _clean(page: Page) -> None:
    assert await axe_violations(page) == [], page.url
    width = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 0, f"{page.url} scrolls sideways"


async def _apply(page: Page, url: str) -> str:
    """She starts the benefit's form, agrees to exactly the two values offered, and sends it; the reference."""
    await page.goto(f"{url}/services/TRANSIT/apply")
    assert page.url.endswith("/prefill")
    offer = await page.inner_text("main")
    assert all(word in offer for word in ("Revenue", "Licensing", "12 Elm St")), offer
    await _clean(page)
    await page.get_by_label("Use these").check()
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/pages/1")
    assert await page.get_by_text("From Revenue, verified 1 November 2026").is_visible()
    await page.get_by_label("People in your household").fill("2")
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/pages/2")
    assert await page.get_by_text("From Licensing, verified 1 November 2026").is_visible()
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/pages/3")  # anything else (optional)
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url("**/check")
    await _clean(page)
    await page.get_by_role("button", name="Accept and send").click()
    await page.wait_for_url("**/done")
    return (await page.locator(".govuk-panel__body strong").inner_text()).strip()


async def _caseworker(browser: Browser, url: str) -> Page:
    desk = await browser.new_page(viewport={"width": 1280, "height": 900})
    await desk.goto(f"{url}/desk/sign-in")
    await desk.fill("#email", "bea@city.example")
    await desk.fill("#password", PASSWORD)
    await desk.keyboard.press("Enter")
    await desk.wait_for_url(f"{url}/desk")
    return desk


async def _withdraw(page: Page, url: str) -> None:
    await page.goto(f"{url}/account/sharing")
    await _clean(page)
    await page.get_by_role("link", name="Withdraw").first.click()
    await page.get_by_role("button", name="Withdraw consent").click()
    await page.wait_for_url("**/account/sharing**")
    assert "Your consent was withdrawn" in await page.inner_text("main")


async def test_tell_us_once_from_consent_to_refusal(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> tuple[str, str]:
        async with live_app.runtime.db.session() as s:
            world, token = await prefill_world(s)
            await create_staff(s, email="bea@city.example", role=StaffRole.agent, agencies=[world.benefits])
            await s.commit()
            return token, str(world.person.id)

    async def refusals() -> int:
        async with live_app.runtime.db.session() as s:
            return len((await s.execute(select(AuditEntry).where(AuditEntry.action == access.REFUSED))).all())

    async def provenance(reference: str) -> set[str]:
        async with live_app.runtime.db.session() as s:
            return set((await s.execute(select(Case).where(Case.reference == reference))).scalar_one().provenance)

    token, person = await live_app.call(seed)
    url = live_app.url
    resident = await browser.new_context(viewport={"width": 390, "height": 844})
    await resident.add_cookies([{"name": CITIZEN_COOKIE, "value": token, "url": url}])
    page = await resident.new_page()
    reference = await _apply(page, url)
    assert await live_app.call(lambda: provenance(reference)) == {"household_income", "mailing_address"}

    # The caseworker sees which answers came verified, and from where.
    desk = await _caseworker(browser, url)
    await desk.goto(f"{url}/desk/cases/{reference}")
    answers = await desk.inner_text("main")
    assert "Verified · from Revenue" in answers
    assert "Verified · from Licensing" in answers
    assert await axe_violations(desk) == []

    # Her access log shows the prefill read and the caseworker's read of her case.
    await page.goto(f"{url}/account/access-log")
    log = await page.inner_text("main")
    assert "Read data other agencies hold about you" in log
    assert "Looked at one of your cases" in log
    assert "Bea" in log
    await _clean(page)

    # She withdraws; the caseworker's next read is refused, shows nothing, and is logged where she sees it.
    await _withdraw(page, url)
    await desk.goto(f"{url}/desk/citizens/{person}")
    await desk.locator("#shared-data").get_by_role("button", name="Show shared values").first.click()
    await desk.wait_for_url("**/shared-values**")
    refused = await desk.inner_text("main")
    assert "The read was refused: nothing is shown" in refused
    assert "41200" not in refused
    assert "41,200" not in refused
    assert await live_app.call(refusals) == 1
    await page.goto(f"{url}/account/access-log")
    assert "Tried to read data about you, and was refused" in await page.inner_text("main")
    await resident.close()
