"""Rendering for each channel, and SMS segment counting."""

from __future__ import annotations

import pytest

from townsquare.notify.rendering import Content, render, shorten_sms, sms_encoding


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the basic set
        ("ê" * 70, "UCS-2", 1),  # ê is not
        ("ê" * 71, "UCS-2", 2),
        ("🙂" * 35, "UCS-2", 1),  # surrogate pairs count twice
        ("🙂" * 36, "UCS-2", 2),
    ],
)
def test_sms_encoding_and_segments(text: str, encoding: str, segments: int) -> None:
    result = sms_encoding(text)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_each_channel_gets_its_own_rendering() -> None:
    content = Content("Your bin <b>will</b> be collected.\n\nThanks.", subject="Missed bin", link="https://x.example/a")
    assert render(content, "sms")["body"].endswith("https://x.example/a")
    email = render(content, "email")
    assert email["subject"] == "Missed bin"
    assert "&lt;b&gt;will&lt;/b&gt;" in email["html"]  # never injects markup from content
    assert email["html"].count("<p>") == 3
    assert render(content, "voice") == {"say": "Your bin <b>will</b> be collected.\n\nThanks."}
    assert render(content, "chat")["link"] == "https://x.example/a"


def test_a_long_sms_is_cut_at_a_word_within_budget_keeping_the_link_whole() -> None:
    text = "Bulky items go out on the second Tuesday of the month, before 7 am, at the curb. " * 10
    link = "https://city.example/m/AbC123"
    body = shorten_sms(text, link=link, max_segments=2)
    assert sms_encoding(body).segments <= 2
    assert sms_encoding(body).encoding == "GSM-7"  # no "…" sneaking in and forcing UCS-2
    assert body.endswith("...\n" + link)
    assert text.startswith(body.split("...\n")[0])
    assert not body.split("...\n")[0].endswith(" ")


def test_shortening_keeps_ucs2_text_in_budget_and_leaves_short_text_alone() -> None:
    french = "Les encombrants sont ramassés le deuxième mardi du mois, avant 7 h, en bordure de rue — merci. " * 6
    body = shorten_sms(french, link=None, max_segments=3)
    assert sms_encoding(body).segments <= 3
    assert body.endswith("…")
    assert shorten_sms("Short answer.", link="https://x.example/m/1", max_segments=1) == (
        "Short answer.\nhttps://x.example/m/1"
    )
    one_word = "x" * 1000
    assert sms_encoding(shorten_sms(one_word, link=None, max_segments=1)).segments == 1


def test_render_only_shortens_an_sms_when_given_a_budget() -> None:
    text = "word " * 200
    assert render(Content(text), "sms")["segments"] > 3
    shortened = render(Content(text), "sms", sms_max_segments=3, more_link="https://x.example/m/1")
    assert shortened["segments"] <= 3
    assert shortened["body"].endswith("https://x.example/m/1")
