"""Data you share: the resident's own consents, in words, with who may read what from whom; withdrawing one stops
the next read; receipts as JSON and a printable page; another person's consent answers as one that does not
exist."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.web.portal.conftest import sign_in
from tests.web.portal.sharing_helpers import INCOME_KEY, ORIGIN, read, seed, staff_reader
from townsquare.app import Runtime
from townsquare.errors import Problem
from townsquare.residents.sharing_account import WITHDRAWN
from townsquare.sharing.models import Consent
from townsquare.staff.models import AuditEntry


async def test_the_page_lists_exactly_the_persons_consents(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    page = await sign_in(client, seeded.pat).get("/account/sharing")
    assert page.status_code == 200
    assert f'id="consent-{seeded.pat_consent}"' in page.text
    assert str(seeded.other_consent) not in page.text
    assert page.text.count('class="govuk-summary-card"') == 1
    assert "Household income, from Revenue" in page.text
    assert "Home address, from Licensing" in page.text
    assert "To check eligibility for the low-income transit pass." in page.text
    assert "on this website" in page.text
    assert "Active" in page.text
    assert '<a class="govuk-link" href="/account/sharing">' in (await client.get("/account")).text


async def test_an_agents_recorded_consent_says_so(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    async with runtime.db.session() as s:
        row = await s.get_one(Consent, seeded.other_consent)
        token_owner = row.citizen_id
        from townsquare.citizens import sessions

        token = await sessions.start(s, citizen_id=token_owner, method="email_link", hours=1, device="test")
        await s.commit()
    client.cookies.set("ts_citizen", token)
    page = await client.get("/account/sharing")
    assert "An agent recorded it for you." in page.text
    assert "by phone" in page.text


async def test_withdrawing_stops_the_next_read(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    confirm = await client.get(f"/account/sharing/{seeded.pat_consent}/withdraw")
    assert confirm.status_code == 200
    assert "Withdraw consent" in confirm.text
    done = await client.post(f"/account/sharing/{seeded.pat_consent}/withdraw", headers=ORIGIN)
    assert done.status_code == 303
    assert done.headers["location"] == "/account/sharing?withdrawn=1"
    page = await client.get("/account/sharing?withdrawn=1")
    assert "Your consent was withdrawn." in page.text
    assert "Withdrawn" in page.text
    async with runtime.db.session() as s:
        with pytest.raises(Problem) as refused:
            await read(s, seeded.world, staff_reader(seeded.world), seeded.pat.citizen_id, [INCOME_KEY])
        assert refused.value.type_slug == "sharing-consent-revoked"
        row = await s.get_one(Consent, seeded.pat_consent)
        assert row.revoked_channel == "web"
        audited = (await s.execute(select(AuditEntry).where(AuditEntry.action == WITHDRAWN))).scalar_one()
        assert audited.citizen_id == seeded.pat.citizen_id
        assert audited.detail["consent_id"] == str(seeded.pat_consent)
    again = await client.get(f"/account/sharing/{seeded.pat_consent}/withdraw")
    assert "no longer active" in again.text


async def test_the_receipt_names_the_attributes_agency_and_purpose(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    answer = await client.get(f"/account/sharing/{seeded.pat_consent}/receipt.json")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    receipt = answer.json()
    assert receipt["receipt_id"] == str(seeded.pat_consent)
    assert receipt["recipient"] == "Benefits"
    assert receipt["purpose"]["description"] == "To check eligibility for the low-income transit pass."
    assert {line["attribute"] for line in receipt["data"]} == {INCOME_KEY, "licensing.home_address"}
    income = next(line for line in receipt["data"] if line["attribute"] == INCOME_KEY)
    assert income["name"] == "Household income (Revenue)"
    assert income["held_by"] == "Revenue"
    assert receipt["state"] == "active"
    printable = await client.get(f"/account/sharing/{seeded.pat_consent}/receipt")
    assert printable.status_code == 200
    assert "Consent receipt" in printable.text
    assert "Household income, from Revenue" in printable.text


async def test_another_persons_consent_and_receipt_are_not_found(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seeded = await seed(runtime)
    sign_in(client, seeded.pat)
    theirs = seeded.other_consent
    for path in (f"/account/sharing/{theirs}/withdraw", f"/account/sharing/{theirs}/receipt",
                 f"/account/sharing/{theirs}/receipt.json", "/account/sharing/not-an-id/receipt"):  # fmt: skip
        assert (await client.get(path)).status_code == 404, path
    assert (await client.post(f"/account/sharing/{theirs}/withdraw", headers=ORIGIN)).status_code == 404
    async with runtime.db.session() as s:
        assert (await s.get_one(Consent, theirs)).revoked_at is None
