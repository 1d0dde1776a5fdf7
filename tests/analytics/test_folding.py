"""The folding rules of docs/analytics.md on touches in memory: contacts, journeys, repeats, switches, avoidable
contacts and first-contact resolution, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from townsquare.analytics.config import AnalyticsConfig
from townsquare.analytics.folding import Fold, FoldTouch
from townsquare.analytics.touches import ANSWERED, FAILED
from townsquare.db import new_id

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PERSON, SERVICE, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def touch(minutes: float, channel: str, **fields: Any) -> FoldTouch:
    values: dict[str, Any] = {"service_id": SERVICE} | fields
    return FoldTouch(id=new_id(), citizen_id=PERSON, occurred_at=T0 + timedelta(minutes=minutes), channel=channel,
                     **values)  # fmt: skip


def fold(*touches: FoldTouch, window_days: int = 7) -> Fold:
    folding = Fold(AnalyticsConfig(window_days=window_days))
    for t in touches:
        folding.add(t)
    return folding


def test_a_chats_messages_are_one_contact_until_a_long_pause() -> None:
    chat = uuid.uuid4()
    touches = [touch(m, "chat", conversation_id=chat) for m in (0, 5, 20, 80)]
    folding = fold(*touches)
    assert [t.contact_start for t in touches] == [True, False, False, True]
    (journey,) = folding.created
    assert (journey.contacts, journey.repeats, journey.switches) == (2, 1, 0)


def test_a_web_visit_then_a_call_that_opens_a_case_is_one_journey_and_an_avoidable_contact() -> None:
    case = uuid.uuid4()
    web, call = touch(0, "web"), touch(60, "voice", case_id=case)
    folding = fold(web, call, touch(60 * 24 * 30, "sms", case_id=case, service_id=None))
    (journey,) = folding.created
    assert journey.case_id == case
    assert (journey.contacts, journey.avoidable, journey.switches, journey.repeats) == (3, 1, 2, 1)
    assert call.avoidable
    assert journey.fcr is False


def test_different_needs_and_contacts_beyond_the_window_are_different_journeys() -> None:
    folding = fold(touch(0, "email"), touch(10, "email", service_id=OTHER), touch(60 * 24 * 8, "email"))
    assert len(folding.created) == 3
    assert all(j.repeats == 0 and j.fcr is None for j in folding.created)  # decided when the window passes


def test_a_failed_first_contact_is_never_resolved_at_first_contact() -> None:
    chat = uuid.uuid4()
    first = touch(0, "chat", conversation_id=chat, service_id=None, subject="article:1", self_service=ANSWERED)
    then = touch(2, "chat", conversation_id=chat, service_id=None, subject="article:1", self_service=FAILED)
    (journey,) = fold(first, then).created
    assert (journey.contacts, journey.first_failed, journey.fcr) == (1, True, False)
    assert journey.outcome_at == first.occurred_at  # the answer was an outcome, though it did not settle it
