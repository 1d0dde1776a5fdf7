"""One article, every channel: sanitised HTML, short answers with links, speech without addresses, SMS segments."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_article
from townsquare.knowledge.models import ArticleVersion
from townsquare.knowledge.rendering import article_url, body_html, plain_text, preview, render, sms_segments

HOSTILE = """# How to pay

Pay **online** or [by phone](tel:311).

<script>alert("stolen")</script>
<p onclick="steal()" onmouseover="steal()">Hover me</p>
<img src="x.png" onerror="steal()">
[click me](javascript:alert(1))
<a href="javascript:alert(2)">also me</a>
<a href="https://pay.city.example/taxes" target="_blank">Pay now</a>
<iframe src="https://evil.example"></iframe>
<style>body { display: none }</style>
"""


def test_the_body_is_rendered_and_sanitised() -> None:
    html = str(body_html(HOSTILE))
    assert "<h2>How to pay</h2>" in html  # the page's h1 is the title
    assert "<strong>online</strong>" in html
    assert "<script" not in html
    assert "stolen" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "onerror" not in html
    assert 'href="javascript' not in html  # the Markdown link stays inert text, the HTML one loses its href
    assert '<a rel="noopener noreferrer">also me</a>' in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "display: none" not in html
    assert '<a href="https://pay.city.example/taxes" rel="noopener noreferrer">Pay now</a>' in html
    assert 'href="tel:311"' in html


def test_markdown_becomes_plain_text_for_email_and_search() -> None:
    text = plain_text("## Steps\n\n1. Open the *form*\n2. Send it\n\nSee [the map](https://map.example) now.")
    assert text == "Steps\n\n1. Open the form\n2. Send it\n\nSee the map (https://map.example) now."
    assert plain_text("Hi <script>alert(1)</script>[map](https://m.example)", links=False) == "Hi map"


def _version(**kwargs: str) -> ArticleVersion:
    fields = {
        "title": "Report a pothole",
        "summary": "Tell us about a pothole on a city street.",
        "body": "Use the **form** at [our site](https://city.example/pothole).",
        "short_answer": "Report a pothole online; most are fixed within 5 days.",
        "voice_script": "",
    }
    fields.update(kwargs)
    return ArticleVersion(number=1, **fields)


def test_every_channel_has_its_rendering() -> None:
    url = article_url("https://city.example/", "report-a-pothole")
    assert url == "https://city.example/help/report-a-pothole"
    shown = preview(_version(), url=url, language="en")
    assert set(shown) == {"web", "chat", "sms", "voice", "email"}
    assert shown["web"].html is not None
    assert "<strong>form</strong>" in str(shown["web"].html)
    assert shown["chat"].text == f"Report a pothole online; most are fixed within 5 days.\nRead more: {url}"
    assert shown["sms"].text == f"Report a pothole online; most are fixed within 5 days. {url}"
    assert shown["voice"].text == "Report a pothole online; most are fixed within 5 days."
    assert "http" not in shown["voice"].text
    assert shown["email"].text.startswith("Tell us about a pothole on a city street.")
    assert "form at our site (https://city.example/pothole)" in shown["email"].text
    assert "**" not in shown["email"].text
    assert shown["email"].text.endswith(url)


def test_french_wording_and_the_voice_script() -> None:
    version = _version(short_answer="Signalez un nid-de-poule en ligne.", voice_script="Dites *signaler* au menu.")
    chat = render(version, "chat", url="u", language="fr")
    assert chat.text == "Signalez un nid-de-poule en ligne.\nEn savoir plus : u"
    assert render(version, "voice", url="u", language="fr").text == "Dites signaler au menu."
    with pytest.raises(ValueError, match="unknown channel"):
        render(version, "fax", url="u")


def test_speech_never_reads_out_an_address() -> None:
    version = _version(short_answer="Go to https://city.example/pay to pay.")
    assert render(version, "voice", url="https://city.example/help/x").text == "Go to to pay."


async def test_a_live_article_renders_in_its_own_language(session: AsyncSession) -> None:
    live = await create_article(
        session, slug="nid-de-poule", title="Nid-de-poule", language="fr", short_answer="Signalez-le en ligne."
    )
    assert render(live, "chat", url="u").text == "Signalez-le en ligne.\nEn savoir plus : u"
    assert render(live, "chat", url="u", language="en").text == "Signalez-le en ligne.\nRead more: u"


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("[" * 80, 1),  # extension characters cost two septets
        ("[" * 81, 2),
        ("é" * 160, 1),  # é is in GSM-7
        ("ê" * 70, 1),  # ê is not: UCS-2
        ("ê" * 71, 2),
        ("ê" * 134, 2),
        ("ê" * 135, 3),
    ],
)
def test_sms_segments(text: str, segments: int) -> None:
    assert sms_segments(text) == segments
