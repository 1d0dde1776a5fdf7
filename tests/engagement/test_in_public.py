"""The rule for what the city may say in public: every kind of personal data is removed, in English and French,
wherever it sits in a sentence; ordinary words (streets without a house number, dates, small numbers, the city's
own help pages) stay; the first answer alone is public; a long answer is cut so the mention and the offer arrive."""

from __future__ import annotations

import pytest

from townsquare.engagement.in_public import fit, redact, visibility

PERSONAL = [
    ("phone", "613-555-0142"),
    ("phone", "(613) 555-0142"),
    ("phone", "+1 613 555 0142"),
    ("phone", "6135550142"),
    ("phone", "613.555.0142"),
    ("phone", "1-800-555-0199"),
    ("phone", "+33 1 23 45 67 89"),
    ("phone", "+44 20 7946 0958"),
    ("email", "maria@example.org"),
    ("email", "Maria.Lopez+city@sub.example.co.uk"),
    ("address", "1234 Elm Street"),
    ("address", "12B Main St."),
    ("address", "55 Avenue Road"),
    ("address", "10 5th Ave"),
    ("address", "221 Baker Street"),
    ("address", "12 rue des Lilas"),
    ("address", "4-6 chemin du Lac Vert"),
    ("address", "1 place d'Youville"),
    ("address", "Apt 4"),
    ("address", "PO Box 123"),
    ("address", "unit 12B"),
    ("postcode", "K1A 0B1"),
    ("postcode", "k1a0b1"),
    ("postcode", "90210-1234"),
    ("case_reference", "TS-2026-000123"),
    ("case_reference", "ts-2026-000123"),
    ("case_reference", "AB-2025-1234"),
    ("number", "123 456 789"),
    ("number", "4111 1111 1111 1111"),
    ("number phone", "1234567"),  # seven digits could be a local phone number too
    ("mention", "@bob"),
    ("mention email", "@bob@social.example"),  # a handle on another server reads as an address too
    ("link", "https://city.example/m/Zx8aQ2b9L0pQrStUvWxYz01"),
    ("link", "https://city.example/account/cases?ref=5"),
    ("link", "https://elsewhere.example/page#me"),
]
SENTENCES = ["{}", "Reach us at {} today.", "Le dossier {}, merci.", "({})", "{}, {}", "Re: {}!"]


@pytest.mark.parametrize(("kind", "value"), PERSONAL)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_personal_data_never_survives_wherever_it_sits(kind: str, value: str, sentence: str) -> None:
    said = sentence.format(value, value)
    redacted = redact(said)
    assert value not in redacted.text
    assert value.lower() not in redacted.text.lower()
    assert "[removed]" in redacted.text
    assert set(redacted.removed) & set(kind.split())


@pytest.mark.parametrize(
    "text",
    [
        "The crew is on Elm Street today.",
        "Call 311, or 911 in an emergency.",
        "We will come on 2026-03-02 between 9 and 5.",
        "For the 2025-2026 season.",
        "3 trucks and 12 people on the street.",
        "We planted 40 trees in the park.",
        "Il reste 1 place libre.",
        "At 10:30, the road reopens; the limit is 50 km/h.",
        "It cost $1,500.",
        "Highway 417 is closed near the bridge.",
        "Read https://city.example/help/potholes for more.",
        "Thank you for your report, we are on it.",
    ],
)
def test_ordinary_words_are_left_alone(text: str) -> None:
    redacted = redact(text)
    assert redacted.text == text
    assert redacted.removed == ()


def test_what_is_known_of_the_person_goes_too_as_whole_words() -> None:
    redacted = redact(
        "Dear Maria Lopez, maria, LOPEZ: we wrote to maria.lopez@example.org. Mariachi bands are welcome.",
        known=["Maria Lopez", "maria.lopez@example.org"],
    )
    assert redacted.text == "Dear [removed], [removed], [removed]: we wrote to [removed]. Mariachi bands are welcome."
    assert redacted.removed == ("known", "known", "known", "email")


def test_a_postal_address_known_of_the_person_goes_line_by_line() -> None:
    redacted = redact("We will post it to Flat 2, Rosemount House.", known=["Flat 2", "Rosemount House"])
    assert redacted.text == "We will post it to [removed], [removed]."


def test_overlapping_finds_are_one_removal_named_by_the_most_telling() -> None:
    redacted = redact("Write to @maria@example.org or call (613) 555-0142 about TS-2026-000123.")
    assert redacted.text == "Write to [removed] or call [removed] about [removed]."
    assert redacted.removed == ("email", "phone", "case_reference")


def test_the_marker_is_in_the_answer_s_language() -> None:
    assert redact("Appelez le 613-555-0142.", language="fr").text == "Appelez le [retiré]."


def test_a_number_written_without_its_country_code_is_read_in_the_region() -> None:
    assert redact("Call 020 7946 0958", region="GB").removed == ("phone",)


@pytest.mark.parametrize(
    ("answering", "given", "expected"),
    [
        ("public", False, "unlisted"),
        ("unlisted", False, "unlisted"),
        ("public", True, "direct"),
        ("unlisted", True, "direct"),
        ("private", False, "direct"),  # followers-only: an answer to the city's followers would go too far
        ("direct", False, "direct"),
        (None, False, "direct"),  # the city writes first
    ],
)
def test_only_the_first_answer_to_a_public_post_is_public(answering: str | None, given: bool, expected: str) -> None:
    assert visibility(answering, public_answer_given=given) == expected


def test_a_long_answer_is_cut_at_a_word_and_the_mention_and_the_offer_arrive_whole() -> None:
    said = fit("@maria@social.example", "word " * 200, "Continue privately: https://city.example/#contact", limit=120)
    assert len(said) <= 120
    assert said.startswith("@maria@social.example word")
    assert said.endswith("word…\n\nContinue privately: https://city.example/#contact")


def test_an_answer_that_fits_is_left_whole() -> None:
    assert fit("@a@b.example", "Thanks.", "", limit=500) == "@a@b.example Thanks."
    assert fit("@a@b.example", "Thanks.", "Tail", limit=500) == "@a@b.example Thanks.\n\nTail"
