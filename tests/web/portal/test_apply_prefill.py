"""Tell us once on the portal: the consent page before the form shows exactly the values offered; "Use these" gives
a consent, logs the read and locks verified answers; "I'll type them myself" reads nothing; a tampered locked value
is refused with nothing saved; a stale offer is asked again; the case keeps where each prefilled answer came from."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_service
from tests.sharing.world import ADDRESS, EMAIL, INCOME, PURPOSE, WHEN, World, sharing_world
from townsquare.agencies.models import ServiceAttribute
from townsquare.analytics.models import Touch
from townsquare.app import Runtime
from townsquare.cases.models import Case
from townsquare.citizens import sessions
from townsquare.citizens.kinds import IdentityKind
from townsquare.citizens.sessions import CITIZEN_COOKIE
from townsquare.clock import utcnow
from townsquare.drafts.models import Draft
from townsquare.residents import prefill
from townsquare.sharing import access, consents
from townsquare.sharing.holdings import put_attribute
from townsquare.sharing.models import Consent, ValueType
from townsquare.sharing.records import Identifier, IncomingRecord, put_record
from townsquare.staff.models import AuditEntry

ORIGIN = {"Origin": "http://testserver"}
ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "household_size", "datatype": "number", "required": True, "description": "People in your household"},
    {"code": "household_income", "datatype": "number", "required": True, "description": "Household income"},
    {"code": "birthday", "datatype": "string", "description": "Date of birth"},  # no agreement covers it
    {"code": "mailing_address", "datatype": "text", "required": True, "description": "Mailing address", "page": 2},
]
PREFILL = {
    "household_income": "revenue.household_income",
    "birthday": "licensing.date_of_birth",
    "mailing_address": "licensing.home_address",
}


async def _world(session: AsyncSession, client: httpx.AsyncClient) -> World:
    """The sharing world, a transit pass that prefills from it, and Pat signed in."""
    world, token = await prefill_world(session)
    client.cookies.set(CITIZEN_COOKIE, token)
    return world


async def prefill_world(session: AsyncSession) -> tuple[World, str]:
    """The sharing world and a transit pass that prefills from it; Pat's session token."""
    world = await sharing_world(session)
    await add_transit_pass(session, world)
    token = await sessions.start(session, citizen_id=world.person.id, method="email_link", hours=24, device="test")
    await session.commit()
    return world, token


async def add_transit_pass(session: AsyncSession, world: World) -> None:
    """The benefits agency's transit pass, whose income and address questions prefill from Revenue and Licensing."""
    service = await create_service(session, agency=world.benefits, code="TRANSIT", name="Transit pass",
                                   attributes=ATTRIBUTES)  # fmt: skip
    service.sharing_purpose = PURPOSE
    for code, key in PREFILL.items():
        await session.execute(
            update(ServiceAttribute)
            .where(ServiceAttribute.service_id == service.id, ServiceAttribute.code == code)
            .values(prefill_from=key)
        )
    await session.commit()


def _hidden(page: httpx.Response) -> dict[str, str]:
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
    return {name: value.replace("&#34;", '"').replace("&quot;", '"') for name, value in hidden}


async def _to_consent_page(client: httpx.AsyncClient) -> tuple[str, httpx.Response]:
    started = await client.get("/services/TRANSIT/apply")
    assert started.status_code == 303, started.text
    match = re.fullmatch(r"/applications/([0-9a-f-]+)/prefill", started.headers["location"])
    assert match, started.headers["location"]
    page = await client.get(started.headers["location"])
    assert page.status_code == 200, page.text
    return match.group(1), page


async def _use(client: httpx.AsyncClient) -> str:
    draft_id, page = await _to_consent_page(client)
    used = await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "use"},
                             headers=ORIGIN)  # fmt: skip
    assert used.status_code == 303, used.text
    assert used.headers["location"] == f"/applications/{draft_id}/pages/1"
    return draft_id


async def _draft(runtime: Runtime, draft_id: str) -> Draft:
    async with runtime.db.session() as s:
        return await s.get_one(Draft, uuid.UUID(draft_id))


async def _actions(runtime: Runtime) -> list[str]:
    async with runtime.db.session() as s:
        rows = await s.execute(select(AuditEntry.action).where(AuditEntry.action.like("person_data.%")))
        return sorted(rows.scalars())


async def _count(runtime: Runtime, model: Any) -> int:
    async with runtime.db.session() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_the_consent_page_comes_first_and_shows_exactly_the_offered_values(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _world(session, client)
    _draft_id, page = await _to_consent_page(client)
    text = page.text
    assert "Use information the city already holds?" in text
    assert f'<dd class="govuk-summary-list__value">{INCOME}</dd>' in text
    assert "12 Elm St<br>Toronto ON M5V 1A1" in text
    assert "Revenue" in text
    assert "Licensing" in text
    assert "1 November 2026" in text  # when each value last changed
    assert "Yes, checked by Revenue" in text
    assert "To check eligibility for the low-income transit pass." in text  # the agreement's purpose
    assert "Transit Fare Assistance By-law, s. 4" in text  # and its legal basis
    assert "Data you share" in text
    assert 'href="/account"' in text
    assert "1980-04-30" not in text
    assert "Date of birth" not in text
    assert '<fieldset class="govuk-fieldset"' in text
    assert "<legend" in text
    # Seeing her own values is logged, but nothing was read for the agency and no consent was given.
    assert await _actions(runtime) == [prefill.PREVIEWED]
    assert await _count(runtime, Consent) == 0


async def test_use_these_gives_a_consent_logs_the_read_prefills_and_locks(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session, client)
    draft_id = await _use(client)
    async with runtime.db.session() as s:
        consent = (await s.execute(select(Consent))).scalar_one()
        read = (await s.execute(select(AuditEntry).where(AuditEntry.action == access.READ))).scalar_one()
    assert consent.citizen_id == world.person.id
    assert consent.channel == "web"
    assert consent.attributes == ["licensing.home_address", "revenue.household_income"]
    assert (read.actor_kind, read.agency_id, read.detail["consents"]) == (
        "citizen",
        world.benefits.id,
        [str(consent.id)],
    )
    draft = await _draft(runtime, draft_id)
    assert draft.answers["household_income"] == str(INCOME)
    assert draft.answers["mailing_address"] == ADDRESS.replace("  ", " ")  # as the provider normalised it
    entry = draft.prefill["household_income"]
    assert entry["source"] == "revenue.household_income"
    assert entry["agency"] == "revenue"
    assert entry["verified"] is True
    assert entry["consent_id"] == str(consent.id)
    assert entry["agreement"] == "DSA-0001 v1"
    assert entry["last_updated"] == WHEN.isoformat()
    assert entry["hash"] == prefill.answer_hash(runtime.settings.secret_key, draft.id, "household_income", "41200")
    assert str(INCOME) not in str(entry)  # a keyed hash of the value, never the value

    page = await client.get(f"/applications/{draft_id}/pages/1")
    assert page.status_code == 200
    assert 'name="f.household_income"' not in page.text  # locked: shown, not asked
    assert 'name="f.household_size"' in page.text  # typed by the person
    assert "From Revenue, verified 1 November 2026" in page.text
    assert "This is wrong" in page.text
    assert "Ask Revenue to correct its records" in page.text


async def test_type_them_myself_reads_nothing_and_is_not_asked_again(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _world(session, client)
    draft_id, page = await _to_consent_page(client)
    typed = await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "self"},
                              headers=ORIGIN)  # fmt: skip
    assert typed.headers["location"] == f"/applications/{draft_id}/pages/1"
    assert await _actions(runtime) == [prefill.PREVIEWED]  # no read, no refusal
    assert await _count(runtime, Consent) == 0
    draft = await _draft(runtime, draft_id)
    assert "household_income" not in draft.answers
    assert prefill.entries(draft) == {}
    form = await client.get(f"/applications/{draft_id}/pages/1")
    assert 'name="f.household_income"' in form.text
    again = await client.get("/services/TRANSIT/apply")
    assert again.headers["location"] == f"/applications/{draft_id}/pages/1"


async def test_no_choice_is_asked_again_with_an_error(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _world(session, client)
    draft_id, page = await _to_consent_page(client)
    answer = await client.post(f"/applications/{draft_id}/prefill", data=_hidden(page), headers=ORIGIN)
    assert answer.status_code == 422
    assert 'href="#choice"' in answer.text
    assert "govuk-error-message" in answer.text


async def test_values_changed_since_the_page_was_drawn_are_shown_again_before_any_consent(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session, client)
    draft_id, page = await _to_consent_page(client)
    await _new_income(session, world, 39000)
    answer = await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "use"},
                               headers=ORIGIN)  # fmt: skip
    assert answer.status_code == 409
    assert "39000" in answer.text
    assert await _count(runtime, Consent) == 0


async def test_a_tampered_locked_value_is_refused_and_nothing_saved(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _world(session, client)
    draft_id = await _use(client)
    before = await _draft(runtime, draft_id)
    page = await client.get(f"/applications/{draft_id}/pages/1")
    forged = {**_hidden(page), "f.household_size": "3", "orig.household_income": '""', "f.household_income": "1000"}
    refused = await client.post(f"/applications/{draft_id}/pages/1", data=forged, headers=ORIGIN)
    assert refused.status_code == 422, refused.text
    autosaved = await client.post(
        f"/applications/{draft_id}/autosave",
        json={"base_version": before.version, "changes": {"household_size": "3", "household_income": "1000"}},
        headers=ORIGIN,
    )
    assert autosaved.status_code == 422
    assert autosaved.json()["type"].endswith("prefill-locked")
    after = await _draft(runtime, draft_id)
    assert after.answers == before.answers
    assert after.version == before.version

    # A locked value changed behind the form's back is refused when sending: no case.
    await session.execute(
        update(Draft).where(Draft.id == uuid.UUID(draft_id)).values(answers={**after.answers, "household_income": "1"})
    )
    await session.commit()
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.status_code == 422
    assert await _count(runtime, Case) == 0
    assert (await _draft(runtime, draft_id)).submitted_at is None


async def _new_income(session: AsyncSession, world: World, income: int) -> None:
    named = [Identifier(IdentityKind.email, EMAIL)]
    record = IncomingRecord("RT-1", WHEN + timedelta(days=3), named, {"household_income": income})
    await put_record(session, world.revenue, record, source="tax system", provenance={}, region="CA")
    await session.commit()


async def _answer_all(client: httpx.AsyncClient, draft_id: str, second: dict[str, str] | None = None) -> None:
    page = await client.get(f"/applications/{draft_id}/pages/1")
    moved = await client.post(f"/applications/{draft_id}/pages/1", data={**_hidden(page), "f.household_size": "3"})
    assert moved.headers["location"] == f"/applications/{draft_id}/pages/2", moved.text
    page = await client.get(f"/applications/{draft_id}/pages/2")
    moved = await client.post(f"/applications/{draft_id}/pages/2", data={**_hidden(page), **(second or {})})
    assert moved.headers["location"] == f"/applications/{draft_id}/pages/3", moved.text


async def test_a_changed_source_value_is_asked_again_and_nothing_is_lost(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session, client)
    draft_id = await _use(client)
    await _answer_all(client, draft_id)
    await _new_income(session, world, 39000)
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"/applications/{draft_id}/prefill?again=1"
    assert await _count(runtime, Case) == 0
    again = await client.get(sent.headers["location"])
    assert "39000" in again.text
    assert "has changed" in again.text
    used = await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(again), "choice": "use"},
                             headers=ORIGIN)  # fmt: skip
    assert used.status_code == 303
    draft = await _draft(runtime, draft_id)
    assert draft.answers["household_income"] == "39000"
    assert draft.answers["household_size"] == "3"


async def test_a_revoked_consent_or_an_old_offer_is_asked_again(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session, client)
    draft_id = await _use(client)
    await _answer_all(client, draft_id)
    consent = (await session.execute(select(Consent))).scalar_one()
    await consents.revoke(session, citizen_id=world.person.id, consent_id=consent.id, channel="web")
    await session.commit()
    checked = await client.get(f"/applications/{draft_id}/check")
    assert checked.headers["location"] == f"/applications/{draft_id}/prefill?again=1"
    version = (await _draft(runtime, draft_id)).version
    autosaved = await client.post(f"/applications/{draft_id}/autosave",
                                  json={"base_version": version, "changes": {"household_size": "4"}},
                                  headers=ORIGIN)  # fmt: skip
    assert autosaved.status_code == 409
    assert autosaved.json()["location"] == f"/applications/{draft_id}/prefill?again=1"
    assert (await _draft(runtime, draft_id)).answers["household_size"] == "4"  # saved first: nothing lost
    page = await client.get(f"/applications/{draft_id}/prefill?again=1")
    await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "use"}, headers=ORIGIN)
    assert (await client.get(f"/applications/{draft_id}/check")).status_code == 200

    draft = await _draft(runtime, draft_id)
    old = (utcnow() - timedelta(hours=runtime.settings.prefill_offer_hours + 1)).isoformat()
    aged = {code: {**entry, "offered_at": old} for code, entry in draft.prefill.items()}
    await session.execute(update(Draft).where(Draft.id == draft.id).values(prefill=aged))
    await session.commit()
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"/applications/{draft_id}/prefill?again=1"
    assert await _count(runtime, Case) == 0


async def test_the_case_keeps_where_each_prefilled_answer_came_from(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _world(session, client)
    draft_id = await _use(client)
    await _answer_all(client, draft_id)
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"/applications/{draft_id}/done", sent.text
    async with runtime.db.session() as s:
        case = (await s.execute(select(Case))).scalar_one()
        consent = (await s.execute(select(Consent))).scalar_one()
    assert case.attributes["household_income"] == INCOME
    assert case.attributes["household_size"] == 3
    assert set(case.provenance) == {"household_income", "mailing_address"}  # typed answers have none
    assert await _asked_again(runtime) == 0  # every held value was prefilled
    assert case.provenance["household_income"] == {
        "source": "revenue.household_income",
        "agency": "revenue",
        "verified": True,
        "last_updated": WHEN.isoformat(),
        "agreement": "DSA-0001 v1",
        "consent_id": str(consent.id),
    }


async def test_an_unverified_value_stays_editable_and_once_changed_has_no_provenance(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await _world(session, client)
    await put_attribute(session, agency_id=world.licensing.id, code="home_address", name="Home address",
                        value_type=ValueType.address, verified=False)  # fmt: skip
    await session.commit()
    draft_id = await _use(client)
    page = await client.get(f"/applications/{draft_id}/pages/2")
    assert 'name="f.mailing_address"' in page.text
    assert "(not verified): you can change it" in page.text
    await _answer_all(client, draft_id, {"f.mailing_address": "1 Main St\nToronto ON"})
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"/applications/{draft_id}/done", sent.text
    async with runtime.db.session() as s:
        case = (await s.execute(select(Case))).scalar_one()
    assert set(case.provenance) == {"household_income"}
    assert await _asked_again(runtime) == 1  # the address the platform held was typed again


async def test_typing_held_values_oneself_counts_each_as_asked_again(
    client: httpx.AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    await _world(session, client)
    draft_id, page = await _to_consent_page(client)
    await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "self"}, headers=ORIGIN)
    page = await client.get(f"/applications/{draft_id}/pages/1")
    typed = {"f.household_size": "3", "f.household_income": "41000"}
    assert (await client.post(f"/applications/{draft_id}/pages/1", data={**_hidden(page), **typed})).status_code == 303
    page = await client.get(f"/applications/{draft_id}/pages/2")
    address = {"f.mailing_address": "1 Main St\nToronto ON"}
    assert (
        await client.post(f"/applications/{draft_id}/pages/2", data={**_hidden(page), **address})
    ).status_code == 303
    sent = await client.post(f"/applications/{draft_id}/submit", headers=ORIGIN)
    assert sent.headers["location"] == f"/applications/{draft_id}/done", sent.text
    assert await _asked_again(runtime) == 2  # income and address were held; the household's size was not


async def _asked_again(runtime: Runtime) -> int:
    """What the submission's touch counts as asked again."""
    async with runtime.db.session() as s:
        form = (await s.execute(select(Touch).where(Touch.kind == "form_submission"))).scalar_one()
        return form.asked_again


async def test_the_consent_page_and_locked_answers_speak_french(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _world(session, client)
    client.cookies.set("ts_lang", "fr")
    draft_id, page = await _to_consent_page(client)
    assert "Utiliser les renseignements que la ville détient déjà ?" in page.text
    assert "Les utiliser" in page.text
    assert "Je les saisirai moi-même" in page.text
    assert "1 novembre 2026" in page.text
    assert 'lang="en">To check eligibility' in page.text  # an agreement without French says so
    await client.post(f"/applications/{draft_id}/prefill", data={**_hidden(page), "choice": "use"}, headers=ORIGIN)
    form = await client.get(f"/applications/{draft_id}/pages/1")
    assert "Fourni par Revenue, vérifié le 1 novembre 2026" in form.text
    assert "C'est inexact" in form.text or "C&#39;est inexact" in form.text
