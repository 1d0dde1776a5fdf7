"""One person, one record: every source record about a person comes in here, from any door.

The model in force (with the jurisdiction's thresholds from settings) decides whose the record is; a pair
between the thresholds becomes a work item in the universal queue for the records team, with its own SLA,
unless the same two people are already waiting for a decision. Never commits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies import service as agencies
from townsquare.citizens.models import Citizen, Identity, IdentityKind
from townsquare.clock import utcnow
from townsquare.matching import files, intake, realtime, store
from townsquare.matching.intake import TakenIn
from townsquare.matching.model import MatchModel, Thresholds
from townsquare.matching.models import MatchDecision, Outcome
from townsquare.routing import service as routing
from townsquare.routing.models import WorkItem
from townsquare.settings import Settings
from townsquare.sharing.records import IncomingRecord

REVIEW_CHANNEL = "task"
REVIEW_KIND = "record_review"


async def model_in_force(session: AsyncSession, settings: Settings) -> tuple[int, MatchModel]:
    """The stored (or shipped) model, with the thresholds the jurisdiction set in its settings."""
    version, model = await store.in_force(session)
    link = settings.match_link_threshold or model.thresholds.link
    review = settings.match_review_threshold if settings.match_review_threshold is not None else model.thresholds.review
    if (link, review) == (model.thresholds.link, model.thresholds.review):
        return version, model
    return version, replace(model, thresholds=Thresholds(link=link, review=min(review, link)))


async def _waiting(session: AsyncSession, decision: MatchDecision) -> bool:
    """Whether the same two people already wait for a review (either way round)."""
    a, b = decision.citizen_id, decision.candidate_citizen_id
    query = select(MatchDecision.id).where(
        MatchDecision.outcome == Outcome.review,
        MatchDecision.id != decision.id,
        MatchDecision.work_item_id.is_not(None),
        or_(
            and_(MatchDecision.citizen_id == a, MatchDecision.candidate_citizen_id == b),
            and_(MatchDecision.citizen_id == b, MatchDecision.candidate_citizen_id == a),
        ),
    )
    return (await session.execute(query.limit(1))).first() is not None


async def take_in(
    session: AsyncSession,
    settings: Settings,
    *,
    source: str,
    source_key: str,
    raw: Mapping[str, object],
    citizen_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    model: tuple[int, MatchModel] | None = None,
    unlinked_citizen_id: uuid.UUID | None = None,
    reviewable: bool = True,
) -> TakenIn:
    """Keep one source record, decide whose it is, and queue a review when the model is unsure."""
    taken = await intake.take_in(
        session,
        model or await model_in_force(session, settings),
        source=source,
        source_key=source_key,
        raw=raw,
        region=settings.default_region,
        citizen_id=citizen_id,
        received_at=received_at,
        unlinked_citizen_id=unlinked_citizen_id,
        reviewable=reviewable,
        household_rule=settings.match_household_rule,
    )
    decision = taken.decision
    if decision is not None and decision.outcome is Outcome.review and not await _waiting(session, decision):
        decision.work_item_id = (await _review_item(session, settings, decision)).id
    await _bridges(session, settings, taken, reviewable=reviewable)
    return taken


async def _bridges(session: AsyncSession, settings: Settings, taken: TakenIn, *, reviewable: bool) -> None:
    """A record that links as surely to two people says they may be one: each such pair is left for review
    (never merged by the model), unless staff already said they are not."""
    if not taken.also or taken.decision is None:
        return
    refused = await realtime.rejected_with(session, taken.citizen_id)
    for other in taken.also:
        if other.citizen_id in refused:
            continue
        pair = MatchDecision(
            source_record_id=taken.record.id,
            citizen_id=taken.citizen_id,
            candidate_citizen_id=other.citizen_id,
            candidate_record_id=other.record_id,
            outcome=Outcome.review,
            probability=other.probability,
            weight=other.weight,
            evidence=other.evidence,
            model_version=taken.decision.model_version,
            reason="One record links as surely to both.",
        )
        session.add(pair)
        await session.flush()
        if reviewable and not await _waiting(session, pair):
            pair.work_item_id = (await _review_item(session, settings, pair)).id


HANDLES = {IdentityKind.phone: "phone", IdentityKind.email: "email"}
_CIVIC = re.compile(r"^\s*(\d+[A-Za-z]?)[\s,]+(.+)$")
_POSTCODE = re.compile(r"\b([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)\b")


def _address(text: str) -> dict[str, object]:
    """Civic number, street and postal code from an address written as lines ("12 Elm St\nToronto ON M5V 2T6")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out: dict[str, object] = {}
    civic = _CIVIC.match(lines[0]) if lines else None
    if civic:
        out |= {"street_number": civic.group(1), "street": civic.group(2)}
    postcode = _POSTCODE.search(text)
    if postcode:
        out["postcode"] = postcode.group(1) + postcode.group(2)
    return out


async def agency_record(
    session: AsyncSession, settings: Settings, *, agency_slug: str, record: IncomingRecord, citizen_id: uuid.UUID | None
) -> TakenIn | None:
    """An agency's record of a person, kept as a source record: its identifiers, and those of its values that
    say who the person is (an attribute named like a matcher field; an address). `citizen_id` is the person it
    is linked to by a proved identifier, if any; otherwise the model decides (the agency record's own link,
    which decides what may be shared, is never changed by the model)."""
    raw: dict[str, object] = {HANDLES[i.kind]: i.value for i in record.identifiers if i.kind in HANDLES}
    for code, value in record.values.items():
        name = files.field_for(code)
        if name is not None:
            raw[name] = value
        elif isinstance(value, str) and "\n" in value and "street" not in raw:
            raw |= _address(value)
    if not raw:
        return None
    return await take_in(
        session,
        settings,
        source=f"agency:{agency_slug}",
        source_key=record.external_id,
        raw=raw,
        citizen_id=citizen_id,
    )


async def first_contact(
    session: AsyncSession, settings: Settings, *, citizen: Citizen, identity: Identity, display_name: str | None
) -> Citizen:
    """A handle never seen before, whose provisional citizen was just made: when the records say whose it is
    (above the link threshold), the handle joins that person and the provisional citizen is dropped before it is
    ever committed. Either way the contact is kept as a source record. A doubtful match is not queued: a handle
    alone is too thin for a person's time. Returns the citizen the contact is from."""
    raw: dict[str, object] = {HANDLES[identity.kind]: identity.value}
    words = (display_name or "").split()
    if len(words) >= 2:
        raw |= {"given_name": words[0], "family_name": " ".join(words[1:])}
    taken = await take_in(
        session,
        settings,
        source=f"contact:{identity.kind.value}",
        source_key=identity.value,
        raw=raw,
        unlinked_citizen_id=citizen.id,
        reviewable=False,
    )
    if taken.citizen_id == citizen.id:
        return citizen
    identity.citizen_id = taken.citizen_id
    await session.flush()
    await session.delete(citizen)
    await session.flush()
    return await session.get_one(Citizen, taken.citizen_id)


async def _review_item(session: AsyncSession, settings: Settings, decision: MatchDecision) -> WorkItem:
    agency = await agencies.default_agency(session, slug=settings.match_review_agency or settings.default_agency)
    names = []
    for citizen_id in (decision.citizen_id, decision.candidate_citizen_id):
        citizen = await session.get(Citizen, citizen_id) if citizen_id else None
        names.append((citizen.display_name if citizen else None) or "(no name)")
    return await routing.create(
        session,
        channel=REVIEW_CHANNEL,
        kind=REVIEW_KIND,
        agency_id=agency.id,
        received_at=utcnow(),
        citizen_id=decision.citizen_id,
        sla_target_hours=settings.match_review_sla_hours,
        priority=25,
        context={
            "summary": f"Same person? {names[0]} / {names[1]}",
            "match_decision_id": str(decision.id),
            "probability": round(decision.probability or 0.0, 4),
        },
    )
