"""The soak's counting rules (bench/soak/counting.py), each on records made by hand: which contact a recorded row is,
what is lost or duplicated, offers in two hands at once, sends the provider got twice, the percentile, recovery.
"""

from __future__ import annotations

import math

from soak.counting import (
    Offer,
    OutboxRow,
    Receipt,
    Recorded,
    Sample,
    Sent,
    Summary,
    Tally,
    double_offers,
    double_sends,
    failed,
    lines,
    marker,
    marker_in,
    percentile,
    recovered_at,
    tally,
)


def test_a_marker_is_found_in_the_text_around_it() -> None:
    key = marker("ab12cd", 17)
    assert key == "soak-ab12cd-17"
    assert marker_in(f"Pothole by the bus stop ({key})") == key
    assert marker_in(f"Thank you ({marker('ab12cd', 3, 'r')})") == "soak-ab12cd-r3"
    assert marker_in("no marker here") is None


def test_rows_are_counted_by_marker_or_by_provider_id_and_the_rest_left_out() -> None:
    sent = [Sent("soak-run1-0", "sms"), Sent("soak-run1-1", "voice", "CA1"), Sent("soak-run1-2", "email")]
    rows = [
        Recorded("sms", "SM0", "light out (soak-run1-0)"),
        Recorded("voice", "CA1", ""),
        Recorded("voice", "CA1:said:x", "later words of the call"),
        Recorded("chat", "d:1", "someone else (soak-other-5)"),
    ]
    assert tally(sent, rows) == Tally(sent=3, recorded=2, lost=1, duplicated=0, lost_keys=("soak-run1-2",))


def test_each_row_past_a_contacts_first_is_a_duplicate() -> None:
    sent = [Sent("soak-run1-0", "sms"), Sent("soak-run1-1", "api")]
    rows = [Recorded("api", None, "pothole (soak-run1-1)")] * 3 + [Recorded("sms", "SM0", "(soak-run1-0)")]
    counted = tally(sent, rows)
    assert (counted.recorded, counted.lost, counted.duplicated) == (2, 0, 2)
    assert counted.duplicated_keys == ("soak-run1-1",)


def test_an_offer_made_while_another_of_the_item_is_open_is_a_double_offer() -> None:
    offers = [
        Offer("a", "x", 1.0, 5.0),
        Offer("a", "y", 5.0, None),  # released at the very moment the next is made: fine
        Offer("b", "x", 1.0, None),
        Offer("b", "y", 3.0, 4.0),  # the first one was never released
        Offer("c", "x", 1.0, 9.0),
        Offer("c", "y", 2.0, 3.0),
        Offer("c", "z", 4.0, 5.0),  # one item is counted once however many overlap
    ]
    assert double_offers(offers) == 2
    assert double_offers([]) == 0


def test_a_second_request_while_the_first_is_answered_or_after_the_row_was_sent_is_a_double_send() -> None:
    rows = [OutboxRow("k1", 10.0), OutboxRow("k2", 10.0), OutboxRow("k3", 20.0), OutboxRow("k4", None)]
    receipts = [
        Receipt("k1", 1.0, 1.5),
        Receipt("k1", 1.2, 1.6),  # two holders at once
        Receipt("k2", 1.0, 1.1),
        Receipt("k2", 11.0, 11.1),  # the row was recorded sent at 10
        Receipt("k3", 1.0, 1.1),
        Receipt("k3", 15.0, 15.1),  # the first attempt's outcome was never written: a resend
        Receipt("k4", 1.0, 1.1),
    ]
    sends = double_sends(receipts, rows)
    assert (sends.double, sends.resent, sends.unmatched, sends.double_keys) == (2, 1, 0, ("k1", "k2"))


def test_requests_for_no_row_or_for_a_key_rows_share_are_not_attributed() -> None:
    rows = [OutboxRow("same", 5.0), OutboxRow("same", 6.0)]
    sends = double_sends([Receipt("same", 1.0, 1.1), Receipt("ghost", 2.0, 2.1)], rows)
    assert (sends.double, sends.resent, sends.unmatched) == (0, 0, 2)


def test_the_percentile_is_the_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 99))


def test_recovery_waits_for_readiness_the_outbox_and_the_acknowledgements() -> None:
    samples = [
        Sample(9.0, True, None),  # before the action was done: not counted
        Sample(11.0, False, None),
        Sample(12.0, True, 9.5),  # a message due at the event is still waiting
        Sample(13.0, True, 12.5),
        Sample(14.0, True, None),
    ]
    assert recovered_at(10.0, 10.5, samples, acked=[11.0]) == 13.0
    assert recovered_at(10.0, 10.5, samples, acked=[13.5]) == 13.5
    assert recovered_at(10.0, 20.0, samples, acked=[]) is None


def summary(**changes: object) -> Summary:
    base: dict[str, object] = {
        "tally": Tally(sent=10, recorded=10, lost=0, duplicated=0),
        "double_offers": 0,
        "sends": double_sends([], []),
        "chat_delivered": 4,
        "chat_p99_ms": 123.4,
        "recovery_s": 7.3,
    }
    return Summary(**(base | changes))  # type: ignore[arg-type]


def test_the_figures_are_printed_one_per_line_as_documented() -> None:
    assert lines(summary()) == [
        "sent: 10",
        "recorded: 10",
        "lost: 0",
        "duplicated: 0",
        "double offers: 0",
        "double sends: 0",
        "cross-process chat: 4 delivered, p99 123 ms",
        "recovery: 7.3 s",
    ]
    assert failed(summary()) == []


def test_the_soak_fails_on_any_loss_duplicate_double_no_chat_or_no_recovery() -> None:
    assert failed(summary(tally=Tally(10, 9, 1, 0))) == ["lost: 1"]
    assert failed(summary(double_offers=2)) == ["double offers: 2"]
    assert failed(summary(chat_delivered=0, chat_p99_ms=math.nan)) == [
        "no chat reply reached a device on another process"
    ]
    assert failed(summary(recovery_s=None)) == ["the cluster did not recover from every chaos event within the bound"]
    assert lines(summary(chat_delivered=0, chat_p99_ms=math.nan, recovery_s=None))[-2:] == [
        "cross-process chat: 0 delivered, p99 n/a ms",
        "recovery: n/a s",
    ]
