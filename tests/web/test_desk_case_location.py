"""The case page: where the case is (with a link to the portal's map), the file sent with it, the Open311
integrator that reported it, its history of updates, and likely duplicates to merge or set aside."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, create_agency, create_service, create_staff
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.agencies.models import Agency
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseLink, CaseStatus, CaseUpdate, Open311Submission
from townsquare.staff import service as staff
from townsquare.staff.models import AuditEntry, StaffAccount

HERE = {"lat": 43.653500, "long": -79.384100, "address_string": "100 Queen St W", "address_id": "A-100"}
NEARBY = {"lat": 43.653700, "long": -79.384100, "address_string": "102 Queen St W"}  # about 22 m north


@dataclass
class Scene:
    agency: Agency
    agent: StaffAccount
    case: Case
    near: Case


async def _scene(session: AsyncSession) -> Scene:
    agency = await create_agency(session)
    service = await create_service(session, agency=agency, code="POTHOLE", name="Report a pothole")
    agent = await create_staff(session, email="wren@city.example", agencies=[agency])
    near = await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title="Hole by the bus stop",
        channel="sms",
        service_id=service.id,
        location=NEARBY,
    )
    case = await cases.open_case(
        session,
        prefix="TS",
        agency_id=agency.id,
        title="Deep pothole",
        channel="api",
        service_id=service.id,
        location={**HERE, "zipcode": "M5H 2N2"},
        media_url="https://reports.example/photos/1.jpg",
    )
    await cases.link_likely_duplicates(session, case=case, radius_m=50.0)
    _, key = await staff.create_api_key(session, name="Reports app")
    session.add(Open311Submission(case_id=case.id, api_key_id=key.id))
    await cases.change_status(
        session, case=case, status=CaseStatus.in_progress, note="Crew booked", source="staff", staff_id=agent.id
    )
    await cases.record_update(
        session, case=case, status=CaseStatus.in_progress, note="Still there this morning", source="open311"
    )
    await session.commit()
    return Scene(agency, agent, case, near)


async def _link(session: AsyncSession, one: Case, other: Case) -> CaseLink | None:
    await session.commit()
    stmt = select(CaseLink).where(
        CaseLink.case_id.in_([one.id, other.id]), CaseLink.linked_case_id.in_([one.id, other.id])
    )
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalars().first()


async def test_the_case_page_shows_location_media_integrator_and_updates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    scene = await _scene(session)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/cases/{scene.case.reference}")).text
    location = page.split('id="location"')[1].split("</section>")[0]
    for shown in ("100 Queen St W", "A-100", "M5H 2N2", "43.653500, -79.384100"):
        assert shown in location
    assert '<a href="/map?lat=43.653500&amp;long=-79.384100">Show on the map</a>' in location
    assert 'href="https://reports.example/photos/1.jpg" rel="noopener noreferrer"' in page
    assert "Open311, from Reports app" in page
    updates = page.split('id="updates"')[1].split("</table>")[0]
    assert updates.index("Crew booked") < updates.index("Still there this morning")  # oldest first
    assert "Staff (Wren)" in updates
    assert "Open311" in updates

    plain = (await client.get(f"/desk/cases/{scene.near.reference}")).text
    assert "Open311, from" not in plain  # it came in by SMS
    assert "No updates yet." in plain
    assert "noopener noreferrer" not in plain.split('id="location"')[0]  # no file was sent with it


async def test_likely_duplicates_show_both_ways_with_service_status_channel_date_and_distance(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    scene = await _scene(session)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/cases/{scene.case.reference}")).text
    likely = page.split('id="likely-duplicates"')[1].split("</section>")[0]
    entry = likely.split(f'data-likely="{scene.near.reference}"')[1].split("</li>")[0]
    assert f'<a href="/desk/cases/{scene.near.reference}">{scene.near.reference}</a>' in entry
    for shown in ("Report a pothole", "<dd>New</dd>", "Text message", "22 m", "Merge into this one", "Not a duplicate"):
        assert shown in entry
    assert "Linked cases" in page
    assert "Related to" not in page.split('id="links-title"')[1].split("</ul>")[0]  # not repeated as related

    other_way = (await client.get(f"/desk/cases/{scene.near.reference}")).text
    assert f'data-likely="{scene.case.reference}"' in other_way
    assert "Another service" in other_way.split(f'data-likely="{scene.case.reference}"')[1].split("</li>")[0]


async def test_merge_into_this_one_closes_the_other_case_and_keeps_the_links(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    scene = await _scene(session)
    link = await _link(session, scene.case, scene.near)
    assert link is not None
    assert link.kind == "likely_duplicate"
    await sign_in_staff(client)
    url = f"/desk/cases/{scene.case.reference}/likely-duplicates/{link.id}/merge"
    merged = await client.post(url, data={"next": f"/desk/cases/{scene.case.reference}"})
    assert (merged.status_code, merged.headers["location"]) == (
        303,
        f"/desk/cases/{scene.case.reference}#likely-title",
    )
    await session.commit()
    near = (
        await session.execute(select(Case).where(Case.id == scene.near.id).execution_options(populate_existing=True))
    ).scalar_one()
    assert (near.merged_into_id, near.status) == (scene.case.id, CaseStatus.closed)
    after = await _link(session, scene.case, scene.near)
    assert after is not None
    assert (after.case_id, after.kind) == (scene.near.id, "duplicate")
    closing = (await session.execute(select(CaseUpdate).where(CaseUpdate.case_id == near.id))).scalars().all()
    assert [u.note for u in closing] == [f"Duplicate of {scene.case.reference}"]
    audits = (await session.execute(select(AuditEntry).where(AuditEntry.action == "case.merge"))).scalars().all()
    assert sorted(a.subject_id or "" for a in audits) == sorted([str(scene.case.id), str(near.id)])

    page = (await client.get(f"/desk/cases/{scene.case.reference}")).text
    assert "Duplicate merged here:" in page
    assert 'data-likely="' not in page
    assert (await client.post(url)).status_code == 404  # handled already


async def test_not_a_duplicate_makes_the_link_related(client: httpx.AsyncClient, session: AsyncSession) -> None:
    scene = await _scene(session)
    link = await _link(session, scene.case, scene.near)
    assert link is not None
    await sign_in_staff(client)
    # Either end of the link may set it aside.
    done = await client.post(f"/desk/cases/{scene.near.reference}/likely-duplicates/{link.id}/dismiss")
    assert (done.status_code, done.headers["location"]) == (303, f"/desk/cases/{scene.near.reference}#likely-title")
    after = await _link(session, scene.case, scene.near)
    assert after is not None
    assert (after.kind, after.created_by_id) == ("related", scene.agent.id)
    near = (
        await session.execute(select(Case).where(Case.id == scene.near.id).execution_options(populate_existing=True))
    ).scalar_one()
    assert near.merged_into_id is None
    assert near.status is CaseStatus.new
    audits = (await session.execute(select(AuditEntry).where(AuditEntry.action == "case.not_duplicate"))).scalars()
    assert sorted(a.subject_id or "" for a in audits) == sorted([str(scene.case.id), str(scene.near.id)])
    page = (await client.get(f"/desk/cases/{scene.case.reference}")).text
    assert f'Related to\n        <a href="/desk/cases/{scene.near.reference}">' in page
    assert page.split('id="likely-duplicates"')[1].split("</section>")[0].count("<li") == 0


async def test_likely_duplicate_actions_refuse_what_is_not_theirs(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    scene = await _scene(session)
    link = await _link(session, scene.case, scene.near)
    assert link is not None
    third = await cases.open_case(session, prefix="TS", agency_id=scene.agency.id, title="Elsewhere", channel="web")
    other_agency = await create_agency(session, slug="revenue", name="Revenue")
    await create_staff(session, email="ben@city.example", agencies=[other_agency])
    await session.commit()

    await sign_in_staff(client)
    wrong_case = f"/desk/cases/{third.reference}/likely-duplicates/{link.id}/dismiss"
    assert (await client.post(wrong_case)).status_code == 404
    assert (
        await client.post(f"/desk/cases/{third.reference}/likely-duplicates/{uuid.uuid4()}/merge")
    ).status_code == 404
    chosen = await client.post(
        f"/desk/cases/{third.reference}/link", data={"other": scene.case.reference, "kind": "likely_duplicate"}
    )
    assert chosen.status_code == 422  # found by the system, never chosen by hand

    await sign_in_staff(client, "ben@city.example")
    assert (await client.get(f"/desk/cases/{scene.case.reference}")).status_code == 404
    url = f"/desk/cases/{scene.case.reference}/likely-duplicates/{link.id}/merge"
    assert (await client.post(url)).status_code == 404
    after = await _link(session, scene.case, scene.near)
    assert after is not None
    assert after.kind == "likely_duplicate"


async def test_the_case_page_in_chromium_keyboard_first_with_no_axe_violations(
    browser: Browser, live_app: LiveApp
) -> None:
    async def seed() -> str:
        async with live_app.runtime.db.session() as s:
            scene = await _scene(s)
            return scene.case.reference

    reference = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "wren@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/cases/{reference}")
    assert await axe_violations(page) == []
    await page.focus("button:has-text('Not a duplicate')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/cases/{reference}#likely-title")
    assert "None." in await page.inner_text("#likely-duplicates")
    assert await axe_violations(page) == []
