"""A browser that meets an error gets a page of the portal — its header and footer, the reader's language, what the
error means, and the ways on — while API clients keep getting problem details."""

from __future__ import annotations

import re

import httpx

HTML = {"accept": "text/html"}
FR = {"accept": "text/html", "accept-language": "fr"}


def _h1(page: httpx.Response) -> str:
    found = re.search(r"<h1[^>]*>([^<]*)</h1>", page.text)
    assert found, page.text[:300]
    return found.group(1)


async def test_a_missing_page_is_a_portal_page_with_the_ways_on_in_the_reader_s_language(
    client: httpx.AsyncClient,
) -> None:
    english = await client.get("/no-such-page", headers=HTML)
    assert english.status_code == 404
    assert _h1(english) == "Page not found"
    assert 'class="ts-header"' in english.text  # the site's own header and footer
    assert 'href="/services">See all services</a>' in english.text
    assert 'action="/search"' in english.text
    french = await client.get("/no-such-page", headers=FR)
    assert french.status_code == 404
    assert _h1(french) == "Page introuvable"
    assert '<html lang="fr"' in french.text
    assert "Ce que vous pouvez faire" in french.text
    assert "There is nothing at this address" not in french.text  # the English detail stays on English pages


async def test_a_forged_form_and_bad_input_are_pages_too_and_the_api_keeps_problem_details(
    client: httpx.AsyncClient,
) -> None:
    forged = await client.post("/account/preferences", headers=HTML | {"origin": "https://evil.example"})
    assert forged.status_code == 403
    assert _h1(forged) == "You cannot see this page"
    api = await client.get("/api/v1/nothing", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    machine = await client.get("/no-such-page")
    assert machine.headers["content-type"] == "application/problem+json"
