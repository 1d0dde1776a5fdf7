"""In Chromium: an agent corrects a person's name from the keyboard and sees the old one kept on the person's page;
every page of correcting a record, writing to a person, their application in progress and giving out waiting work
(a refused form too) has no axe violation and no sideways scrolling, at 1280 px in English and 320 px in French."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from tests.factories import PASSWORD, create_agency, create_agent, create_citizen, create_service
from tests.support.browser import READINGS, axe_violations
from tests.support.servers import LiveApp
from townsquare.cases import service as cases
from townsquare.clock import utcnow
from townsquare.drafts import service as drafts
from townsquare.routing import service as items
from townsquare.routing.models import Team
from townsquare.staff.models import StaffRole


async def _city(live: LiveApp) -> dict[str, str]:
    async with live.runtime.db.session() as s:
        roads = await create_agency(s, slug="roads", name="Roads")
        await create_agent(s, email="sue@city.example", agencies=[roads], role=StaffRole.supervisor)
        await create_agent(s, email="ana@city.example", agencies=[roads], presence="away")
        pothole = await create_service(
            s, agency=roads, open311=True, attributes=[{"code": "size", "description": "How big is it?"}]
        )
        maria = await create_citizen(
            s, name="Maria Lopes", phone="+16135550142", email="maria.lopez.with.a.long.address@example.org"
        )
        await cases.open_case(
            s, prefix="TS", agency_id=roads.id, title="Pothole on Elm", channel="sms", citizen_id=maria.id
        )
        draft = await drafts.start_or_resume(s, citizen_id=maria.id, service_id=pothole.id)
        await drafts.save(s, draft_id=draft.id, citizen_id=maria.id, base_version=0, changes={"size": "big"}, step=2)
        item = await items.create(
            s, channel="sms", kind="message", agency_id=roads.id, received_at=utcnow(), citizen_id=maria.id
        )
        s.add(Team(agency_id=roads.id, slug="north", name="North crew"))
        await s.commit()
        return {"maria": str(maria.id), "draft": str(draft.id), "item": str(item.id)}


async def _signed_in(browser: Browser, live: LiveApp, email: str, width: int, language: str) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 800})
    await page.context.add_cookies([{"name": "ts_lang", "value": language, "url": live.url}])
    await page.goto(f"{live.url}/desk/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live.url}/desk")
    return page


async def _fits_and_passes(page: Page, where: str) -> None:
    width = await page.evaluate("window.innerWidth")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, f"{where} scrolls sideways"
    assert await axe_violations(page) == [], where


async def test_a_name_corrected_from_the_keyboard_keeps_the_old_one(browser: Browser, live_app: LiveApp) -> None:
    made = await live_app.call(lambda: _city(live_app))
    page = await _signed_in(browser, live_app, "ana@city.example", 1280, "en")
    await page.goto(f"{live_app.url}/desk/citizens/{made['maria']}")
    await page.click("text=Correct the name, preferences or contacts")
    await page.focus("#name-display_name")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Maria Lopez")
    await page.focus("#name-reason")
    await page.keyboard.type("She spelt it on the phone")
    await page.focus("text=Save the name")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/record?saved=name*")
    assert "The name was corrected." in await page.inner_text("[role=status]")
    history = page.locator("#history")
    assert "Maria Lopes" in await history.inner_text()
    assert "She spelt it on the phone" in await history.inner_text()


async def test_the_pages_are_accessible_and_fit_a_phone_in_both_languages(browser: Browser, live_app: LiveApp) -> None:
    made = await live_app.call(lambda: _city(live_app))
    maria = made["maria"]
    pages = {
        "ana@city.example": [
            f"/desk/citizens/{maria}",
            f"/desk/citizens/{maria}/record",
            f"/desk/citizens/{maria}/message",
            f"/desk/citizens/{maria}/drafts/{made['draft']}",
        ],
        "sue@city.example": ["/desk/queue", f"/desk/queue/{made['item']}"],
    }
    for language, width in READINGS:  # each width once; French, the longer words, on the phone
        for email, paths in pages.items():
            page = await _signed_in(browser, live_app, email, width, language)
            for path in paths:
                await page.goto(f"{live_app.url}{path}")
                await _fits_and_passes(page, f"{path} at {width} px in {language}")
            if email == "ana@city.example":  # a refused contact: the problem beside its field
                await page.goto(f"{live_app.url}/desk/citizens/{maria}/record")
                await page.fill("#add-value", "not a number")
                await page.fill("#add-reason", "Gave it")
                await page.click("form[action$='/record/contacts'] button")
                await page.wait_for_selector("#add-errors")
                await _fits_and_passes(page, f"a refused contact at {width} px in {language}")
                await page.goto(f"{live_app.url}/desk/citizens/{maria}/message")
                await page.click("form[action$='/message'] button[type=submit]")
                await page.wait_for_selector("#write-errors")
                await _fits_and_passes(page, f"a refused message at {width} px in {language}")
            else:
                await page.goto(f"{live_app.url}/desk/queue/{made['item']}")
                await page.check("#give-1")
                await page.check("#give-how-offer")
                await page.click("form[action$='/give'] button[type=submit]")
                await page.wait_for_selector("#give-errors")  # Ana is away: an offer needs her available
                await _fits_and_passes(page, f"a refused giving at {width} px in {language}")
            await page.close()
