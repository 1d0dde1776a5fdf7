"""The phone menu as a pure state machine: state + what the caller keyed or said → next state and actions."""

from __future__ import annotations

import pytest

from townsquare.engagement import phone_menu as m

KNOWN = m.CallFacts(has_offer=True, can_call_back=True, assistant=True)
HIDDEN = m.CallFacts(has_offer=False, can_call_back=False, assistant=False)


@pytest.mark.parametrize(
    ("digits", "speech", "expected"),
    [
        ("1", "", (m.Note("1:case-status"), m.OfferStatus())),
        ("2", "", (m.Note("2:reference"), m.AskReference(m.At("en")))),
        ("3", "", (m.Note("3:voicemail"), m.TakeVoicemail())),
        ("4", "", (m.Note("4:callback"), m.CallBack())),
        ("0", "", (m.ToPerson("0:agent"),)),
        ("9", "", (m.Note("9:fr"), m.Menu(m.At("fr")))),
        ("", "option three please", (m.Note("3:voicemail"), m.TakeVoicemail())),
        ("", "agent", (m.ToPerson("0:agent"),)),
        (
            "",
            "When is the green bin collected on my street?",
            (m.Converse("When is the green bin collected on my street?"),),
        ),
    ],
)
def test_each_menu_key_or_spoken_choice_leads_to_its_step(digits: str, speech: str, expected: tuple[m.Action]) -> None:
    assert m.at_menu(m.At("en"), KNOWN, digits=digits, speech=speech) == expected


def test_what_the_caller_cannot_have_is_an_invalid_answer_with_the_reason_said() -> None:
    # No open case to offer, no number to call back, no assistant: 1 asks for a reference (the status of a request
    # is always 1), 4 is not a choice, words are not requests.
    assert m.at_menu(m.At("en"), HIDDEN, digits="1", speech="") == (
        m.Note("1:reference"),
        m.AskReference(m.At("en")),
    )
    assert m.at_menu(m.At("en"), HIDDEN, digits="4", speech="") == (
        m.Note("invalid"),
        m.Menu(m.At("en", 1), ("callback_hidden",)),
    )
    assert m.at_menu(m.At("fr"), HIDDEN, digits="", speech="bonjour je voudrais savoir") == (
        m.Note("invalid"),
        m.Menu(m.At("fr", 1), ("sorry_input",)),
    )


def test_the_third_unusable_answer_goes_to_a_person_and_french_switches_back() -> None:
    at = m.At("en")
    for _ in range(m.MAX_TRIES - 1):
        *_, last = m.at_menu(at, HIDDEN, digits="7", speech="")
        assert isinstance(last, m.Menu)
        at = last.at
    assert m.at_menu(at, HIDDEN, digits="7", speech="") == (
        m.Note("invalid"),
        m.ToPerson("0:agent", ("to_person_after_tries",)),
    )
    assert m.at_menu(m.At("fr", 2), HIDDEN, digits="9", speech="") == (m.Note("9:en"), m.Menu(m.At("en")))


def test_a_reference_is_found_or_asked_again_then_given_up_on() -> None:
    assert m.at_reference(m.At("en"), known="TS-2026-000123") == (
        m.Note("2:case-status"),
        m.CaseStatus("TS-2026-000123"),
    )
    assert m.at_reference(m.At("en"), known=None) == (
        m.Note("2:not-found"),
        m.AskReference(m.At("en", 1), ("bad_reference",)),
    )
    assert m.at_reference(m.At("en", m.MAX_TRIES - 1), known=None) == (
        m.Note("2:not-found"),
        m.Menu(m.At("en"), ("bad_reference", "back_to_menu")),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026000123", "TS-2026-000123"),
        ("000123", "TS-2027-000123"),
        ("T S 2026 000 123", "TS-2026-000123"),
        ("12345", None),
        ("", None),
    ],
)
def test_references_are_read_from_keyed_or_spoken_digits(raw: str, expected: str | None) -> None:
    assert m.parse_reference(raw, prefix="TS", year=2027) == expected


def test_answers_to_the_assistant_are_keys_or_words_and_silence_is_the_menu() -> None:
    assert m.at_assistant(m.At("en"), KNOWN, digits="1", speech="") == (m.Converse("yes"),)
    assert m.at_assistant(m.At("en"), KNOWN, digits="2", speech="") == (m.Converse("no"),)
    assert m.at_assistant(m.At("en"), KNOWN, digits="", speech="my date of birth is 3 May") == (
        m.Converse("my date of birth is 3 May"),
    )
    assert m.at_assistant(m.At("fr"), KNOWN, digits="", speech="") == (m.Menu(m.At("fr"), ("back_to_menu",)),)


def test_the_waiting_room_keeps_its_place_as_a_call_back_or_lets_the_caller_hold() -> None:
    assert m.while_waiting(digits="1", facts=KNOWN) == (m.Note("queue:1:callback"), m.CallBack(leave_queue=True))
    assert m.while_waiting(digits="1", facts=HIDDEN) == (m.KeepHolding(),)
    assert m.while_waiting(digits="5", facts=KNOWN) == (m.KeepHolding(),)
    assert m.left_queue(result="queue-full") == (m.TakeVoicemail(("queue_busy",)),)
    assert m.left_queue(result="hangup") == (m.HangUp(silently=True),)
    assert m.left_queue(result="bridged") == (m.HangUp(),)


def test_five_books_an_appointment_only_on_a_line_that_books_them() -> None:
    booking = m.CallFacts(has_offer=False, can_call_back=True, assistant=False, can_book=True)

    assert m.at_menu(m.At("en"), booking, digits="5", speech="") == (m.Note("5:appointment"), m.OfferTimes())
    assert m.at_menu(m.At("fr"), booking, digits="", speech="rendez-vous") == (m.Note("5:appointment"), m.OfferTimes())
    assert m.at_menu(m.At("en"), KNOWN, digits="5", speech="") == (
        m.Note("invalid"),
        m.Menu(m.At("en", 1), ("sorry_input",)),
    )


def test_a_time_read_out_is_chosen_by_its_number_and_anything_else_goes_back() -> None:
    assert m.at_times(m.At("en"), digits="2", speech="", offered=3) == 2
    assert m.at_times(m.At("en"), digits="", speech="three", offered=3) == 3
    assert m.at_times(m.At("en"), digits="0", speech="", offered=3) == (m.ToPerson("appointment:agent"),)
    assert m.at_times(m.At("en"), digits="3", speech="", offered=2) == (
        m.Note("appointment:none"),
        m.Menu(m.At("en"), ("back_to_menu",)),
    )
