"""The case list in Chromium: a supervisor filters to "overdue, roads, this week" from the keyboard, saves the
view for her team and assigns the cases to the team in one go; no axe violations and no sideways scrolling at
1280 px and at 320 px, in English and French."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, BrowserContext
from sqlalchemy import select, update

from tests.factories import PASSWORD, create_agency, create_citizen, create_service, create_staff
from tests.support.browser import axe_violations, share_cookies
from tests.support.servers import LiveApp
from townsquare.cases import service as cases
from townsquare.cases.models import Case
from townsquare.clock import utcnow
from townsquare.routing.models import Team, TeamMember
from townsquare.staff.models import StaffRole

TORONTO = ZoneInfo("America/Toronto")  # the analytics time zone, which the list's periods follow


async def _not_at_the_start_of_a_week() -> None:
    """The cases are opened a second ago and the filter asks "this week": never straddle Monday midnight."""
    now = utcnow().astimezone(TORONTO)
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), TORONTO)
    if now - monday < timedelta(seconds=30):
        await asyncio.sleep(31 - (now - monday).total_seconds())


async def _city(live_app: LiveApp) -> dict[str, str]:
    async with live_app.runtime.db.session() as s:
        roads = await create_agency(s, slug="roads", name="Roads")
        parks = await create_agency(s, slug="parks", name="Parks")
        pothole = await create_service(s, agency=roads, code="POTHOLE", name="Report a pothole")
        bench = await create_service(s, agency=parks, code="BENCH", name="Broken bench")
        sup = await create_staff(s, email="sup@city.example", role=StaffRole.supervisor, agencies=[roads, parks])
        team = Team(agency_id=roads.id, slug="north", name="North crew")
        s.add(team)
        await s.flush()
        s.add(TeamMember(team_id=team.id, staff_id=sup.id))
        ana = await create_citizen(s, name="Ana Tremblay")
        refs = {}
        for name, agency, service, late, days_ago in (
            ("late_1", roads, pothole, True, 0),
            ("late_2", roads, pothole, True, 0),
            ("on_time", roads, pothole, False, 0),
            ("last_week", roads, pothole, True, 8),
            ("parks", parks, bench, True, 0),
        ):
            case = await cases.open_case(
                s, prefix="TS", agency_id=agency.id, title=f"Pothole ({name})", channel="sms",
                service_id=service.id, citizen_id=ana.id, sla_target_hours=48,
            )  # fmt: skip
            now = utcnow()
            opened = now - timedelta(days=days_ago, seconds=1)
            due = now - timedelta(minutes=5) if late else now + timedelta(days=2)
            await s.execute(update(Case).where(Case.id == case.id).values(created_at=opened, sla_due_at=due))
            refs[name] = case.reference
        await s.commit()
        return refs | {"roads": str(roads.id), "team": str(team.id)}


async def test_a_supervisor_filters_saves_a_view_and_assigns_to_a_team(browser: Browser, live_app: LiveApp) -> None:
    await _not_at_the_start_of_a_week()

    made = await live_app.call(lambda: _city(live_app))
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "sup@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.click("text=Every case: search, filter and act on them")
    await page.wait_for_url(f"{live_app.url}/desk/cases")
    assert await axe_violations(page) == []

    await page.focus("#f-agency")
    await page.select_option("#f-agency", made["roads"])
    await page.select_option("#f-sla", "overdue")
    await page.select_option("#f-period", "week")
    await page.focus("#f-q")
    await page.keyboard.press("Enter")  # submits the filters
    await page.wait_for_url(f"{live_app.url}/desk/cases?*sla=overdue*")
    shown = await page.eval_on_selector_all('input[name="case"]', "boxes => boxes.map(b => b.value)")
    assert sorted(shown) == sorted([made["late_1"], made["late_2"]])
    assert await page.locator("tr.overdue").count() == 2
    assert await axe_violations(page) == []

    await page.fill("#f-name", "Overdue roads this week")
    await page.select_option("#f-team", made["team"])
    await page.click("text=Save view")
    await page.wait_for_url(f"{live_app.url}/desk/cases?*sla=overdue*")
    assert await page.locator(".cases-views a", has_text="Overdue roads this week").count() == 1

    for box in await page.query_selector_all('input[name="case"]'):
        await box.focus()
        await page.keyboard.press("Space")
    await page.check("#a-assign")
    await page.select_option("#f-bulk-assignee", f"team:{made['team']}")
    await page.click("text=Apply to the ticked cases")
    await page.wait_for_url(f"{live_app.url}/desk/cases?*notice=bulk*")
    assert "Done for 2 cases." in await page.inner_text("[role=status]")
    assert await page.locator("td", has_text="Team North crew").count() == 2

    async def teams_of_cases() -> dict[str, str | None]:
        async with live_app.runtime.db.session() as s:
            rows = await s.execute(select(Case.reference, Case.assigned_team_id))
            return {ref: str(team) if team else None for ref, team in rows}

    held = await live_app.call(teams_of_cases)
    assert {ref for ref, team in held.items() if team == made["team"]} == {made["late_1"], made["late_2"]}

    await _on_phones(browser, page.context, live_app.url)


async def _on_phones(browser: Browser, signed_in: BrowserContext, url: str) -> None:
    """The list at 320 px in English and French: no sideways scrolling, no axe violations."""
    for language in ("en", "fr"):
        phone = await browser.new_page(viewport={"width": 320, "height": 640})
        await share_cookies(signed_in, phone.context)
        await phone.context.add_cookies([{"name": "ts_lang", "value": language, "url": url}])
        await phone.goto(f"{url}/desk/cases?sla=overdue")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 320
        assert await axe_violations(phone) == []
        if language == "fr":
            assert "Dossiers" in await phone.inner_text("h1")
        await phone.close()
