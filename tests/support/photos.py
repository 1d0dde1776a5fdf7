"""Photos as phones make them, for tests: a JPEG with EXIF (camera, orientation and, if asked, where it was
taken), built with Pillow."""

from __future__ import annotations

import io

from PIL import Image

MAKE, ORIENTATION, GPS = 0x010F, 0x0112, 0x8825


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


def phone_photo(
    *, size: tuple[int, int] = (3000, 2000), at: tuple[float, float] | None = None, orientation: int = 1
) -> bytes:
    """A phone's JPEG: its maker, an orientation and, with `at`, the GPS point it was taken at."""
    image = Image.new("RGB", size, (120, 120, 120))
    image.paste((200, 30, 30), (0, 0, size[0] // 2, size[1] // 4))  # a red band top-left: shows rotation
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    if at is not None:
        exif[GPS] = {1: "N" if at[0] >= 0 else "S", 2: _dms(at[0]), 3: "E" if at[1] >= 0 else "W", 4: _dms(at[1])}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()
