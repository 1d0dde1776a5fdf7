"""A photo with a report: checked to be an image, turned upright, made no larger than a phone screen needs, and
stripped of everything hidden in it (EXIF: where and when it was taken, the camera, the owner's name) before it is
kept. The place it was taken, if the file says, is read first so the report can offer it; it is never kept in the
file. Pure functions, no database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from townsquare.errors import FieldError, invalid

MAX_SIDE = 1600  # pixels on the longer side: sharp on any screen, a few hundred kilobytes
QUALITY = 82
MAX_PIXELS = 60_000_000  # a larger image is refused before it is decoded (a "decompression bomb")
FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
GPS_IFD = 0x8825
LAT_REF, LAT, LONG_REF, LONG = 1, 2, 3, 4


@dataclass(frozen=True)
class Photo:
    """The photo as kept (a JPEG without metadata) and the place its file said it was taken, if any."""

    data: bytes
    width: int
    height: int
    place: tuple[float, float] | None


def _refused(reason: str) -> Exception:
    return invalid("The photo could not be used.", FieldError("photo", reason))


def prepare(raw: bytes) -> Photo:
    """The photo to keep, from the bytes uploaded; 422 (field `photo`) for anything that is not a usable image."""
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in FORMATS:
                raise _refused("not a photo")
            if probe.width * probe.height > MAX_PIXELS:
                raise _refused("too large")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            place = _place(image.getexif().get_ifd(GPS_IFD))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            flat = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refused("not a photo") from None
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=QUALITY, optimize=True)  # no exif=, no icc_profile=: nothing hidden
    return Photo(out.getvalue(), flat.width, flat.height, place)


def _place(gps: dict[int, Any]) -> tuple[float, float] | None:
    """Latitude and longitude from an EXIF GPS block, if it holds a sensible point."""
    try:
        lat = _degrees(gps[LAT]) * (-1 if str(gps.get(LAT_REF, "N")).upper().startswith("S") else 1)
        long = _degrees(gps[LONG]) * (-1 if str(gps.get(LONG_REF, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= long <= 180) or (lat == 0 and long == 0):
        return None
    return round(lat, 6), round(long, 6)


def _degrees(value: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600
