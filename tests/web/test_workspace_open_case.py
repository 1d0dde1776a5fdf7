"""The work page's "Open a case" panel: shown to the holder of work without a case, with the services they may
see and the citizen's last message; opening a case joins the work's conversation, keeps its channel, completes the
location and links close reports; refused input shows the form again and stores nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    PASSWORD,
    count,
    create_agency,
    create_agent,
    create_service,
    desk_citizen_with_history,
    desk_work_item,
)
from tests.support.browser import axe_violations
from tests.support.servers import LiveApp
from tests.support.staff import sign_in_staff
from townsquare.agencies import service as agencies
from townsquare.agencies.models import Agency
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseLink
from townsquare.interactions.models import Conversation, Interaction
from townsquare.routing.models import WorkItem
from townsquare.staff.models import StaffAccount


@dataclass
class Work:
    agency: Agency
    agent: StaffAccount
    item: WorkItem
    citizen_id: uuid.UUID
    conversation_id: uuid.UUID


async def _work(session: AsyncSession) -> Work:
    works = await create_agency(session)
    revenue = await create_agency(session, slug="revenue", name="Revenue")
    await create_service(session, agency=works, code="POTHOLE", name="Report a pothole")
    await create_service(session, agency=works, code="GRAFFITI", name="Report graffiti")
    retired = await create_service(session, agency=works, code="OLDFORM", name="Retired form")
    retired.active = False
    await create_service(session, agency=revenue, code="TAXBILL", name="Property tax bill")
    agent = await create_agent(session, email="wren@city.example", agencies=[works])
    await create_agent(session, email="kim@city.example", agencies=[works])
    citizen, conversation = await desk_citizen_with_history(session, touchpoints=3, staff_id=agent.id)
    item = await desk_work_item(
        session, agency=works, citizen=citizen, conversation_id=conversation.id, holder=agent, channel="sms"
    )
    await session.commit()
    return Work(works, agent, item, citizen.id, conversation.id)


def _panel(html: str) -> str:
    return html.split('id="open-case"')[1].split("</section>")[0]


async def test_the_panel_offers_the_agents_active_services_and_the_last_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    work = await _work(session)
    await sign_in_staff(client)
    panel = _panel((await client.get(f"/desk/work/{work.item.id}")).text)
    assert '<option value="POTHOLE">Report a pothole (City Works)</option>' in panel
    assert '<option value="GRAFFITI">' in panel
    assert "OLDFORM" not in panel  # inactive
    assert "TAXBILL" not in panel  # another agency's
    assert ">touchpoint 2</textarea>" in panel  # the newest of the citizen's three messages
    assert f'action="/desk/work/{work.item.id}/case"' in panel

    await sign_in_staff(client, "kim@city.example")
    assert 'id="open-case"' not in (await client.get(f"/desk/work/{work.item.id}")).text  # not the holder


async def test_opening_a_case_joins_the_conversation_and_links_close_reports(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    work = await _work(session)
    service = await agencies.get_service(session, code="POTHOLE")
    earlier = await cases.open_case(
        session,
        prefix="TS",
        agency_id=work.agency.id,
        title="Pothole reported on the portal",
        channel="web",
        service_id=service.id,
        location={"lat": 43.65370, "long": -79.38410},
    )
    await session.commit()
    await sign_in_staff(client)
    form = {
        "service_code": "POTHOLE",
        "address": "100 Queen St W",
        "lat": "43.6535",
        "long": "-79.3841",
        "title": "Pothole by the bus stop",
        "description": "A deep one, in the right lane",
    }
    opened = await client.post(f"/desk/work/{work.item.id}/case", data=form)
    assert (opened.status_code, opened.headers["location"]) == (303, f"/desk/work/{work.item.id}#item-title")

    await session.commit()
    case = (await session.execute(select(Case).where(Case.title == "Pothole by the bus stop"))).scalar_one()
    assert (case.service_id, case.citizen_id, case.opened_channel) == (service.id, work.citizen_id, "sms")
    assert (case.address_string, case.lat, case.long) == ("100 Queen St W", 43.6535, -79.3841)
    assert case.description == "A deep one, in the right lane"
    conversation = await session.get(Conversation, work.conversation_id, populate_existing=True)
    assert conversation is not None
    assert conversation.case_id == case.id
    messages = (await session.execute(select(Interaction.case_id).where(Interaction.body == "touchpoint 2"))).scalars()
    assert list(messages) == [case.id]  # what the citizen already sent is part of the case
    item = await session.get(WorkItem, work.item.id, populate_existing=True)
    assert item is not None
    assert (item.case_id, item.context["case_reference"]) == (case.id, case.reference)
    likely = (await session.execute(select(CaseLink).where(CaseLink.case_id == case.id))).scalar_one()
    assert (likely.linked_case_id, likely.kind) == (earlier.id, "likely_duplicate")

    page = (await client.get(f"/desk/work/{work.item.id}")).text
    assert f'Case: <a href="/desk/cases/{case.reference}">{case.reference}</a>' in page
    assert 'id="open-case"' not in page
    again = await client.post(f"/desk/work/{work.item.id}/case", data=form)
    assert again.status_code == 422
    assert "This work has a case already." in again.text
    assert await count(session, Case) == 2


async def test_refused_input_shows_the_form_again_and_opens_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    work = await _work(session)
    await sign_in_staff(client)
    base = {"service_code": "POTHOLE", "address": "12 Elm St", "title": "Kept title", "description": "Kept words"}
    refusals = [
        ({"service_code": ""}, "Choose the service the case is for."),
        ({"service_code": "TAXBILL"}, "Choose the service the case is for."),
        ({"service_code": "OLDFORM"}, "Choose the service the case is for."),
        ({"lat": "43.65"}, "Give both the latitude and the longitude, or neither."),
        ({"lat": "north", "long": "-79.38"}, "The latitude is a number from -90 to 90, or empty."),
        ({"lat": "43.65", "long": "999"}, "The longitude is a number from -180 to 180, or empty."),
    ]
    for change, reason in refusals:
        refused = await client.post(f"/desk/work/{work.item.id}/case", data={**base, **change})
        assert refused.status_code == 422, change
        assert reason in refused.text
        panel = _panel(refused.text)
        assert 'value="Kept title"' in panel
        assert ">Kept words</textarea>" in panel
        assert 'value="12 Elm St"' in panel
    assert await count(session, Case) == 0

    await sign_in_staff(client, "kim@city.example")
    assert (await client.post(f"/desk/work/{work.item.id}/case", data=base)).status_code == 403
    assert await count(session, Case) == 0


async def test_the_panel_in_chromium_keyboard_first_with_no_axe_violations(browser: Browser, live_app: LiveApp) -> None:
    async def seed() -> Work:
        async with live_app.runtime.db.session() as s:
            return await _work(s)

    work = await live_app.call(seed)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{live_app.url}/desk/sign-in")
    await page.fill("#email", "wren@city.example")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk")
    await page.goto(f"{live_app.url}/desk/work/{work.item.id}")
    assert await axe_violations(page) == []

    await page.keyboard.press("Alt+c")  # the workspace's case panel: one action panel open at a time
    assert await page.evaluate("document.activeElement.id") == "case-service"
    await page.focus("#case-address")
    await page.keyboard.type("100 Queen St W")
    await page.click("text=Open the case")  # no service chosen: the browser asks for one first
    assert page.url.endswith(f"/desk/work/{work.item.id}")
    await page.select_option("#case-service", "POTHOLE")
    await page.focus("#case-title")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_app.url}/desk/work/{work.item.id}#item-title")
    assert "Case: TS-" in await page.inner_text(".known")
    assert await page.query_selector("#open-case") is None
    assert await axe_violations(page) == []
