"""/desk/admin/catalogue: administrators download the catalogue's files as a ZIP, upload changed files, review
the diff (or every problem with file, line and field) and apply it, audited; agency administrators only their
agencies' files; agents are refused; nothing is applied from a broken or unsafe upload."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_staff
from tests.support.staff import sign_in_staff
from townsquare.agencies import service as agencies
from townsquare.content.catalogue_plan import import_catalogue
from townsquare.demo.city import CATALOGUE_DIR
from townsquare.staff.models import AuditEntry, StaffRole
from townsquare.web.i18n import LANGUAGE_COOKIE

ORIGIN = {"origin": "http://testserver"}
PAGE = "/desk/admin/catalogue"


async def _world(session: AsyncSession) -> None:
    await import_catalogue(session, CATALOGUE_DIR)
    works = await agencies.get_agency(session, slug="city-works")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="works-admin@city.example", role=StaffRole.agency_admin, agencies=[works])
    await create_staff(session, email="ana@city.example", agencies=[works])
    await session.commit()


def _members(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _zip(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


async def _review(client: httpx.AsyncClient, data: bytes) -> httpx.Response:
    files = {"files": ("catalogue.zip", data, "application/zip")}
    return await client.post(f"{PAGE}/review", files=files, headers=ORIGIN)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, html
    return unescape(found.group(1))


async def test_only_administrators_reach_the_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _world(session)
    anonymous = await client.get(PAGE, follow_redirects=False)
    assert anonymous.status_code == 303
    await sign_in_staff(client, "ana@city.example")
    assert (await client.get(PAGE)).status_code == 403
    assert (await client.get(f"{PAGE}/export.zip")).status_code == 403
    assert (await _review(client, b"PK")).status_code == 403
    await sign_in_staff(client, "works-admin@city.example")
    assert (await client.get(PAGE)).status_code == 200
    await sign_in_staff(client, "root@city.example")
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "/desk/admin/catalogue/export.zip" in page.text


async def test_an_administrator_downloads_edits_reviews_and_applies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    download = await client.get(f"{PAGE}/export.zip")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    files = _members(download.content)
    assert {"city-works.toml", "revenue.toml", "staff.toml"} <= set(files)
    assert "password" not in files["staff.toml"]
    files["city-works.toml"] = files["city-works.toml"].replace("sla_hours = 72", "sla_hours = 48")

    review = await _review(client, _zip(dict(files)))

    assert review.status_code == 200, review.text
    assert "services[POTHOLE].sla_hours" in review.text
    assert "72 → 48" in review.text
    applied = await client.post(
        f"{PAGE}/apply",
        data={"upload": _hidden(review.text, "upload"), "reviewed": _hidden(review.text, "reviewed")},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert applied.status_code == 303, applied.text
    assert applied.headers["location"] == f"{PAGE}?done=applied"
    session.expire_all()
    assert (await agencies.get_service(session, code="POTHOLE")).sla_target_hours == 48
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.action == "catalogue.imported"))).scalar_one()
    assert audit.detail["changes"] == 1
    assert audit.detail["diff"] == ["city-works.toml: services[POTHOLE].sla_hours: 72 → 48"]
    again = await _review(client, _zip(dict(files)))
    assert "Nothing to change" in again.text


async def test_a_stale_review_is_not_applied(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    files = _members((await client.get(f"{PAGE}/export.zip")).content)
    files["city-works.toml"] = files["city-works.toml"].replace("sla_hours = 72", "sla_hours = 48")
    review = await _review(client, _zip(dict(files)))
    applied = await client.post(
        f"{PAGE}/apply", data={"upload": _hidden(review.text, "upload"), "reviewed": "0" * 64}, headers=ORIGIN
    )
    assert applied.status_code == 422
    assert "other than what you reviewed" in applied.text
    session.expire_all()
    assert (await agencies.get_service(session, code="POTHOLE")).sla_target_hours == 72


async def test_an_agency_administrator_has_only_their_agencies_files(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    everything = _members((await client.get(f"{PAGE}/export.zip")).content)
    await sign_in_staff(client, "works-admin@city.example")
    files = _members((await client.get(f"{PAGE}/export.zip")).content)
    assert set(files) == {"city-works.toml"}
    refused = await _review(client, _zip({"revenue.toml": everything["revenue.toml"], "staff.toml": "staff = []\n"}))
    assert refused.status_code == 422
    assert "is not an agency you administer" in refused.text
    assert "only an administrator imports the staff file" in refused.text


async def test_broken_and_unsafe_uploads_name_the_problem_and_apply_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session)
    await sign_in_staff(client, "root@city.example")
    not_zip = await _review(client, b"not a zip at all")
    assert not_zip.status_code == 422
    assert "is not a ZIP file" in not_zip.text
    escaping = await _review(client, _zip({"../evil.toml": "[agency]\n"}))
    assert escaping.status_code == 422
    assert "only .toml files" in escaping.text
    bomb = await _review(client, _zip({"big.toml": b"#" * 3_000_000}))
    assert bomb.status_code == 422
    assert "unpacks to far more than it packs" in bomb.text
    files = _members((await client.get(f"{PAGE}/export.zip")).content)
    files["city-works.toml"] = files["city-works.toml"].replace("sla_hours = 72", "sla_hours = 0")
    broken = await _review(client, _zip(dict(files)))
    assert broken.status_code == 422
    line = files["city-works.toml"].splitlines().index("sla_hours = 0") + 1
    assert f"city-works.toml:{line}" in broken.text
    assert "services[" in broken.text
    client.cookies.set(LANGUAGE_COOKIE, "fr")
    french = await _review(client, b"not a zip at all")
    assert "Rien n'a été appliqué" in unescape(french.text)
