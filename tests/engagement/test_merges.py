"""Merging two records of one person loses nothing, keeps clashing rows side by side, and undoes bit for bit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from tests.support.people import QUIET, Shared, owners, person, shared, snapshot
from townsquare.citizens.models import Citizen, CitizenMerge, CitizenStatus
from townsquare.engagement import merge_rows, merges
from townsquare.engagement.merge_rows import REFERENCES, Rule
from townsquare.errors import Problem
from townsquare.events import CitizensMerged, CitizensUnmerged, queued_events
from townsquare.staff.models import AuditEntry

# Rows both people hold under one unique key: they stay with the merged person, listed as kept.
CLASHING = {"case_followers", "notification_opt_outs", "declared_values", "citizen_totp", "drafts"}
STAYING = {name for (name, _), rule in REFERENCES.items() if rule is Rule.stays}


@pytest.fixture
async def where(session: AsyncSession) -> Shared:
    agency = await create_agency(session, slug="city-works", contact=("sms", "+16135550100"))
    service = await create_service(session, agency=agency)
    return await shared(session, agency=agency, service=service)


async def two_people(session: AsyncSession, where: Shared) -> tuple[Citizen, Citizen]:
    survivor, _ = await person(
        session, where, name="Maria Lopez", phone="+16135550111", email="maria@example.org", tag="s", number=100001
    )
    merged, _ = await person(
        session, where, name="M. Lopez", phone="+16135550122", email="ml@example.org", tag="m", number=100002
    )
    survivor.language, merged.language = "en", "fr"
    merged.quiet_hours_start, merged.quiet_hours_end = QUIET
    merged.given_name = "Maria"
    await session.flush()
    return survivor, merged


def test_every_reference_to_a_citizen_is_classified() -> None:
    """A new foreign key to citizens.id fails here until `merge_rows.REFERENCES` says whether it moves."""
    assert set(merge_rows.references()) == set(REFERENCES)


async def test_every_table_that_names_a_citizen_has_a_row_of_each_person(session: AsyncSession, where: Shared) -> None:
    survivor, merged = await two_people(session, where)
    shot = await snapshot(session, survivor.id, merged.id)
    tables = {name for name, _ in shot}
    assert {name for name, _ in merge_rows.references()} - tables == {"citizen_merges"}


async def test_a_merge_moves_everything_but_the_clashes_and_an_undo_restores_both_bit_for_bit(
    session: AsyncSession, where: Shared
) -> None:
    survivor, merged = await two_people(session, where)
    before = await snapshot(session, survivor.id, merged.id)

    record = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind="staff",
        actor_id="agent-1",
        reason="Same person, two phones",
        source="staff",
        chosen={"display_name": "merged"},
    )
    during = await snapshot(session, survivor.id, merged.id)
    for (name, key), row in before.items():
        now = during[(name, key)]
        if name == "citizens":
            continue
        if row.get("citizen_id") == merged.id and name not in CLASHING | STAYING:
            assert now["citizen_id"] == survivor.id, name
            assert {k: v for k, v in now.items() if k != "citizen_id"} == {
                k: v for k, v in row.items() if k != "citizen_id"
            }, f"{name}: only the citizen changes"
        elif name != "citizen_totp":
            assert now == row, f"{name} {key} should not have changed"
    as_stored = during[("citizens", (merged.id,))]
    assert (as_stored["status"], as_stored["merged_into_id"]) == (CitizenStatus.merged, survivor.id)
    assert during[("citizens", (survivor.id,))]["display_name"] == "M. Lopez"
    kept = {g["table"] for g in record.detail["kept"]}
    assert kept == CLASHING
    gone = {name for name, _ in during} - {name for name, _ in before}
    assert gone == {"citizen_merges"}
    totp = owners(during, "citizen_totp")
    assert sorted(map(str, totp.values())) == sorted([str(survivor.id), str(merged.id)])  # side by side

    merged_row = await session.get_one(Citizen, merged.id)
    survivor_row = await session.get_one(Citizen, survivor.id)
    assert merged_row.status is CitizenStatus.merged
    assert merged_row.merged_into_id == survivor.id
    assert survivor_row.display_name == "M. Lopez"
    assert survivor_row.language == "en"  # its own, unless chosen
    assert survivor_row.given_name == "Maria"  # it had none: filled from the merged record
    assert (survivor_row.quiet_hours_start, survivor_row.quiet_hours_end) == QUIET
    fields = record.detail["fields"]
    assert fields["display_name"] == {"survivor": "Maria Lopez", "merged": "M. Lopez", "kept": "merged"}
    assert fields["language"] == {"survivor": "en", "merged": "fr", "kept": "survivor"}

    undone = await merges.unmerge(
        session, merge_id=record.id, actor_kind="staff", actor_id="agent-2", reason="Two different people"
    )
    assert undone.undone_at is not None
    assert undone.undone_by == "staff:agent-2"
    after = await snapshot(session, survivor.id, merged.id)
    assert {k: v for k, v in after.items() if k[0] != "citizen_merges"} == before


async def test_a_merge_and_its_undo_are_on_both_peoples_logs_and_announced(
    session: AsyncSession, where: Shared
) -> None:
    survivor, merged = await two_people(session, where)
    record = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind="staff",
        actor_id="agent-1",
        reason="Same person",
        source="review",
    )
    await merges.unmerge(session, merge_id=record.id, actor_kind="staff", actor_id="agent-1", reason="Not the same")
    entries = (await session.execute(select(AuditEntry).where(AuditEntry.subject_id == str(record.id)))).scalars()
    seen = sorted((e.action, str(e.citizen_id)) for e in entries)
    people = sorted([str(survivor.id), str(merged.id)])
    assert seen == sorted([(CitizensMerged.name, p) for p in people] + [(CitizensUnmerged.name, p) for p in people])
    published = [type(e) for e in queued_events(session.sync_session)]
    assert CitizensMerged in published
    assert CitizensUnmerged in published


async def test_refusals_say_what_to_do(session: AsyncSession, where: Shared) -> None:
    survivor, merged = await two_people(session, where)
    third, _ = await person(
        session, where, name="Ana Diaz", phone="+16135550133", email="ana@example.org", tag="t", number=100003
    )

    async def attempt(survivor_id: uuid.UUID, merged_id: uuid.UUID) -> CitizenMerge:
        return await merges.merge(
            session,
            survivor_id=survivor_id,
            merged_id=merged_id,
            actor_kind="staff",
            actor_id="agent-1",
            reason="r",
            source="staff",
        )

    with pytest.raises(Problem, match="themselves"):
        await attempt(survivor.id, survivor.id)
    with pytest.raises(Problem, match="A choice names a person field"):
        await merges.merge(
            session,
            survivor_id=survivor.id,
            merged_id=merged.id,
            actor_kind="staff",
            actor_id="a",
            reason="r",
            source="staff",
            chosen={"shoe_size": "merged"},
        )
    first = await attempt(survivor.id, merged.id)
    with pytest.raises(Problem, match="already merged"):
        await attempt(third.id, merged.id)
    with pytest.raises(Problem, match="merge into that record instead"):
        await attempt(merged.id, third.id)
    later = await attempt(third.id, survivor.id)  # the survivor is itself merged later
    with pytest.raises(Problem, match="undo that merge first") as refused:
        await merges.unmerge(session, merge_id=first.id, actor_kind="staff", actor_id="a", reason="r")
    assert str(later.id) in refused.value.detail
    await merges.unmerge(session, merge_id=later.id, actor_kind="staff", actor_id="a", reason="r")
    await merges.unmerge(session, merge_id=first.id, actor_kind="staff", actor_id="a", reason="r")
    with pytest.raises(Problem, match="already undone"):
        await merges.unmerge(session, merge_id=first.id, actor_kind="staff", actor_id="a", reason="r")


async def test_an_undo_waits_for_a_later_merge_into_the_same_survivor(session: AsyncSession, where: Shared) -> None:
    survivor, merged = await two_people(session, where)
    third, _ = await person(
        session, where, name="Ana Diaz", phone="+16135550133", email="ana@example.org", tag="t", number=100003
    )
    first = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind="staff",
        actor_id="a",
        reason="r",
        source="staff",
    )
    second = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=third.id,
        actor_kind="staff",
        actor_id="a",
        reason="r",
        source="staff",
    )
    with pytest.raises(Problem, match="undo it first") as refused:
        await merges.unmerge(session, merge_id=first.id, actor_kind="staff", actor_id="a", reason="r")
    assert str(second.id) in refused.value.detail
    history = await merges.history(session, citizen_id=survivor.id)
    assert {m.id for m in history} == {first.id, second.id}


async def test_each_persons_access_log_says_their_records_were_joined_and_separated(
    session: AsyncSession, where: Shared
) -> None:
    from townsquare.residents import access_log
    from townsquare.web.portal.access_log import action_label

    survivor, merged = await two_people(session, where)
    record = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind="staff",
        actor_id=None,
        reason="r",
        source="staff",
    )
    await merges.unmerge(session, merge_id=record.id, actor_kind="staff", actor_id=None, reason="r")
    for citizen_id in (survivor.id, merged.id):
        page = await access_log.page(session, citizen_id=citizen_id, filters=access_log.Filters())
        labels = {action_label(e.action) for e in page.entries if e.action.startswith("citizen.")}
        assert labels == {"Separated two records that had been joined", "Joined two records of yours into one"}


async def test_an_undo_keeps_what_changed_since_and_passes_over_what_is_gone(
    session: AsyncSession, where: Shared
) -> None:
    from sqlalchemy import delete

    from townsquare.notify.push.models import PushSubscription

    survivor, merged = await two_people(session, where)
    record = await merges.merge(
        session,
        survivor_id=survivor.id,
        merged_id=merged.id,
        actor_kind="staff",
        actor_id="a",
        reason="r",
        source="staff",
        chosen={"display_name": "merged", "language": "merged"},
    )
    survivor.language = "es"  # the person changed it while merged: theirs now, the undo leaves it
    gone = merges.moved(record, "push_subscriptions")
    await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))  # they turned it off
    undone = await merges.unmerge(session, merge_id=record.id, actor_kind="staff", actor_id="a", reason="r")
    assert survivor.display_name == "Maria Lopez"
    assert survivor.language == "es"
    assert undone.detail["undo"]["survivor_changed_since"] == ["language"]
    returned = {g["table"] for g in undone.detail["undo"]["returned"]}
    assert "push_subscriptions" not in returned
    assert "identities" in returned
