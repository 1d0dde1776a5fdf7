"""The words and codes on a scan's pages: Tesseract's OCR (through pytesseract, in English and French) and the
QR codes zxing-cpp finds. Pure functions of the images; Tesseract runs as its own process, bounded in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytesseract
import zxingcpp
from PIL import Image

QR = zxingcpp.barcode_formats_from_str("QRCode")


class Unavailable(Exception):
    """OCR could not run here (Tesseract or a language missing): the scan is not at fault and may be retried."""


@dataclass(frozen=True)
class Reading:
    """What a scan says: each page's text, and the QR codes found (in page order, each once)."""

    pages: tuple[str, ...]
    codes: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(page.strip() for page in self.pages if page.strip())


def qr_codes(image: Image.Image) -> list[str]:
    """The texts of the QR codes on one page."""
    return [code.text for code in zxingcpp.read_barcodes(image, formats=QR) if code.text]


def page_text(image: Image.Image, *, languages: str, timeout: float) -> str:
    """One page's text; an empty string when Tesseract finds none or gives up after `timeout` seconds.
    `Unavailable` when it cannot run at all."""
    try:
        text: str = pytesseract.image_to_string(image, lang=languages, timeout=timeout)
    except pytesseract.TesseractNotFoundError as exc:
        raise Unavailable("Tesseract is not installed (Debian: tesseract-ocr)") from exc
    except pytesseract.TesseractError as exc:
        raise Unavailable(f"Tesseract failed: {str(exc.message)[:200]}") from exc
    except RuntimeError:  # pytesseract's own timeout: a page too hard to read is a page a person reads
        return ""
    return text


def read(images: Sequence[Image.Image], *, languages: str = "eng+fra", timeout: float = 60.0) -> Reading:
    """Every page's text and QR codes."""
    texts: list[str] = []
    codes: list[str] = []
    for image in images:
        codes.extend(code for code in qr_codes(image) if code not in codes)
        texts.append(page_text(image, languages=languages, timeout=timeout))
    return Reading(tuple(texts), tuple(codes))
