"""Intent detection: English and French, typos, language, and what each intent names."""

from __future__ import annotations

import pytest

from townsquare.assistant.intents import Intent, contact_in, detect, language_of
from townsquare.cases.service import reference_pattern

REFERENCES = reference_pattern("TS")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want to talk to a person", Intent.talk_to_person),
        ("Can I speak with an agent please", Intent.talk_to_person),
        ("agent", Intent.talk_to_person),
        ("HUMAN!", Intent.talk_to_person),
        ("tlak to a persn", Intent.talk_to_person),  # typos
        ("speek with an agnet", Intent.talk_to_person),
        ("Je veux parler à quelqu'un", Intent.talk_to_person),
        ("parler a un agent", Intent.talk_to_person),
        ("Je voudrais parler à une vraie personne", Intent.talk_to_person),
        ("What's the status of my request?", Intent.case_status),
        ("where is my application", Intent.case_status),
        ("stauts of my aplication", Intent.case_status),
        ("Où en est mon dossier?", Intent.case_status),
        ("ou en est mon dosier", Intent.case_status),
        ("ts-2026-000123", Intent.case_status),
        ("I want to report a pothole on Elm St", Intent.start_application),
        ("how do I renew my dog licence", Intent.start_application),
        ("Je voudrais signaler un nid-de-poule", Intent.start_application),
        ("continue my application", Intent.continue_application),
        ("reprendre ma demande", Intent.continue_application),
        ("I need to book an appointment", Intent.appointment),
        ("can I make an appointment for my licence?", Intent.appointment),
        ("cancel my appointment", Intent.appointment),
        ("Je voudrais prendre un rendez-vous", Intent.appointment),
        ("déplacer mon rendez-vous", Intent.appointment),
        ("rdv", Intent.appointment),
        ("call me back", Intent.callback),
        ("Could someone call me tomorrow?", Intent.callback),
        ("Rappelez-moi svp", Intent.callback),
        ("Hello", Intent.greeting),
        ("Bonjour", Intent.greeting),
        ("thanks", Intent.thanks),
        ("merci beaucoup", Intent.thanks),
        ("When is garbage collected?", Intent.question),
        ("Quand passent les ordures?", Intent.question),
        ("I am tall to a degree", Intent.question),  # "tall" is not read as "talk"
        ("Did the tree fall back", Intent.question),  # "fall back" is not "call back"
        ("🙂", Intent.unknown),
    ],
)
def test_intents_in_both_languages_with_typos(text: str, intent: Intent) -> None:
    assert detect(text, reference_pattern=REFERENCES).intent is intent


def test_yes_and_no_are_answers_only_when_the_assistant_asked() -> None:
    for text in ("yes", "Yes!", "oui", "ok", "y"):
        assert detect(text, awaiting="feedback").intent is Intent.yes, text
    for text in ("no", "Nope", "non merci", "pas vraiment", "it didn't"):
        assert detect(text, awaiting="feedback").intent is Intent.no, text
    assert detect("yes").intent is Intent.question
    assert detect("no", awaiting=None).intent is Intent.question


def test_a_reference_is_found_anywhere_and_upper_cased() -> None:
    found = detect("hi, any news on ts-2026-000042 ?", reference_pattern=REFERENCES)
    assert (found.intent, found.reference) == (Intent.case_status, "TS-2026-000042")
    assert not found.asks_status
    assert detect("status of TS-2026-000042", reference_pattern=REFERENCES).asks_status


def test_what_to_apply_for_is_kept_for_the_service_search() -> None:
    assert detect("I want to report a pothole on Elm St").subject == "a pothole on elm st"
    assert detect("Je voudrais signaler un nid-de-poule").subject == "un nid-de-poule"
    assert detect("How can I apply for a parking permit?").subject == "a parking permit"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("When is my garbage collected?", "en"),
        ("Quand est-ce que les ordures sont ramassées?", "fr"),
        ("Où en est ma demande", "fr"),
        ("TS-2026-000123", None),
        ("ok", None),
    ],
)
def test_the_language_of_a_message(text: str, language: str | None) -> None:
    assert language_of(text) == language


def test_contacts_written_in_a_message() -> None:
    assert contact_in("it was maria@example.org thanks") == ("email", "maria@example.org")
    assert contact_in("my number is (613) 555-0142") == ("phone", "(613) 555-0142")
    assert contact_in("no idea") is None
