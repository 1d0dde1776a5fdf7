"""The records team's review queue on the desk: a doubtful pair side by side with the evidence, confirmed (the
two people merged, undoably) or rejected (never offered again), seen only by the agency it is queued for; and a
person's linked records, where an automatic link is explained field by field."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_staff
from tests.support.staff import sign_in_staff
from townsquare.citizens.models import Citizen, CitizenMerge, CitizenStatus
from townsquare.engagement import record_intake
from townsquare.matching import store
from townsquare.matching.comparisons import COMPARISONS
from townsquare.matching.intake import TakenIn
from townsquare.matching.model import Thresholds
from townsquare.matching.models import MatchDecision, MatchRejection, Outcome
from townsquare.routing.models import WorkItem, WorkItemStatus
from townsquare.settings import Settings
from townsquare.staff.models import AuditEntry
from townsquare.web import i18n

ANA = {"given_name": "Ana", "family_name": "Tremblay", "birth_date": "1984-03-12", "street": "Rue Principale",
       "street_number": "12", "postcode": "H2X 1Y4", "email": "ana.t@example.org"}  # fmt: skip
DOUBT = {"given_name": "Ana", "family_name": "Tremblay", "birth_date": "1984-03-13", "street": "Avenue du Parc"}


async def _pair(session: AsyncSession, settings: Settings) -> tuple[TakenIn, TakenIn]:
    """Ana from the tax register, then a library record the model is unsure is her (cautious thresholds)."""
    version, model = await store.in_force(session)
    cautious = (version, replace(model, thresholds=Thresholds(link=0.999999, review=0.2)))
    ana = await record_intake.take_in(session, settings, source="revenue", source_key="R-1", raw=ANA, model=cautious)
    maybe = await record_intake.take_in(
        session, settings, source="library", source_key="L-7", raw=DOUBT, model=cautious
    )
    assert maybe.decision is not None
    assert maybe.decision.outcome is Outcome.review
    return ana, maybe


async def _world(session: AsyncSession, settings: Settings) -> tuple[TakenIn, TakenIn]:
    records = await create_agency(session, slug="records", name="Records office")
    other = await create_agency(session, slug="parks", name="Parks")
    await create_staff(session, email="rita@city.example", agencies=[records])
    await create_staff(session, email="paul@city.example", agencies=[other])
    pair = await _pair(session, settings.model_copy(update={"match_review_agency": "records"}))
    await session.commit()
    return pair


async def test_a_doubtful_pair_is_confirmed_from_the_queue_and_the_people_merged(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    ana, maybe = await _world(session, settings)
    assert maybe.decision is not None
    decision_id, ana_id, maybe_id = maybe.decision.id, ana.citizen_id, maybe.citizen_id
    item = await session.get_one(WorkItem, maybe.decision.work_item_id)
    item_id = item.id
    assert (item.kind, item.channel, item.status) == ("record_review", "task", WorkItemStatus.queued)
    assert item.sla_due_at is not None

    await sign_in_staff(client, "rita@city.example")
    listing = await client.get("/desk/record-reviews")
    assert listing.status_code == 200
    assert f"/desk/record-reviews/{decision_id}" in listing.text
    page = await client.get(f"/desk/record-reviews/{decision_id}")
    assert page.status_code == 200
    assert "Avenue du Parc" in page.text
    assert "Rue Principale" in page.text
    assert 'data-field="birth_date"' in page.text
    assert "one digit different" in page.text
    await session.commit()  # a fresh snapshot: the page committed its audit in its own session
    reads = (await session.execute(select(AuditEntry).where(AuditEntry.action == "record_review.read"))).scalars()
    assert {r.citizen_id for r in reads} == {ana_id, maybe_id}

    no_reason = await client.post(f"/desk/record-reviews/{decision_id}/confirm", data={"reason": " "})
    assert no_reason.status_code == 422
    assert "Say why" in no_reason.text
    done = await client.post(f"/desk/record-reviews/{decision_id}/confirm", data={"reason": "Same email at the desk"})
    assert done.status_code == 303
    await session.commit()  # a fresh snapshot after the request
    session.expire_all()
    merged = await session.get_one(Citizen, maybe_id)
    assert (merged.status, merged.merged_into_id) == (CitizenStatus.merged, ana_id)
    merge = (await session.execute(select(CitizenMerge))).scalar_one()
    assert (merge.source, merge.reason) == ("review", "Same email at the desk")
    decision = await session.get_one(MatchDecision, decision_id)
    assert (decision.outcome, decision.decided_by_kind) == (Outcome.confirmed, "staff")
    assert (await session.get_one(WorkItem, item_id)).status is WorkItemStatus.done
    again = await client.post(f"/desk/record-reviews/{decision_id}/confirm", data={"reason": "twice"})
    assert again.status_code == 422
    assert "already decided" in again.text


async def test_a_rejected_pair_is_remembered_and_never_queued_again(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    ana, maybe = await _world(session, settings)
    assert maybe.decision is not None
    await sign_in_staff(client, "rita@city.example")
    done = await client.post(f"/desk/record-reviews/{maybe.decision.id}/reject", data={"reason": "Twins"})
    assert done.status_code == 303
    await session.commit()  # a fresh snapshot after the request
    session.expire_all()
    rejection = (await session.execute(select(MatchRejection))).scalar_one()
    assert {rejection.first_citizen_id, rejection.second_citizen_id} == {ana.citizen_id, maybe.citizen_id}
    # The library sends the record again, changed: it stays its own person and no review is queued.
    version, model = await store.in_force(session)
    cautious = (version, replace(model, thresholds=Thresholds(link=0.999999, review=0.2)))
    changed = dict(DOUBT, locality="Riverside")
    again = await record_intake.take_in(
        session, settings, source="library", source_key="L-7", raw=changed, model=cautious
    )
    assert again.citizen_id == maybe.citizen_id
    assert again.decision is not None
    assert again.decision.outcome is Outcome.separate
    queued = (await session.execute(select(WorkItem).where(WorkItem.kind == "record_review"))).scalars().all()
    assert [i.status for i in queued] == [WorkItemStatus.done]


async def test_a_review_is_seen_only_by_the_agency_it_is_queued_for(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    _, maybe = await _world(session, settings)
    assert maybe.decision is not None
    await sign_in_staff(client, "paul@city.example")
    assert f"{maybe.decision.id}" not in (await client.get("/desk/record-reviews")).text
    assert (await client.get(f"/desk/record-reviews/{maybe.decision.id}")).status_code == 404
    refused = await client.post(f"/desk/record-reviews/{maybe.decision.id}/confirm", data={"reason": "x"})
    assert refused.status_code == 404


async def test_an_automatic_link_is_explained_on_the_persons_linked_records(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_agency(session, slug="records", name="Records office")
    await create_staff(session, email="rita@city.example")
    ana = await record_intake.take_in(session, settings, source="revenue", source_key="R-1", raw=ANA)
    same = dict(ANA, given_name="ANA", birth_date="12/03/1984", email=None)
    linked = await record_intake.take_in(session, settings, source="transit", source_key="T-3", raw=same)
    assert linked.decision is not None
    assert linked.decision.outcome is Outcome.linked
    assert linked.citizen_id == ana.citizen_id
    await session.commit()
    await sign_in_staff(client, "rita@city.example")
    page = await client.get(f"/desk/citizens/{ana.citizen_id}/linked-records")
    assert page.status_code == 200
    section = page.text.split(f'id="record-{linked.record.id}"')[1].split("</section>")[0]
    assert "Linked by the model: match probability" in section
    assert "Why the model thinks these are the same person" in section
    assert 'data-field="birth_date"' in section
    assert 'data-field="email"' in section
    assert "missing on one side" in section


def test_every_sentence_of_the_pages_and_every_matcher_word_has_a_french_translation() -> None:
    web = Path(i18n.__file__).parent
    pages = ("record_reviews", "record_review", "linked_records", "_match_evidence")
    methods = [(f"templates/desk/{p}.html", "jinja2.ext:babel_extract") for p in pages]
    methods.append(("desk/record_reviews.py", "python"))
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {m for _f, _l, m, _c, _x in extract_from_dir(web, methods, options) if isinstance(m, str) and m}
    found |= {c.label for c in COMPARISONS} | {level.label for c in COMPARISONS for level in c.levels}
    found |= {o.value for o in Outcome}
    assert len(found) > 40
    with i18n.speaking("fr"):
        untranslated = sorted(m for m in found if i18n.gettext(m) == m)
    assert untranslated == []


async def test_the_review_page_speaks_french(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    _, maybe = await _world(session, settings)
    assert maybe.decision is not None
    await sign_in_staff(client, "rita@city.example")
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr", domain="testserver.local")
    page = (await client.get(f"/desk/record-reviews/{maybe.decision.id}")).text
    assert '<html lang="fr">' in page
    assert "Même personne : les fusionner" in page
    assert "un chiffre de différence" in page
    assert "Date de naissance" in page
