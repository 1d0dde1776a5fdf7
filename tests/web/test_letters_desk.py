"""The desk's Letters page and the mail room's API: who may reach them, each agency's letters only, the PDF and the
batch ZIP downloads (audited), marking a letter returned by form and by API; and the simulator's letters tray."""

from __future__ import annotations

import io
import uuid
import zipfile

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, api_key_headers, create_agency, create_staff
from tests.notify.letters.factories import letter_to_send
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.app import Runtime, build_runtime, create_app
from townsquare.clock import utcnow
from townsquare.notify.letters.batches import build_batch
from townsquare.notify.letters.models import Letter, LetterStatus
from townsquare.notify.letters.provider import LetterProvider
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry, StaffRole


async def _world(runtime: Runtime, session: AsyncSession) -> dict[str, str]:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="root@city.example", role=StaffRole.admin)
    await create_staff(session, email="sue@city.example", role=StaffRole.supervisor, agencies=[roads])
    await create_staff(session, email="ana@city.example", agencies=[roads])
    await session.commit()
    provider = runtime.providers.for_channel("mail")
    assert isinstance(provider, LetterProvider)
    ours = await letter_to_send(session, agency=roads)
    theirs = await letter_to_send(session, agency=parks, language="en")
    ids = {"ours": await provider.send(ours.envelope), "theirs": await provider.send(theirs.envelope)}
    batch = await build_batch(session, runtime.pipeline.store, utcnow().date())
    assert batch is not None
    await session.commit()
    return ids | {"batch": str(batch.id), "reference": ours.reference, "roads": str(roads.id)}


async def test_supervisors_see_their_agencys_letters_and_agents_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    world = await _world(runtime, session)
    visitor = await client.get("/desk/letters")
    assert (visitor.status_code, visitor.headers["location"]) == (303, "/desk/sign-in?next=/desk/letters")
    await sign_in_staff(client, "ana@city.example")
    assert (await client.get("/desk/letters")).status_code == 403
    assert (
        await client.post("/desk/letters/returned", data={"code": world["reference"], "reason": "x"})
    ).status_code == 403
    assert (await client.get(f"/desk/letters/pdf?id={world['theirs']}")).status_code == 404

    await sign_in_staff(client, "sue@city.example")
    assert 'href="/desk/letters"' in (await client.get("/desk")).text
    page = await client.get(f"/desk/letters/batch?id={world['batch']}")
    assert page.status_code == 200
    assert world["ours"] in page.text
    assert world["theirs"] not in page.text  # another agency's letter is not listed
    assert "batch.zip" not in page.text  # the ZIP holds every agency's letters: administrators only
    assert (await client.get(f"/desk/letters/batch.zip?id={world['batch']}")).status_code == 403
    pdf = await client.get(f"/desk/letters/pdf?id={world['ours']}")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert (await client.get(f"/desk/letters/pdf?id={world['theirs']}")).status_code == 404
    reads = (await session.execute(select(AuditEntry).where(AuditEntry.action == "letter.read"))).scalars().all()
    assert [r.subject_id for r in reads] == [world["ours"]]


async def test_the_timeline_links_the_letter_pdf_for_staff_of_its_agency(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    world = await _world(runtime, session)
    letter = await session.get(Letter, uuid.UUID(world["ours"]))
    assert letter is not None
    await sign_in_staff(client, "ana@city.example")  # an agent of the letter's agency
    page = await client.get(f"/desk/citizens/{letter.citizen_id}")
    assert page.status_code == 200
    assert f'href="/desk/letters/pdf?id={world["ours"]}"' in page.text
    pdf = await client.get(f"/desk/letters/pdf?id={world['ours']}")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


async def test_an_administrator_downloads_the_batch_zip_audited_per_letter(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    world = await _world(runtime, session)
    await sign_in_staff(client, "root@city.example")
    listing = await client.get("/desk/letters")
    assert f"/desk/letters/batch.zip?id={world['batch']}" in listing.text
    download = await client.get(f"/desk/letters/batch.zip?id={world['batch']}")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert len(names) == 3
    assert "manifest.csv" in names
    reads = (await session.execute(select(AuditEntry).where(AuditEntry.action == "letter.read"))).scalars().all()
    assert sorted(r.subject_id or "" for r in reads) == sorted([world["ours"], world["theirs"]])
    assert (await client.post("/desk/letters/batch")).headers["location"] == "/desk/letters?notice=none"


async def test_the_desk_form_marks_a_letter_returned_and_refuses_what_it_cannot_find(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    world = await _world(runtime, session)
    await sign_in_staff(client, "sue@city.example")
    unknown = await client.post("/desk/letters/returned", data={"code": "TS-2099-999999", "reason": "Moved"})
    assert unknown.status_code == 404
    assert "No letter TS-2099-999999 is known." in unknown.text
    blank = await client.post("/desk/letters/returned", data={"code": world["reference"], "reason": ""})
    assert blank.status_code == 422
    done = await client.post("/desk/letters/returned", data={"code": world["reference"], "reason": "Moved"})
    assert (done.status_code, done.headers["location"]) == (303, "/desk/letters?notice=returned")
    session.expire_all()
    letter = await session.get(Letter, uuid.UUID(world["ours"]))
    assert letter is not None
    assert letter.status is LetterStatus.returned


async def test_the_mail_room_api_marks_returned_within_its_agency(
    client: httpx.AsyncClient, runtime: Runtime, session: AsyncSession
) -> None:
    world = await _world(runtime, session)
    roads = await create_agency(session, slug="mailroom-other", name="Other")
    other_key = await api_key_headers(session, agency=roads)
    await session.commit()
    assert (await client.post("/api/v1/letters/returned", json={"letter_id": world["ours"]})).status_code == 401
    body = {"reference": world["reference"], "reason": "Addressee unknown"}
    assert (await client.post("/api/v1/letters/returned", json=body, headers=other_key)).status_code == 404
    key = await api_key_headers(session)
    await session.commit()
    both = await client.post("/api/v1/letters/returned", json=body | {"letter_id": world["ours"]}, headers=key)
    assert both.status_code == 422
    answered = await client.post("/api/v1/letters/returned", json=body, headers=key)
    assert answered.status_code == 200, answered.text
    assert answered.json()["id"] == world["ours"]
    assert answered.json()["status"] == "returned"
    assert answered.json()["return_reason"] == "Addressee unknown"


async def test_the_simulator_tray_lists_letters_and_batches(settings: Settings) -> None:
    sim_settings = settings.model_copy(update={"simulator": True})
    rt = build_runtime(sim_settings)
    try:
        async with rt.db.session() as session:
            world = await _world(rt, session)
        transport = httpx.ASGITransport(app=create_app(sim_settings, rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert "/simulator/letters" in (await client.get("/simulator")).text
            tray = await client.get("/simulator/letters")
            assert tray.status_code == 200
            for letter_id in (world["ours"], world["theirs"]):
                assert f"/simulator/letters/pdf?id={letter_id}" in tray.text
            assert f"/simulator/letters/batch.zip?id={world['batch']}" in tray.text
            pdf = await client.get(f"/simulator/letters/pdf?id={world['ours']}")
            assert pdf.content.startswith(b"%PDF-")
            archive = await client.get(f"/simulator/letters/batch.zip?id={world['batch']}")
            assert "manifest.csv" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    finally:
        await rt.bus.wait_idle()
        await rt.db.dispose()


async def test_the_letters_pages_in_chromium_keyboard_first_with_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> str:
        async with live_app.runtime.db.session() as s:
            roads = await create_agency(s, slug="roads", name="Roads")
            await create_staff(s, email="root@city.example", role=StaffRole.admin)
            await s.commit()
            sent = await letter_to_send(s, agency=roads)
            provider = live_app.runtime.providers.for_channel("mail")
            assert isinstance(provider, LetterProvider)
            await provider.send(sent.envelope)
            return sent.reference

    reference = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "root@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.focus("a[href='/desk/letters']")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/letters")
    assert await axe_violations(page) == []
    assert await page.locator("#waiting tbody tr").count() == 1

    await page.focus("button:has-text('Build a batch now')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/letters/batch?id=*")
    assert await axe_violations(page) == []
    assert await page.locator("#batch-letters tbody tr").count() == 1

    await page.goto(f"{live_app.url}/desk/letters")
    await page.fill("#returned-code", reference)
    await page.fill("#returned-reason", "Addressee unknown")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/letters?notice=returned")
    assert await axe_violations(page) == []
    assert "Addressee unknown" in await page.locator("#returned").inner_text()
    await page.close()
