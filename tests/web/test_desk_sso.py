"""Staff sign-in with the organisation's OpenID Connect provider: a real provider (tests/support/oidc.py) whose ID
tokens carry a groups claim, mapped to a role and agencies; refusals change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, counts, create_agency, create_staff
from tests.support.oidc import StaffPerson, StaffProvider, staff_provider
from townsquare.settings import Settings
from townsquare.staff import service as staff
from townsquare.staff.auth import SESSION_COOKIE
from townsquare.staff.models import AuditEntry, StaffAccount, StaffRole

PEOPLE = [
    StaffPerson("ana-7", "ana@city.example", "Ana Roads", groups=["roads-agents"]),
    StaffPerson("ben-8", "ben@city.example", "Ben Both", groups=["roads-agents", "parks-supervisors", "other"]),
    StaffPerson("cy-9", "cy@city.example", "Cy Nogroups"),  # no groups claim at all
    StaffPerson("dee-10", "dee@city.example", "Dee Unmapped", groups=["canteen"]),
]
MAPPING = {
    "roads-agents": {"role": "agent", "agencies": ["roads"]},
    "parks-supervisors": {"role": "supervisor", "agencies": ["parks"]},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffProvider]:
    with staff_provider(tmp_path_factory.mktemp("staff-oidc"), PEOPLE, public_url="http://testserver") as running:
        yield running


@pytest.fixture
def settings(settings: Settings, provider: StaffProvider) -> Settings:
    return settings.model_copy(update=provider.settings(mapping=MAPPING))


async def _agencies(session: AsyncSession) -> dict[str, object]:
    roads = await create_agency(session, slug="roads", name="Roads")
    parks = await create_agency(session, slug="parks", name="Parks")
    await session.commit()
    return {"roads": roads.id, "parks": parks.id}


async def _signed_in_as(session: AsyncSession, response: httpx.Response) -> staff.SignedIn:
    token = response.cookies.get(SESSION_COOKIE)
    assert token, response.text
    await session.commit()
    session.expire_all()
    account = await staff.staff_for_session(session, token=token)
    assert account is not None
    return account


async def test_the_sign_in_page_offers_the_provider(client: httpx.AsyncClient) -> None:
    page = await client.get("/desk/sign-in?next=/desk/account")

    assert "Sign in with City Login" in page.text
    assert 'href="/desk/sso/sign-in?next=/desk/account"' in page.text
    assert 'name="password"' in page.text  # local passwords stay on by default


async def test_an_existing_account_is_linked_by_email_and_its_role_and_agencies_come_from_the_groups(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider
) -> None:
    ids = await _agencies(session)
    await create_staff(session, email="ben@city.example", role=StaffRole.agent)
    await session.commit()

    done = await client.get(await provider.login(client, "ben-8", next="/desk/account"))

    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/desk/account"
    who = await _signed_in_as(session, done)
    assert who.role is StaffRole.supervisor  # the highest of the two groups' roles
    assert who.agency_ids == {ids["roads"], ids["parks"]}  # every agency of both
    account = (await session.execute(select(StaffAccount))).scalar_one()
    assert (account.oidc_issuer, account.oidc_subject) == (provider.issuer, "ben-8")
    actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert {"staff.sso_linked", "staff.sso_access_changed", "staff.sign_in"} <= set(actions)
    assert (await client.get("/desk/account")).status_code == 200


async def test_the_groups_decide_again_at_every_sign_in(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider, settings: Settings
) -> None:
    ids = await _agencies(session)
    account = await create_staff(session, email="ana@city.example", role=StaffRole.admin)
    account.oidc_issuer, account.oidc_subject = provider.issuer, "ana-7"
    await session.commit()

    done = await client.get(await provider.login(client, "ana-7"))

    who = await _signed_in_as(session, done)
    assert who.role is StaffRole.agent
    assert who.agency_ids == {ids["roads"]}
    [change] = (
        (await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.sso_access_changed")))
        .scalars()
        .all()
    )
    assert change.detail["role"] == ["admin", "agent"]
    assert change.detail["agencies_added"] == [str(ids["roads"])]


@pytest.mark.parametrize(("sub", "reason"), [("cy-9", "no_claim"), ("dee-10", "unmapped")])
async def test_a_token_without_the_claim_or_with_unmapped_groups_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider, sub: str, reason: str
) -> None:
    await _agencies(session)
    await create_staff(session, email=f"{sub.split('-')[0]}@city.example")
    await session.commit()
    before = await counts(session)

    refused = await client.get(await provider.login(client, sub))

    assert refused.status_code == 403
    assert "Ask your administrator" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    await session.commit()
    after = await counts(session)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    [entry] = (await session.execute(select(AuditEntry).where(AuditEntry.action == "staff.sso_refused"))).scalars()
    assert entry.detail == {"reason": reason}
    assert entry.subject_id is None
    assert (await session.execute(select(StaffAccount.oidc_subject))).scalar_one() is None  # not even linked


async def test_an_unknown_person_is_refused_while_just_in_time_accounts_are_off(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider
) -> None:
    await _agencies(session)

    refused = await client.get(await provider.login(client, "ana-7"))

    assert refused.status_code == 403
    assert "There is no desk account for you yet" in refused.text
    await session.commit()
    assert await count(session, StaffAccount) == 0


async def test_just_in_time_creates_the_account_with_the_mapped_role(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider, settings: Settings
) -> None:
    ids = await _agencies(session)
    app.state.settings = settings.model_copy(update={"staff_oidc_create_accounts": True})

    done = await client.get(await provider.login(client, "ben-8"))

    assert done.status_code == 303, done.text
    who = await _signed_in_as(session, done)
    assert (who.display_name, who.role) == ("Ben Both", StaffRole.supervisor)
    assert who.agency_ids == {ids["roads"], ids["parks"]}
    account = (await session.execute(select(StaffAccount))).scalar_one()
    assert account.password_hash == ""  # no password: single sign-on only
    assert await count(session, AuditEntry, AuditEntry.action == "staff.sso_created") == 1


async def test_a_deactivated_account_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider
) -> None:
    await _agencies(session)
    account = await create_staff(session, email="ana@city.example")
    account.active = False
    await session.commit()

    refused = await client.get(await provider.login(client, "ana-7"))

    assert refused.status_code == 403
    assert "deactivated" in refused.text


async def test_a_replayed_answer_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, provider: StaffProvider
) -> None:
    await _agencies(session)
    await create_staff(session, email="ana@city.example")
    await session.commit()
    callback = await provider.login(client, "ana-7")
    first = await client.get(callback)
    assert first.status_code == 303

    again = await client.get(callback)

    assert again.status_code == 400
