"""Reading a letter PDF back: its text, where a line is drawn, and the QR code decoded from what was drawn."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from townsquare.notify.letters.rendering import QR_SIZE

_RECT = re.compile(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re")


def text_of(pdf: bytes) -> list[str]:
    """Each page's text."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def positions(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """Where each piece of text starts on a page: (x, y) in points from the bottom-left corner."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.setdefault(text.strip(), (tm[4], tm[5]))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def decode_qr(pdf: bytes) -> list[str]:
    """Rasterise the filled rectangles drawn on page 1 of QR_SIZE's scale and decode them as a QR code."""
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    rects = [tuple(float(v) for v in m.groups()) for m in _RECT.finditer(content.get_data())]
    assert rects, "no rectangles drawn"
    left = min(r[0] for r in rects)
    top = max(r[1] + r[3] for r in rects)
    scale = 400 / QR_SIZE
    image = Image.new("L", (440, 440), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in rects:
        x0, y0 = (x - left) * scale + 20, (top - (y + h)) * scale + 20
        draw.rectangle([x0, y0, x0 + w * scale - 1, y0 + abs(h) * scale - 1], fill=0)
    return [r.text for r in zxingcpp.read_barcodes(image)]
