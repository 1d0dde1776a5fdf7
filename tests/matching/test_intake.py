"""Taking in source records on the real database: a record that names a known person joins them, one the model
is unsure of waits for staff as its own person, a stranger becomes a new person, the same record twice is one
row, a later version of a record stays with its person, and a pair staff rejected is never offered again."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import count, create_citizen, create_place
from tests.support.db import record_statements
from townsquare.app import Runtime
from townsquare.matching import intake, store
from townsquare.matching.model import MatchModel, Thresholds
from townsquare.matching.models import MatchDecision, MatchRejection, Outcome, SourceRecord

ANA = {
    "given_name": "Ana",
    "family_name": "Tremblay-Côté",
    "birth_date": "1984-03-12",
    "street_number": "1200",
    "street": "Rue Sainte-Catherine",
    "locality": "Vieux-Port",
    "postcode": "H2X 1Y4",
    "email": "ana.tremblay@example.org",
}


async def _model(session: AsyncSession) -> tuple[int, MatchModel]:
    return await store.in_force(session)


async def _strict(session: AsyncSession) -> tuple[int, MatchModel]:
    """The shipped model with a jurisdiction's cautious thresholds: only near-certain pairs link alone."""
    version, model = await store.in_force(session)
    return version, replace(model, thresholds=Thresholds(link=0.999999, review=0.2))


async def test_a_record_naming_a_known_person_joins_them_with_its_evidence(session: AsyncSession) -> None:
    model = await _model(session)
    first = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=ANA, region="CA")
    assert first.decision is not None
    assert first.decision.outcome is Outcome.separate
    again = dict(ANA, given_name="ana", family_name="Tremblay Cote", birth_date="12/03/1984", email=None)
    second = await intake.take_in(session, model, source="transit", source_key="T-9", raw=again, region="CA")
    assert second.citizen_id == first.citizen_id
    assert second.decision is not None
    assert second.decision.outcome is Outcome.linked
    assert second.decision.probability is not None
    assert second.decision.probability >= model[1].thresholds.link
    fields = {e["field"]: e for e in second.decision.evidence}
    assert fields["birth_date"]["level"] == "the same"
    assert fields["email"]["level"] == "missing on one side"
    assert fields["family_name"]["weight"] > 0


async def test_a_stranger_becomes_a_new_person_and_a_doubtful_pair_waits_for_review(session: AsyncSession) -> None:
    model = await _strict(session)
    ana = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=ANA, region="CA")
    stranger = {"given_name": "Bob", "family_name": "Nguyen", "birth_date": "1990-01-01", "postcode": "K1A 0B1"}
    other = await intake.take_in(session, model, source="revenue", source_key="R-2", raw=stranger, region="CA")
    assert other.citizen_id != ana.citizen_id
    assert other.decision is not None
    assert other.decision.outcome is Outcome.separate
    # Her name, a date of birth one digit off, another address: could be her after a move, could be a namesake.
    doubtful = {
        "given_name": "Ana",
        "family_name": "Tremblay-Côté",
        "birth_date": "1984-03-13",
        "street": "Rue Principale",
    }
    maybe = await intake.take_in(session, model, source="library", source_key="L-5", raw=doubtful, region="CA")
    assert maybe.decision is not None
    assert maybe.decision.outcome is Outcome.review, maybe.decision.probability
    assert maybe.citizen_id != ana.citizen_id
    assert maybe.decision.candidate_citizen_id == ana.citizen_id


async def test_the_same_record_twice_is_one_row_and_a_new_version_stays_with_its_person(session: AsyncSession) -> None:
    model = await _model(session)
    first = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=ANA, region="CA")
    repeat = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=dict(ANA), region="CA")
    assert repeat.repeated
    assert repeat.record.id == first.record.id
    assert await count(session, SourceRecord) == 1
    moved = dict(ANA, street_number="9", street="Avenue du Parc", postcode="H2V 4E6")
    update = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=moved, region="CA")
    assert not update.repeated
    assert update.citizen_id == first.citizen_id
    assert await count(session, SourceRecord) == 2
    assert update.record.fields["street"] == "Avenue du Parc"  # kept as received
    assert update.record.street == "avenueduparc"


async def test_a_new_version_joins_whoever_the_newest_linked_version_belongs_to_in_one_read(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        model = await _model(s)
        first, second = await create_citizen(s, name="Ana T"), await create_citizen(s, name="Ana C")
        for n, owner in enumerate((first, second)):
            raw = dict(ANA, street_number=str(n + 1))
            await intake.take_in(
                s, model, source="revenue", source_key="R-1", raw=raw, region="CA", citizen_id=owner.id
            )
        with record_statements(runtime.db.engine) as seen:
            third = await intake.take_in(s, model, source="revenue", source_key="R-1", raw=ANA, region="CA")
        assert third.citizen_id == second.id
        by_key = [q for q in seen.selects if "FROM source_records" in q and "source_key" in q]
        assert len(by_key) == 1, by_key
        repeat = await intake.take_in(s, model, source="revenue", source_key="R-1", raw=dict(ANA), region="CA")
        assert repeat.repeated
        assert repeat.record.id == third.record.id


async def test_a_pair_staff_rejected_is_never_offered_again(session: AsyncSession) -> None:
    model = await _strict(session)
    ana = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=ANA, region="CA")
    doubtful = {
        "given_name": "Ana",
        "family_name": "Tremblay-Côté",
        "birth_date": "1984-03-13",
        "street": "Rue Principale",
    }
    maybe = await intake.take_in(session, model, source="library", source_key="L-5", raw=doubtful, region="CA")
    assert maybe.decision is not None
    assert maybe.decision.outcome is Outcome.review
    first, second = sorted((ana.citizen_id, maybe.citizen_id))
    session.add(MatchRejection(first_citizen_id=first, second_citizen_id=second, decision_id=maybe.decision.id))
    await session.flush()
    renewed = dict(doubtful, locality="Vieux-Port")
    again = await intake.take_in(session, model, source="library", source_key="L-5", raw=renewed, region="CA")
    assert again.citizen_id == maybe.citizen_id
    assert again.decision is not None
    assert again.decision.outcome is Outcome.separate
    assert again.decision.candidate_citizen_id is None
    assert await count(session, MatchDecision, MatchDecision.outcome == Outcome.review) == 1


async def test_the_household_rule_never_links_relatives_who_share_everything_but_name_and_birth(
    session: AsyncSession,
) -> None:
    model = await _model(session)
    home = {"family_name": "Tremblay", "street_number": "1200", "street": "Rue Sainte-Catherine",
            "locality": "Vieux-Port", "postcode": "H2X 1Y4", "phone": "+15145550142"}  # fmt: skip
    ana = home | {"given_name": "Ana", "birth_date": "1961-07-30"}
    mother = await intake.take_in(session, model, source="revenue", source_key="R-1", raw=ana, region="CA")
    daughter = home | {"given_name": "Zoé", "birth_date": "1994-02-11"}
    kept = await intake.take_in(session, model, source="transit", source_key="T-1", raw=daughter, region="CA")
    assert kept.citizen_id != mother.citizen_id
    assert kept.decision is not None
    assert kept.decision.outcome is Outcome.review  # a person decides; the model never joins them
    assert kept.best is not None
    assert kept.best.vetoed
    son = home | {"given_name": "Luc", "birth_date": "1990-10-02"}
    without = await intake.take_in(session, model, source="library", source_key="L-1", raw=son, region="CA",
                                   household_rule=False)  # fmt: skip
    assert without.decision is not None
    assert without.decision.outcome is Outcome.linked  # field by field, a relative looks like the same person
    assert without.citizen_id in (mother.citizen_id, kept.citizen_id)


async def test_neighbours_whom_no_name_or_birth_date_joins_are_never_linked(session: AsyncSession) -> None:
    model = await _model(session)
    street = {"street": "Adelaide Street West", "locality": "Toronto", "postcode": "M5H 8X2"}
    alexis = street | {
        "given_name": "Alexis",
        "family_name": "Béland",
        "birth_date": "1977-07-19",
        "street_number": "109",
    }
    first = await intake.take_in(session, model, source="civil", source_key="C-1", raw=alexis, region="CA")
    alexandra = street | {
        "given_name": "Alexandra",
        "family_name": "Love",
        "birth_date": "1974-11-24",
        "street_number": "116",
    }
    second = await intake.take_in(session, model, source="civil", source_key="C-2", raw=alexandra, region="CA")
    assert second.citizen_id != first.citizen_id
    assert second.best is not None
    assert second.best.vetoed  # one street and postal code, and nothing of the person: a neighbour
    assert second.decision is not None
    assert second.decision.outcome is not Outcome.linked


async def test_an_address_is_compared_as_the_register_writes_it(session: AsyncSession) -> None:
    await create_place(
        session, address_id="A-1", address="101 Queen Street West", lat=43.65, long=-79.38, zipcode="M5H 2N2"
    )
    model = await _model(session)
    typed = {"given_name": "Ana", "family_name": "Roy", "street_number": "101", "street": "Quen St. W."}
    taken = await intake.take_in(session, model, source="library", source_key="L-1", raw=typed, region="CA")
    assert (taken.record.street_number, taken.record.street) == ("101", "queenstreetwest")
    assert taken.record.postcode == "M5H2N2"  # the register's, the record had none
    assert taken.record.fields["street"] == "Quen St. W."  # kept as received
    elsewhere = {"given_name": "Ana", "family_name": "Roy", "street_number": "7", "street": "Nowhere Road"}
    other = await intake.take_in(session, model, source="library", source_key="L-2", raw=elsewhere, region="CA")
    assert (other.record.street, other.record.postcode) == ("nowhereroad", None)  # not in the register: as written


async def test_a_neighbour_with_the_same_given_name_is_never_linked(session: AsyncSession) -> None:
    model = await _model(session)
    street = {"street": "York Street", "locality": "Toronto", "postcode": "M5J 6B3"}
    seguin = street | {
        "given_name": "Michelle",
        "family_name": "Séguin",
        "birth_date": "1994-02-12",
        "street_number": "110",
    }
    await intake.take_in(session, model, source="civil", source_key="C-1", raw=seguin, region="CA")
    fontaine = street | {
        "given_name": "Michelle",
        "family_name": "Fontaine",
        "birth_date": "1978-07-06",
        "street_number": "119",
    }
    taken = await intake.take_in(session, model, source="transit", source_key="T-1", raw=fontaine, region="CA")
    assert taken.best is not None
    assert taken.best.vetoed  # her name and birth date say another person, whatever the street says
    assert taken.decision is not None
    assert taken.decision.outcome is not Outcome.linked
