"""Paper for the post-in tests: a typed letter as a clean scan (a page image in a clear font), and files built to
be refused (scripts, attachments, too many pages or pixels)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from townsquare.web.simulator.scanner import scanned_pdf

PAGE = (1654, 2339)  # A4 at 200 dpi


def typed(lines: Sequence[str], *, size: int = 34) -> Image.Image:
    """A white A4 page with `lines` typed on it (an empty line is a gap), as a scanner sees it."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=size)
    y = 160
    for line in lines:
        if line:
            draw.text((160, y), line, fill=0, font=font)
        y += int(size * 1.7)
    return page


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pdf(pages: Sequence[Image.Image]) -> bytes:
    return scanned_pdf(pages)


def blank_pdf(pages: int = 1, *, width: float = 595, height: float = 842) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    return writer


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_script() -> bytes:
    writer = blank_pdf()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return written(writer)


def with_attachment() -> bytes:
    writer = blank_pdf()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return written(writer)


def huge_image() -> bytes:
    """A PNG a few kilobytes long that declares 100 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(out, "PNG")
    return out.getvalue()
