"""What counts as a texted answer: a lone digit 1 to 5 first, the rest as the comment."""

from __future__ import annotations

import pytest

from townsquare.analytics.surveys.scores import Answer, clean_comment, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", Answer(4, None)),
        (" 5 ", Answer(5, None)),
        ("5 great service", Answer(5, "great service")),
        ("4 thanks, quick work", Answer(4, "thanks, quick work")),
        ("3. Too slow", Answer(3, "Too slow")),
        ("2 - nobody called", Answer(2, "nobody called")),
        ("5/5 service impeccable", Answer(5, "service impeccable")),
        ("4 sur 5 merci", Answer(4, "merci")),
        ("1 out of 5", Answer(1, None)),
        ("5!", Answer(5, None)),
    ],
)
def test_an_answer_is_a_score_and_a_comment(text: str, expected: Answer) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["", "0", "6", "10", "12 Elm Street has a pothole", "four", "STOP", "Yes", "4.5"])
def test_anything_else_is_not_an_answer(text: str) -> None:
    assert parse(text) is None


def test_a_comment_is_folded_and_bounded() -> None:
    assert clean_comment("  too   slow \n\n  but kind ") == "too slow\n\nbut kind"
    assert clean_comment("   ") is None
    assert len(clean_comment("x" * 5000) or "") == 2000
