"""The builder's kinds on the portal's application pages: a date as day, month and year, a postal address, a file
uploaded within the attachment limits, a consent that must be ticked (its answer records the statement's
version), a question shown only when an earlier page's answer calls for it, and page titles in French."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.web.portal.conftest import Resident, sign_in
from townsquare.agencies.forms import statement_version
from townsquare.agencies.models import ServiceAttribute
from townsquare.cases.models import Case
from townsquare.interactions.models import Attachment

FORM = [
    {
        "code": "pet",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "Do you have a pet?",
        "values": [{"key": "dog", "name": "Dog"}, {"key": "none", "name": "None"}],
        "page": 1,
    },
    {
        "code": "pet_name",
        "datatype": "string",
        "required": True,
        "description": "What is its name?",
        "page": 2,
        "condition": {"field": "pet", "values": ["dog"]},
    },
    {"code": "moved_on", "datatype": "date", "required": True, "description": "When did you move in?", "page": 2},
    {"code": "home", "datatype": "address", "description": "Your address", "page": 2},
    {"code": "lease", "datatype": "file", "description": "Your lease", "page": 2},
    {
        "code": "agree",
        "datatype": "consent",
        "required": True,
        "description": "I confirm this is true",
        "translations": {"fr": {"description": "Je confirme que tout est vrai"}},
        "page": 2,
    },
]


def _hidden(page: httpx.Response) -> dict[str, str]:
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    return {name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in hidden}


async def _start(client: httpx.AsyncClient, session: AsyncSession, pet: str) -> str:
    works = await create_agency(session)
    service = await create_service(session, agency=works, code="PERMIT", attributes=FORM)
    service.form_pages = {"2": {"title": "About your home", "translations": {"fr": {"title": "Votre logement"}}}}
    await session.commit()
    started = await client.get("/services/PERMIT/apply")
    base = started.headers["location"].removesuffix("/pages/1")
    first = await client.get(f"{base}/pages/1")
    sent = await client.post(f"{base}/pages/1", data=_hidden(first) | {"f.pet": pet})
    assert sent.headers["location"] == f"{base}/pages/2"
    return base


async def test_each_kind_is_asked_checked_and_kept_on_the_case(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    base = await _start(client, session, "dog")
    page = await client.get(f"{base}/pages/2", cookies={"ts_lang": "fr"})
    assert "Votre logement" in page.text
    assert 'name="f.moved_on.day"' in page.text
    assert 'type="file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "Je confirme que tout est vrai" in page.text
    wrong = await client.post(
        f"{base}/pages/2",
        data=_hidden(page) | {"f.moved_on.day": "31", "f.moved_on.month": "2", "f.moved_on.year": "2026"},
    )
    assert wrong.status_code == 422
    assert re.search(r'href="#field-moved_on-day"', wrong.text)
    assert 'href="#field-pet_name"' in wrong.text  # the pet is a dog: its name is asked, and required
    assert 'href="#field-agree"' in wrong.text
    page = await client.get(f"{base}/pages/2")
    answers = {
        "f.pet_name": "Rex",
        "f.moved_on.day": "27",
        "f.moved_on.month": "3",
        "f.moved_on.year": "2026",
        "f.home": "12 Main Street\r\nOttawa ON",
        "f.agree": "yes",
    }
    lease = {"f.lease": ("lease.pdf", b"%PDF-1.4 a lease", "application/pdf")}
    sent = await client.post(f"{base}/pages/2", data=_hidden(page) | answers, files=lease)
    assert sent.status_code == 303, sent.text
    assert (await client.post(f"{base}/pages/3", data=_hidden(await client.get(f"{base}/pages/3")))).status_code == 303
    check = await client.get(f"{base}/check")
    assert "lease.pdf" in check.text
    assert "12 Main Street, Ottawa ON" in check.text
    done = await client.post(f"{base}/submit")
    assert done.status_code == 303, done.text
    case = (await session.execute(select(Case))).scalar_one()
    agree = (await session.execute(select(ServiceAttribute).where(ServiceAttribute.code == "agree"))).scalar_one()
    assert case.attributes["moved_on"] == "2026-03-27"
    assert case.attributes["home"] == "12 Main Street\nOttawa ON"
    assert case.attributes["lease"]["filename"] == "lease.pdf"
    assert case.attributes["agree"] == {"agreed": True, "statement_version": statement_version(agree)}
    files = (await session.execute(select(Attachment.filename))).scalars().all()
    assert "lease.pdf" in files


async def test_a_question_its_condition_hides_is_not_asked_and_a_refused_file_is_said(
    client: httpx.AsyncClient, session: AsyncSession, resident: Resident
) -> None:
    sign_in(client, resident)
    base = await _start(client, session, "none")
    page = await client.get(f"{base}/pages/2")
    assert "What is its name?" not in page.text  # no pet: its name is not asked
    dated = {"f.moved_on.day": "1", "f.moved_on.month": "2", "f.moved_on.year": "2026", "f.agree": "yes"}
    odd = {"f.lease": ("lease.exe", b"MZ", "application/x-msdownload")}
    refused = await client.post(f"{base}/pages/2", data=_hidden(page) | dated, files=odd)
    assert refused.status_code == 422
    assert "This kind of file cannot be sent" in refused.text
    sent = await client.post(f"{base}/pages/2", data=_hidden(await client.get(f"{base}/pages/2")) | dated)
    assert sent.status_code == 303, sent.text
