"""The desk's mail room (/desk/mail): staff upload a scanned letter and see where it landed; a refused scan comes
back with the problem and writes nothing; signed-out visitors are sent to sign in."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support import scans
from tests.support.staff import sign_in_staff
from townsquare.cases import service as cases
from townsquare.interactions.models import Interaction
from townsquare.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"mail_scan_dpi": 200})


async def test_staff_upload_a_scan_and_see_where_it_landed(client: httpx.AsyncClient, session: AsyncSession) -> None:
    agency = await create_agency(session)
    await create_staff(session, email="wren@city.example", agencies=[agency])
    case = await cases.open_case(
        session, prefix="TS", agency_id=agency.id, title="Tree down", channel="web", citizen_id=None
    )
    await session.commit()
    signed_out = await client.get("/desk/mail")
    assert signed_out.status_code in (302, 303, 307)
    await sign_in_staff(client)

    page = await client.get("/desk/mail")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    scan = scans.png(scans.typed(["Hello,", f"About {case.reference}: the tree is still on the path."]))
    sent = await client.post("/desk/mail", files={"file": ("tree.png", scan, "image/png")})

    assert sent.status_code == 303
    shown = await client.get(sent.headers["location"])
    assert f'href="/desk/cases/{case.reference}"' in shown.text
    assert "The letter is recorded." in shown.text
    refused = await client.post("/desk/mail", files={"file": ("a.pdf", scans.with_attachment(), "application/pdf")})
    assert refused.status_code == 422
    assert "embedded file" in refused.text
    assert await session.scalar(select(func.count()).select_from(Interaction)) == 1


async def test_the_work_says_in_words_what_a_letter_needs(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """A letter from nobody known, and one nothing could be read from: each one's work says what a person must do."""
    agency = await create_agency(session)
    await create_staff(session, email="wren@city.example", agencies=[agency])
    await session.commit()
    await sign_in_staff(client)
    unknown = scans.png(scans.typed(["Jo Bloggs", "12 Nowhere Lane", "Dear sir, the bin was not collected."]))
    blank = scans.png(scans.typed([" "]))
    said = []
    for name, scan in (("unknown.png", unknown), ("blank.png", blank)):
        sent = await client.post("/desk/mail", files={"file": (name, scan, "image/png")})
        shown = (await client.get(sent.headers["location"])).text
        work = shown.split('<a href="/desk/work/', 1)[1].split('"', 1)[0]
        said.append((await client.get(f"/desk/work/{work}")).text)
    assert "Letter: nobody could tell who sent it" in said[0]
    assert "Identify the sender from the scan before answering." in said[0]
    assert "Nothing could be read from this scan: open it and read it yourself." in said[1]
