"""A letter as a PDF: a pure function of its words, its sender and its recipient (no database, no network).

The recipient's address sits where a window envelope shows it (`WINDOWS`), the case reference is printed and
drawn as a QR code so a reply by post can be threaded, and long bodies flow onto further numbered pages.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from babel.dates import format_date
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

LANGUAGES = ("en", "fr")
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "reference": "Reference",
        "reply": "Reply by post quoting this reference: {ref}",
        "page": "Page {n} of {total}",
    },
    "fr": {
        "reference": "Référence",
        "reply": "Pour répondre par courrier, rappelez cette référence : {ref}",
        "page": "Page {n} sur {total}",
    },
}


@dataclass(frozen=True)
class Window:
    """Where an envelope's window shows the sheet, measured from the sheet's top-left corner (points)."""

    standard: str
    left: float
    top: float
    width: float
    height: float
    first_line: float  # from the window's top to the first address line's baseline
    leading: float
    return_line: bool  # a one-line return address at the top of the window


# DIN 5008 form B, the A4 letter folded in three for a DL (or, folded once, C5) window envelope: the address
# field is 85 x 45 mm, 20 mm from the left edge and 45 mm from the top; its first 5 mm carry the return address.
DIN_5008_B = Window("DIN 5008 form B (DL/C5 window)", 20 * mm, 45 * mm, 85 * mm, 45 * mm, 14 * mm, 5 * mm, True)
# A US #10 window envelope (window 4.5 x 1.125 in, 7/8 in from the left) with a US Letter sheet folded in three:
# the window shows the sheet from about 2 in below its top edge.
US_10 = Window("US #10 window", 0.875 * inch, 2.0 * inch, 4.0 * inch, 1.125 * inch, 3.5 * mm, 4.1 * mm, False)
WINDOWS: dict[str, Window] = {"A4": DIN_5008_B, "letter": US_10}
PAPER: dict[str, tuple[float, float]] = {"A4": A4, "letter": LETTER}

MARGIN = 20 * mm
QR_SIZE = 28 * mm
BODY_SIZE = 10.5
BODY_LEADING = 14.0
FOOTER_FROM_BOTTOM = 14 * mm
BODY_BOTTOM = 30 * mm  # from the bottom: the body stops here, above the footer
FIRST_BODY_TOP = 118 * mm  # from the top, first page: below the window, the date and the subject
NEXT_BODY_TOP = 25 * mm  # from the top, later pages


@dataclass(frozen=True)
class Sender:
    """Who the letter is from: the agency's name and return address."""

    name: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterContent:
    """Everything a letter says. `code` is what the QR code holds: the case reference, else the letter's id."""

    recipient: tuple[str, ...]  # address lines, the addressee first
    subject: str
    body: str
    language: str
    reference: str | None
    code: str
    sender: Sender
    day: date


_BARRED = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "\u0131": "i"}  # the dotless i


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    pages: int


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    embedded: bool  # a TrueType font with its own glyphs; else a standard font limited to Windows-1252


def render_letter(content: LetterContent, *, paper: str = "A4", font: Path | None = None) -> bytes:
    """The letter as PDF bytes (the same bytes for the same content)."""
    return layout_letter(content, paper=paper, font=font).pdf


def layout_letter(content: LetterContent, *, paper: str = "A4", font: Path | None = None) -> RenderedLetter:
    """The letter as PDF bytes with its number of pages."""
    fonts = _fonts(font)
    words = WORDS.get(content.language, WORDS["en"])
    width, height = PAPER[paper]
    window = WINDOWS[paper]
    pages = _paginate(_body_lines(content.body, fonts, width - 2 * MARGIN), height)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=True, pageCompression=1)
    canvas.setTitle(_text(content.subject, fonts))
    canvas.setAuthor(_text(content.sender.name, fonts))
    canvas.setSubject(content.reference or content.code)
    for number, lines in enumerate(pages, start=1):
        if number == 1:
            _first_page_head(canvas, content, fonts, words, window, width, height)
        top = FIRST_BODY_TOP if number == 1 else NEXT_BODY_TOP
        y = height - top
        canvas.setFont(fonts.regular, BODY_SIZE)
        for line in lines:
            if line:
                canvas.drawString(MARGIN, y, line)
            y -= BODY_LEADING
        _footer(canvas, content, fonts, words, width, number, len(pages))
        canvas.showPage()
    canvas.save()
    return RenderedLetter(out.getvalue(), len(pages))


def _fonts(font: Path | None) -> _Fonts:
    if font is None:
        return _Fonts("Helvetica", "Helvetica-Bold", embedded=False)
    name = f"Letter-{font.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font)))
    bold_file = font.with_name(f"{font.stem}-Bold{font.suffix}")
    bold = f"Letter-{bold_file.stem}"
    if bold_file.exists() and bold not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(bold, str(bold_file)))
    return _Fonts(name, bold if bold_file.exists() else name, embedded=True)


def _text(value: str, fonts: _Fonts) -> str:
    """`value` as the font can draw it: the standard fonts know Windows-1252 (all of French, « », œ and €);
    any other letter loses its accent (ź → z), and what has no plain form becomes "?" rather than a black box."""
    value = unicodedata.normalize("NFC", value)
    if fonts.embedded:
        return value
    out = []
    for char in value:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            plain = _BARRED.get(plain, plain)
            out.append(plain if plain and plain.encode("cp1252", "ignore").decode("cp1252") == plain else "?")
    return "".join(out)


def _body_lines(body: str, fonts: _Fonts, width: float) -> list[str]:
    """The body wrapped to the text width: paragraphs (split on blank lines) separated by an empty line."""
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        for part in paragraph.split("\n"):
            text = " ".join(_text(part, fonts).split())
            lines.extend(simpleSplit(text, fonts.regular, BODY_SIZE, width) or [""])
    return lines


def _paginate(lines: list[str], height: float) -> list[list[str]]:
    """Lines per page: the first page has less room (the head), later pages start near the top."""
    pages: list[list[str]] = []
    room = int((height - FIRST_BODY_TOP - BODY_BOTTOM) // BODY_LEADING) + 1
    rest = lines
    while True:
        page, rest = rest[:room], rest[room:]
        while page and page[0] == "" and pages:
            page = page[1:]  # a page never starts with the blank line between paragraphs
        pages.append(page)
        if not rest:
            return pages
        room = int((height - NEXT_BODY_TOP - BODY_BOTTOM) // BODY_LEADING) + 1


def _first_page_head(
    canvas: Canvas,
    content: LetterContent,
    fonts: _Fonts,
    words: dict[str, str],
    window: Window,
    width: float,
    height: float,
) -> None:
    """The sender, the address in the window, the QR code with the reference, the date and the subject."""
    canvas.setFont(fonts.bold, 12)
    canvas.drawString(MARGIN, height - 15 * mm, _text(content.sender.name, fonts))
    canvas.setFont(fonts.regular, 8.5)
    for i, line in enumerate(content.sender.address[:5]):
        canvas.drawString(MARGIN, height - 20 * mm - i * 3.8 * mm, _text(line, fonts))
    top = height - window.top
    if window.return_line:
        back = ", ".join([content.sender.name, *content.sender.address])
        canvas.setFont(fonts.regular, 6.5)
        canvas.drawString(window.left, top - 4 * mm, _fit(_text(back, fonts), fonts.regular, 6.5, window.width))
    canvas.setFont(fonts.regular, 10)
    for i, line in enumerate(content.recipient):
        y = top - window.first_line - i * window.leading
        canvas.drawString(window.left, y, _fit(_text(line, fonts), fonts.regular, 10, window.width))
    qr_x = width - MARGIN - QR_SIZE
    draw_qr(canvas, content.code, x=qr_x, y=top - QR_SIZE, size=QR_SIZE)
    canvas.setFont(fonts.regular, 8)
    label = content.reference or content.code
    canvas.drawCentredString(qr_x + QR_SIZE / 2, top - QR_SIZE - 4 * mm, f"{words['reference']} {label}")
    canvas.setFont(fonts.regular, 10)
    when = format_date(content.day, format="long", locale=content.language if content.language in WORDS else "en")
    canvas.drawRightString(width - MARGIN, height - 100 * mm, _text(when, fonts))
    canvas.setFont(fonts.bold, 11)
    subject = simpleSplit(_text(content.subject, fonts), fonts.bold, 11, width - 2 * MARGIN)[:2]
    for i, line in enumerate(subject):
        canvas.drawString(MARGIN, height - 108 * mm - i * 5 * mm, line)
    if window is DIN_5008_B:  # fold marks (105 and 210 mm) and the punch mark (148.5 mm) on the left edge
        for at, length in ((105 * mm, 5 * mm), (210 * mm, 5 * mm), (148.5 * mm, 8 * mm)):
            canvas.line(4 * mm, height - at, 4 * mm + length, height - at)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut (with an ellipsis) to fit `width`: an address line must never run out of the window."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _footer(
    canvas: Canvas, content: LetterContent, fonts: _Fonts, words: dict[str, str], width: float, n: int, total: int
) -> None:
    canvas.setFont(fonts.regular, 8)
    canvas.drawString(MARGIN, FOOTER_FROM_BOTTOM, words["reply"].format(ref=content.reference or content.code))
    canvas.drawRightString(width - MARGIN, FOOTER_FROM_BOTTOM, words["page"].format(n=n, total=total))


def qr_modules(code: str) -> list[list[bool]]:
    """The QR code of `code` (error correction M) with its four-module quiet zone: True is a dark module."""
    qr = segno.make(code, error="m", micro=False)
    return [[bool(v) for v in row] for row in qr.matrix_iter(scale=1, border=4)]


def _runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    start: int | None = None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            yield start, i - start
            start = None


def draw_qr(canvas: Canvas, code: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code of `code` as filled rectangles in the square (x, y, size), y being its bottom edge."""
    modules = qr_modules(code)
    cell = size / len(modules)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(modules):
        for start, length in _runs(row):
            canvas.rect(x + start * cell, y + size - (r + 1) * cell, length * cell, cell, stroke=0, fill=1)
    canvas.restoreState()
