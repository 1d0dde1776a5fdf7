"""A contact from a handle never seen before is scored against the people already known before it becomes a new
provisional person: when a register says whose the number or address is (strongly enough), the contact joins
that person; otherwise a new person is made, and no review is queued for a handle alone."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import count, create_agency
from townsquare.app import Runtime
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.engagement import record_intake
from townsquare.engagement.messages import InboundMessage, Sender
from townsquare.interactions.models import Channel, Conversation
from townsquare.matching.models import MatchDecision, Outcome, SourceRecord
from townsquare.routing.models import WorkItem

ANA = {"given_name": "Ana", "family_name": "Tremblay", "birth_date": "1984-03-12", "street": "Rue Principale",
       "postcode": "H2X 1Y4", "email": "ana.tremblay@example.org", "phone": "+15145550142"}  # fmt: skip


async def test_an_email_from_an_address_a_register_holds_joins_that_person(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        ana = await record_intake.take_in(s, runtime.settings, source="revenue", source_key="R-1", raw=ANA)
        await s.commit()
    message = InboundMessage(
        channel=Channel.email,
        text="Where is my refund?",
        sender=Sender(IdentityKind.email, "Ana.Tremblay@example.org", display_name="Ana Tremblay"),
        external_id="<m1@example.org>",
    )
    async with runtime.db.session() as s:
        await runtime.pipeline.ingest(s, message)
    async with runtime.db.session() as s:
        identity = (await s.execute(select(Identity).where(Identity.value == "ana.tremblay@example.org"))).scalar_one()
        assert identity.citizen_id == ana.citizen_id
        assert not identity.verified  # joined by the records, not proved: it still opens nothing of hers
        conversation = (await s.execute(select(Conversation))).scalar_one()
        assert conversation.citizen_id == ana.citizen_id
        assert await count(s, Citizen) == 1  # no provisional person was left behind
        contact = (await s.execute(select(SourceRecord).where(SourceRecord.source == "contact:email"))).scalar_one()
        decision = (
            await s.execute(select(MatchDecision).where(MatchDecision.source_record_id == contact.id))
        ).scalar_one()
        assert (decision.outcome, decision.citizen_id) == (Outcome.linked, ana.citizen_id)


async def test_a_number_nobody_holds_makes_a_new_person_and_a_thin_match_queues_nothing(runtime: Runtime) -> None:
    async with runtime.db.session() as s:
        await create_agency(s)
        ana = await record_intake.take_in(s, runtime.settings, source="revenue", source_key="R-1", raw=ANA)
        await s.commit()
    for n, number in enumerate(("+15145550142", "+18195550000")):  # her number (alone: doubtful), a stranger's
        message = InboundMessage(
            channel=Channel.sms, text="hello", sender=Sender(IdentityKind.phone, number), external_id=f"SM{n}"
        )
        async with runtime.db.session() as s:
            await runtime.pipeline.ingest(s, message)
    async with runtime.db.session() as s:
        owners = dict((await s.execute(select(Identity.value, Identity.citizen_id))).all())
        assert ana.citizen_id not in owners.values()
        assert owners["+15145550142"] != owners["+18195550000"]
        assert await count(s, WorkItem, WorkItem.kind == "record_review") == 0
        decisions = (
            await s.execute(
                select(MatchDecision.outcome)
                .join(SourceRecord, SourceRecord.id == MatchDecision.source_record_id)
                .where(SourceRecord.source == "contact:phone")
            )
        ).scalars()
        assert sorted(decisions) == [Outcome.separate, Outcome.separate]
