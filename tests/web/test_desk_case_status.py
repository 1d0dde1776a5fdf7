"""The case page's status menu: it starts at the case's own status, offers only where the case can go next, in
the workflow's order, and cancelling (which cannot be undone) is asked again before it happens, without JavaScript."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support.db import fresh
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.cases.models import Case, CaseStatus


async def _case(session: AsyncSession, status: CaseStatus = CaseStatus.in_progress) -> tuple[str, uuid.UUID]:
    agency = await create_agency(session)
    await create_staff(session, email="wren@city.example", agencies=[agency])
    case = await cases.open_case(session, prefix="TS", agency_id=agency.id, title="Pothole on Elm", channel="sms")
    case.status = status
    await session.commit()
    return case.reference, case.id


async def _status(session: AsyncSession, case_id: uuid.UUID) -> CaseStatus:
    return (await (await fresh(session)).get_one(Case, case_id)).status


async def test_the_menu_starts_at_the_cases_status_and_offers_where_it_can_go(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    reference, case_id = await _case(session)
    await sign_in_staff(client)
    page = (await client.get(f"/desk/cases/{reference}")).text
    menu = re.search(r'<select id="status-[^"]+" name="status"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]*)</option>', menu.group(1))
    assert options == [
        ("in_progress", " selected", "In progress (as now)"),
        ("open", "", "Open"),
        ("waiting_on_citizen", "", "Waiting on the resident"),
        ("resolved", "", "Resolved"),
        ("cancelled", "", "Cancelled"),
    ]
    unchanged = await client.post(f"/desk/cases/{reference}/status", data={"status": "in_progress"})
    assert unchanged.status_code == 303
    assert await _status(session, case_id) is CaseStatus.in_progress


async def test_cancelling_is_confirmed_on_a_page_of_its_own_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    reference, case_id = await _case(session)
    await sign_in_staff(client)
    back = f"/desk/cases/{reference}"
    asked = await client.post(f"{back}/status", data={"status": "cancelled", "note": "Reported twice", "next": back})
    assert asked.status_code == 200
    assert f"Cancel {reference}?" in asked.text
    assert '<input type="hidden" name="confirm" value="yes">' in asked.text
    assert '<input type="hidden" name="note" value="Reported twice">' in asked.text
    assert f'<a href="{back}">No, keep it as it is</a>' in asked.text
    assert await _status(session, case_id) is CaseStatus.in_progress

    confirmed = await client.post(
        f"{back}/status", data={"status": "cancelled", "note": "Reported twice", "next": back, "confirm": "yes"}
    )
    assert confirmed.status_code == 303
    assert await _status(session, case_id) is CaseStatus.cancelled
    page = (await client.get(back)).text
    assert "This case is Cancelled; its status cannot change any more." in page


async def test_the_confirmation_speaks_french(client: httpx.AsyncClient, session: AsyncSession) -> None:
    reference, _ = await _case(session, CaseStatus.new)
    await sign_in_staff(client)
    client.cookies.set("ts_lang", "fr")
    asked = await client.post(f"/desk/cases/{reference}/status", data={"status": "cancelled"})
    assert f"Annuler {reference} ?" in asked.text
    assert "Oui, annuler le dossier" in asked.text
    page = (await client.get(f"/desk/cases/{reference}")).text
    assert "Nouveau (comme maintenant)" in page
