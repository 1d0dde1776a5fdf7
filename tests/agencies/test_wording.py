"""A record's words in another language, English when there is no (or a blank) translation."""

from __future__ import annotations

from townsquare.agencies.wording import translated, translation


def test_a_translation_or_english() -> None:
    words = {"fr": {"name": "Revenu du ménage", "purpose_text": "  "}}
    assert translated(words, "fr", "name", "Household income") == "Revenu du ménage"
    assert translated(words, "en", "name", "Household income") == "Household income"
    assert translated(words, "fr", "purpose_text", "Eligibility") == "Eligibility"  # blank is missing
    assert translated(None, "fr", "name", "Household income") == "Household income"
    assert translation({"fr": "not a mapping"}, "fr", "name") is None
