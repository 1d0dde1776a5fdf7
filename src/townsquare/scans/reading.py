"""A scanned letter's file: what kind it is, refused when dangerous or too big, and its pages as images.

PDFs are checked before anything renders them (no scripts, launch actions, embedded files or forms that run;
page count and page size bounded) and rendered with PDFium; images are bounded by their declared size before
Pillow decodes a pixel. Every refusal is a `Refused` naming the problem. No database, no network.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF = "application/pdf"
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
KINDS = (PDF, *IMAGE_TYPES.values())
# What makes a PDF do something when opened or clicked, or carry other files: a scan has none of them. Keys are
# looked for anywhere; action types, annotation kinds and object types as values (a plain /OpenAction to a page,
# which many producers write, is harmless and passes).
ACTIVE_KEYS = {
    "/JS": "a script",
    "/JavaScript": "a script",
    "/EmbeddedFiles": "an embedded file",
    "/EF": "an embedded file",
    "/XFA": "an XFA form",
}
ACTIVE_VALUES = {
    "/JavaScript": "a script",
    "/Launch": "an action that starts a program",
    "/ImportData": "an action that imports data",
    "/SubmitForm": "an action that submits a form",
    "/GoToR": "a link into another file",
    "/GoToE": "a link into an embedded file",
    "/FileAttachment": "an attached file",
    "/EmbeddedFile": "an embedded file",
    "/RichMedia": "embedded media",
    "/Movie": "embedded media",
    "/Sound": "embedded media",
    "/Rendition": "embedded media",
}
MAX_OBJECTS = 50_000  # a scan of twenty pages holds a few hundred; more is a file built to exhaust the reader
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one document at a time per process


class Refused(Exception):
    """The file cannot be taken: `status` is the HTTP status a door answers with, `code` a short name."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """How much a scan may be: bytes, pages, pixels per page (as rendered or decoded), and the rendering dpi."""

    max_bytes: int = 10 * 1024 * 1024
    max_pages: int = 20
    max_pixels: int = 40_000_000
    dpi: int = 300


def sniff(data: bytes) -> str:
    """The file's type from its first bytes (never from its name or the type a sender claims)."""
    if data[:1024].lstrip(b"\r\n\t \x00").startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE_TYPES["PNG"]
    if data.startswith(b"\xff\xd8\xff"):
        return IMAGE_TYPES["JPEG"]
    raise Refused(415, "unsupported-media-type", "The file is not a PDF, PNG or JPEG scan.")


def pages(data: bytes, limits: Limits) -> tuple[str, list[Image.Image]]:
    """The file's type and its pages as grayscale images, or `Refused`."""
    if not data:
        raise Refused(422, "empty", "The file is empty.")
    if len(data) > limits.max_bytes:
        raise Refused(413, "too-large", f"The file is {len(data)} bytes; the limit is {limits.max_bytes}.")
    kind = sniff(data)
    if kind == PDF:
        check_pdf(data, limits)
        return kind, render_pdf(data, limits)
    return kind, [decode_image(data, limits)]


def decode_image(data: bytes, limits: Limits) -> Image.Image:
    """One image, its size checked from its header before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limits.max_pixels:
                raise Refused(413, "too-many-pixels", _pixels(width, height, limits))
            if getattr(image, "n_frames", 1) > 1:
                raise Refused(422, "animated", "An image with several frames is not a scan; send a PDF instead.")
            image.load()
            return ImageOps.exif_transpose(image).convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(413, "too-many-pixels", "The image declares more pixels than a scan has.") from None
    except (OSError, ValueError, SyntaxError):
        raise Refused(422, "unreadable", "The image could not be read; it may be damaged or cut short.") from None


def _pixels(width: int, height: int, limits: Limits) -> str:
    return f"A page of {width} x {height} pixels is over the limit of {limits.max_pixels} pixels."


def check_pdf(data: bytes, limits: Limits) -> int:
    """The PDF's page count, once it is known to do nothing but show its pages; `Refused` otherwise."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused(422, "encrypted", "The PDF is encrypted; send it without a password.")
        for key, what in _active(reader.trailer):
            raise Refused(422, "active-content", f"The PDF holds {what} ({key}); a scan never does.")
        count = len(reader.pages)
        if count == 0:
            raise Refused(422, "unreadable", "The PDF has no pages.")
        if count > limits.max_pages:
            raise Refused(413, "too-many-pages", f"The PDF has {count} pages; the limit is {limits.max_pages}.")
        for page in reader.pages:
            width, height = (round(float(v) * limits.dpi / 72) for v in (page.mediabox.width, page.mediabox.height))
            if width * height > limits.max_pixels:
                raise Refused(413, "too-many-pixels", _pixels(width, height, limits))
        return count
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise Refused(422, "unreadable", "The PDF could not be read; it may be damaged or cut short.") from None


def _active(root: Any) -> Iterator[tuple[str, str]]:
    """(key, what) for each active or embedding key reachable from the trailer; every object visited once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise Refused(413, "too-complex", "The PDF holds more objects than a scan has.")
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in ACTIVE_KEYS:
                    yield str(key), ACTIVE_KEYS[key]
                if isinstance(value, NameObject) and value in ACTIVE_VALUES:
                    yield str(value), ACTIVE_VALUES[value]
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def render_pdf(data: bytes, limits: Limits) -> list[Image.Image]:
    """Each page rendered in grayscale at the limits' dpi (the size checked again, as PDFium reads it)."""
    scale = limits.dpi / 72
    images: list[Image.Image] = []
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise Refused(422, "unreadable", "The PDF could not be read; it may be damaged or cut short.") from None
        try:
            count = len(document)
            if count > limits.max_pages:
                raise Refused(413, "too-many-pages", f"The PDF has {count} pages; the limit is {limits.max_pages}.")
            for index in range(len(document)):
                page = document[index]
                width, height = (round(v * scale) for v in page.get_size())
                if width * height > limits.max_pixels:
                    raise Refused(413, "too-many-pixels", _pixels(width, height, limits))
                images.append(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
                page.close()
        finally:
            document.close()
    return images
