"""Rendering for each channel, and SMS segment counting."""

from __future__ import annotations

import pytest

from townsquare.notify.rendering import Content, render, sms_encoding


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
