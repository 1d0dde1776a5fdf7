"""In Chromium with every other host unreachable: /docs lists the API's operations from our own copy of Swagger UI,
and "Authorize" with an API key makes a real call that succeeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Browser, Route
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import api_key_headers, create_agency


async def test_the_api_docs_work_offline_and_authorize_calls_the_api(
    browser: Browser, live_server: str, session: AsyncSession
) -> None:
    await create_agency(session)
    key = (await api_key_headers(session))["Authorization"].removeprefix("Bearer ")
    await session.commit()

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    async def loopback_only(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.hostname != "127.0.0.1":
            elsewhere.append(route.request.url)
            await route.abort()
        else:
            await route.continue_()

    await page.route("**/*", loopback_only)
    await page.goto(f"{live_server}/docs")
    await page.locator(".opblock").first.wait_for()
    paths = await page.locator(".opblock-summary-path").all_inner_texts()
    operations = await page.evaluate(
        """async () => {
            const spec = await (await fetch('/openapi.json')).json();
            return Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
        }"""
    )
    assert len(paths) == operations > 20
    assert any(p.replace("\u200b", "") == "/api/v1/cases" for p in paths)

    await page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    schemes = await dialog.locator(".auth-container h4 code").all_inner_texts()
    assert schemes == ["bearer", "apiKey", "staffSession"]
    bearer = dialog.locator(".auth-container").filter(has=page.locator("#auth-bearer-value"))
    await bearer.locator("#auth-bearer-value").fill(key)
    await bearer.get_by_role("button", name="Apply credentials").click()
    await dialog.get_by_role("button", name="Close").first.click()

    cases = page.locator("#operations-cases-list_cases_api_v1_cases_get")
    await cases.locator(".opblock-summary").click()
    await cases.get_by_role("button", name="Try it out").click()
    await cases.get_by_role("button", name="Execute").click()
    status = cases.locator(".live-responses-table .response .response-col_status").first
    await status.wait_for()
    assert (await status.inner_text()).strip() == "200"
    assert elsewhere == [], f"/docs tried to reach other hosts: {elsewhere}"
