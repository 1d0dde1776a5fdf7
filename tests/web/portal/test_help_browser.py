"""In Chromium: a help article and search results with guidance have no axe-core violations in English and
French, the "did this answer your question?" form works from the keyboard with JavaScript off, and the article
fits a 320-pixel phone."""

from __future__ import annotations

from playwright.async_api import Browser

from tests.support.browser import axe_violations
from tests.web.portal.test_help import seed_articles
from townsquare.app import Runtime

PAGES = [
    "/help/fix-a-pothole",
    "/help/deneigement-des-trottoirs",
    "/help/nothing-here",
    "/help/fix-a-pothole?answered=no",
    "/search?q=how+are+potholes+fixed",
    "/search?q=pothols",
]


async def test_help_pages_and_search_with_guidance_have_no_axe_violations(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        await seed_articles(s)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    for path in PAGES:
        await page.goto(live_server + path)
        assert await axe_violations(page) == [], path

    await page.goto(f"{live_server}/help/fix-a-pothole")
    await page.click("article button[lang=fr]")  # read it in French: the portal switches language
    await page.wait_for_url(f"{live_server}/help/reparer-un-nid-de-poule")
    assert await page.get_attribute("html", "lang") == "fr"
    assert await page.inner_text("h1") == "Comment les nids-de-poule sont réparés"
    for path in PAGES:
        await page.goto(live_server + path)
        assert await axe_violations(page) == [], f"fr {path}"
    await context.close()


async def test_feedback_from_the_keyboard_without_javascript_on_a_small_phone(
    browser: Browser, live_server: str, runtime: Runtime
) -> None:
    async with runtime.db.session() as s:
        await seed_articles(s)
    context = await browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{live_server}/help/fix-a-pothole")
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the article scrolls sideways on a 320px phone"
    await page.focus("#feedback-no")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_server}/help/fix-a-pothole?answered=no#feedback")
    feedback = await page.inner_text("#feedback")
    assert "Thank you for your feedback" in feedback
    assert "Ask us instead" in feedback  # axe runs on this page with JavaScript on, in the test above
    await context.close()
