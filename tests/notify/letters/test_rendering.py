"""Rendering a letter: a real PDF read back — the address where the window shows it, the resident's language, the
reference in words and as a QR code that decodes to it, and long bodies on numbered pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from reportlab.lib.units import inch, mm

from tests.notify.letters.pdfs import decode_qr, page_size, positions, text_of
from townsquare.notify.letters.rendering import (
    DIN_5008_B,
    US_10,
    LetterContent,
    Sender,
    layout_letter,
    render_letter,
)
from townsquare.settings import Settings

FRENCH = LetterContent(
    recipient=("Élodie Côté", "12 rue de l'Œuvre", "Montréal QC H2X 1Y4"),
    subject="Votre demande « nid-de-poule »",
    body="Bonjour,\n\nNous avons bien reçu votre demande. Le bœuf est ça.",
    language="fr",
    reference="TS-2026-000123",
    code="TS-2026-000123",
    sender=Sender("Ville de Townsquare", ("Hôtel de ville", "1 rue Principale")),
    day=date(2026, 12, 4),
)


def test_a_french_letter_holds_the_address_the_reference_and_french_words() -> None:
    pdf = render_letter(FRENCH)
    assert pdf.startswith(b"%PDF-")
    (page,) = text_of(pdf)
    for expected in (
        "Élodie Côté",
        "12 rue de l'Œuvre",
        "Montréal QC H2X 1Y4",
        "Référence TS-2026-000123",
        "4 décembre 2026",
        "Votre demande « nid-de-poule »",
        "Le bœuf est ça.",
        "Pour répondre par courrier, rappelez cette référence : TS-2026-000123",
        "Page 1 sur 1",
        "Ville de Townsquare",
    ):
        assert expected in page, expected
    assert "■" not in page
    assert "?" not in page


def test_the_address_sits_in_the_din_5008_window() -> None:
    pdf = render_letter(FRENCH)
    width, height = page_size(pdf)
    assert (round(width / mm), round(height / mm)) == (210, 297)
    where = positions(pdf)
    for line in FRENCH.recipient:
        x, y = where[line]
        assert abs(x - DIN_5008_B.left) < 0.5
        from_top = height - y
        assert DIN_5008_B.top < from_top < DIN_5008_B.top + DIN_5008_B.height
    x, _ = where["Ville de Townsquare"]  # the sender's name heads the page, left, above the window
    assert height - where["Ville de Townsquare"][1] < DIN_5008_B.top


def test_the_qr_code_decodes_to_the_reference() -> None:
    assert decode_qr(render_letter(FRENCH)) == ["TS-2026-000123"]
    other = LetterContent(**{**FRENCH.__dict__, "reference": None, "code": "L-0192f0a0-0000-7000-8000-000000000001"})
    assert decode_qr(render_letter(other)) == ["L-0192f0a0-0000-7000-8000-000000000001"]


def test_a_long_english_letter_flows_onto_numbered_pages() -> None:
    body = "\n\n".join(f"Paragraph {i}: the crew will repair the road outside your home this week." for i in range(80))
    letter = LetterContent(**{**FRENCH.__dict__, "language": "en", "body": body, "subject": "Your report"})
    rendered = layout_letter(letter)
    assert rendered.pages >= 2
    pages = text_of(rendered.pdf)
    assert len(pages) == rendered.pages
    assert "December 4, 2026" in pages[0]
    assert "Reference TS-2026-000123" in pages[0]
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {rendered.pages}" in text
        assert "Reply by post quoting this reference: TS-2026-000123" in text
    everything = "\n".join(pages)
    assert all(f"Paragraph {i}:" in everything for i in range(80))  # nothing lost between pages


def test_us_letter_uses_the_number_10_window_and_the_same_bytes_every_time() -> None:
    pdf = render_letter(FRENCH, paper="letter")
    width, height = page_size(pdf)
    assert (width, height) == (8.5 * inch, 11 * inch)
    x, y = positions(pdf)["Élodie Côté"]
    assert abs(x - US_10.left) < 0.5
    assert US_10.top < height - y < US_10.top + US_10.height
    assert render_letter(FRENCH, paper="letter") == pdf


def test_letters_outside_latin_1_lose_accents_rather_than_print_boxes() -> None:
    letter = LetterContent(**{**FRENCH.__dict__, "recipient": ("Łukasz Woźniak", "ul. Długa 5", "Gdańsk")})
    (page,) = text_of(render_letter(letter))
    assert "Wozniak" in page
    assert "Gdansk" in page
    assert "■" not in page


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.is_file(), reason="Debian's fonts-dejavu-core is not installed")
def test_a_truetype_font_prints_every_letter_as_written() -> None:
    letter = LetterContent(**{**FRENCH.__dict__, "recipient": ("Łukasz Woźniak", "ul. Długa 5", "Gdańsk")})
    (page,) = text_of(render_letter(letter, font=DEJAVU))
    assert "Łukasz Woźniak" in page
    assert "ul. Długa 5" in page
    assert "Référence TS-2026-000123" in page


def test_a_letter_font_that_is_not_a_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not a file"):
        Settings(letter_font=tmp_path / "missing.ttf")
    with pytest.raises(ValidationError, match="16:30"):
        Settings(print_batch_time="25:00")
