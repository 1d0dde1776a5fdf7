"""The open data pages, for anyone: the datasets page (last export, sizes, rows, downloads, data dictionary) and
the dashboard, in English and French, before and after the first export; the downloads, cacheable and
rate-limited per client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.analytics.open_data.seeding import Seeded, seed_city
from townsquare.analytics.open_data.export import export
from townsquare.analytics.open_data.fields import DATASETS
from townsquare.analytics.open_data.files import directory
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.settings import Settings
from townsquare.web import i18n


@pytest.fixture
async def exported(runtime: Runtime, session: AsyncSession, settings: Settings) -> Seeded:
    seeded = await seed_city(session)
    await export(runtime.db, settings)
    return seeded


async def test_before_the_first_export_the_pages_say_so(client: httpx.AsyncClient) -> None:
    page = await client.get("/open-data")
    assert page.status_code == 200
    assert "Nothing has been published yet" in page.text
    board = await client.get("/open-data/dashboard")
    assert board.status_code == 200
    assert "Nothing has been published yet" in board.text
    missing = await client.get("/open-data/files/service-requests.csv")
    assert missing.status_code == 404


async def test_the_datasets_page_lists_files_rows_and_fields(client: httpx.AsyncClient, exported: Seeded) -> None:
    page = await client.get("/open-data")
    assert page.status_code == 200
    text = page.text
    assert '<h1 class="govuk-heading-xl">Open data</h1>' in text
    for name in ("service-requests", "channel-contacts"):
        for fmt in ("csv", "json"):
            assert f'href="/open-data/files/{name}.{fmt}"' in text
    assert "3 rows" in text
    assert re.search(r"\(\d+(\.\d)? KB\)", text)
    assert '<code lang="zxx">service_request_id</code>' in text
    assert '<code lang="zxx">waiting_on_citizen</code>' in text  # a coded field's values
    assert 'href="/open-data/files/datapackage.json"' in text
    assert "CC-BY-4.0" in text
    assert "Last published" in text


async def test_the_pages_speak_french(client: httpx.AsyncClient, exported: Seeded) -> None:
    client.cookies.set("ts_lang", "fr")
    page = await client.get("/open-data")
    assert '<html lang="fr"' in page.text
    assert "Données ouvertes" in page.text
    assert "Demandes de service" in page.text
    assert "Où en est la demande." in page.text
    assert "3 lignes" in page.text
    assert "ko)" in page.text
    board = await client.get("/open-data/dashboard")
    assert "Tableau de bord des demandes de service" in board.text
    assert "Demandes par semaine" in board.text
    assert "Texto" in board.text  # the channel, named in French


def test_every_dataset_word_on_the_page_has_french() -> None:
    words = [w for d in DATASETS for w in (d.title, d.description, *(f.description for f in d.fields))]
    with i18n.speaking("fr"):
        missing = [w for w in words if i18n.gettext(w) == w]
    assert missing == []


async def test_the_dashboard_shows_the_figures(client: httpx.AsyncClient, exported: Seeded) -> None:
    board = await client.get("/open-data/dashboard")
    assert board.status_code == 200
    text = board.text
    assert "Requests by week" in text
    assert "Requests by service" in text
    assert 'role="cell">Pothole</td>' in text
    assert "Benefits" not in text  # a service that is not public is not counted
    assert "Text message" in text
    assert "33%" in text or "33 %" in text  # one request in three came by SMS


async def test_a_download_is_the_file_with_validators(
    client: httpx.AsyncClient, settings: Settings, exported: Seeded
) -> None:
    got = await client.get("/open-data/files/service-requests.csv")
    assert got.status_code == 200
    assert got.content == (directory(settings) / "service-requests.csv").read_bytes()
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert got.headers["access-control-allow-origin"] == "*"
    etag, modified = got.headers["etag"], got.headers["last-modified"]
    again = await client.get("/open-data/files/service-requests.csv", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    since = await client.get("/open-data/files/service-requests.csv", headers={"if-modified-since": modified})
    assert since.status_code == 304
    other = await client.get("/open-data/files/service-requests.csv", headers={"if-none-match": '"other"'})
    assert other.status_code == 200
    as_json = await client.get("/open-data/files/service-requests.json")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()[0]["service_request_id"] == exported.fixed


@pytest.mark.parametrize("name", ["../townsquare.db", "secret.csv", "attachments", ".service-requests.csv.x.tmp"])
async def test_only_published_files_are_served(client: httpx.AsyncClient, exported: Seeded, name: str) -> None:
    assert (await client.get(f"/open-data/files/{name}")).status_code == 404


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    strict = settings.model_copy(update={"open_data_rate_limit_per_minute": 2})
    runtime = build_runtime(strict)
    transport = httpx.ASGITransport(app=create_app(strict, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await runtime.db.dispose()


async def test_downloads_are_limited_per_client(limited: httpx.AsyncClient, exported: Seeded) -> None:
    answers = [(await limited.get("/open-data/files/datapackage.json")).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refused = await limited.get("/open-data/files/datapackage.json")
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many downloads" in refused.text
    assert (await limited.get("/open-data")).status_code == 200  # the pages are not downloads


async def test_a_damaged_data_package_reads_as_nothing_published(
    client: httpx.AsyncClient, settings: Settings, exported: Seeded
) -> None:
    (directory(settings) / "datapackage.json").write_text('{"resources": "not a list"}', encoding="utf-8")
    page = await client.get("/open-data")
    assert page.status_code == 200
    assert "Nothing has been published yet" in page.text
