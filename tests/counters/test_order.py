"""The calling order, alone: a ticket sent to a counter first there, appointments from their time on ahead of
walk-ins, then priority, SLA and arrival; the line residents see is appointments due, then arrival."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from townsquare.counters.order import InLine, for_counter, in_line

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
COUNTER, OTHER = uuid.uuid4(), uuid.uuid4()


def _t(name: str, minutes_ago: int, **kw: object) -> InLine:
    return InLine(uuid.uuid5(uuid.NAMESPACE_DNS, name), NOW - timedelta(minutes=minutes_ago), **kw)  # type: ignore[arg-type]


def _names(tickets: list[InLine], named: dict[uuid.UUID, str]) -> list[str]:
    return [named[t.ticket_id] for t in tickets]


def test_an_appointment_is_called_ahead_of_walk_ins_from_its_booked_time_on() -> None:
    early = _t("early walk-in", 30)
    booked = _t("appointment at 10:05", 2, booked_for=NOW + timedelta(minutes=5))
    late = _t("late walk-in", 1)
    named = {early.ticket_id: "early", booked.ticket_id: "booked", late.ticket_id: "late"}
    before = for_counter([late, booked, early], COUNTER, NOW)
    assert _names(before, named) == ["early", "booked", "late"]  # before its time: a place by arrival
    at_time = for_counter([late, booked, early], COUNTER, NOW + timedelta(minutes=5))
    assert _names(at_time, named) == ["booked", "early", "late"]
    assert _names(in_line([late, booked, early], NOW + timedelta(minutes=6)), named) == ["booked", "early", "late"]


def test_a_ticket_sent_to_this_counter_comes_first_and_one_sent_elsewhere_is_not_offered() -> None:
    plain = _t("plain", 40)
    mine = _t("mine", 1, target_counter_id=COUNTER)
    theirs = _t("theirs", 50, target_counter_id=OTHER)
    urgent = _t("urgent", 5, priority=90)
    named = {plain.ticket_id: "plain", mine.ticket_id: "mine", theirs.ticket_id: "theirs", urgent.ticket_id: "urgent"}
    assert _names(for_counter([plain, mine, theirs, urgent], COUNTER, NOW), named) == ["mine", "urgent", "plain"]
