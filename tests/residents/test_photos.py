"""A report's photo is kept upright, no larger than needed and with nothing hidden in it; where it was taken is
read first, to be offered."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.photos import phone_photo
from townsquare.errors import Problem
from townsquare.residents import photos


def test_the_place_is_read_and_then_every_hidden_detail_is_stripped() -> None:
    raw = phone_photo(at=(43.651, -79.38))
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the phone's file does say where
    kept = photos.prepare(raw)
    assert kept.place == pytest.approx((43.651, -79.38), abs=1e-5)
    image = Image.open(io.BytesIO(kept.data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}  # no camera, no place, no orientation
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert (kept.width, kept.height) == (1600, 1067) == image.size


def test_a_photo_is_turned_upright_and_a_small_one_kept_at_its_size() -> None:
    kept = photos.prepare(phone_photo(size=(800, 600), orientation=6))  # held sideways: the file says turn it
    assert (kept.width, kept.height) == (600, 800)
    image = Image.open(io.BytesIO(kept.data)).convert("RGB")
    red, _green, _blue = image.getpixel((590, 5))  # type: ignore[misc]
    assert red > 150  # the red band, top-left before, is top-right once turned
    assert kept.place is None


def test_the_southern_and_western_hemispheres_and_a_zero_point() -> None:
    assert photos.prepare(phone_photo(size=(64, 64), at=(-33.8688, 151.2093))).place == pytest.approx(
        (-33.8688, 151.2093), abs=1e-4
    )
    assert photos.prepare(phone_photo(size=(64, 64), at=(0.0, 0.0))).place is None  # a phone with no fix


def test_other_image_formats_are_kept_as_jpeg_and_anything_else_is_refused() -> None:
    png = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(png, format="PNG")
    kept = photos.prepare(png.getvalue())
    assert Image.open(io.BytesIO(kept.data)).format == "JPEG"
    for bad in (b"%PDF-1.7 not a photo", phone_photo(size=(64, 64))[:200], b""):
        with pytest.raises(Problem) as refused:
            photos.prepare(bad)
        assert refused.value.status == 422
        assert refused.value.errors[0].field == "photo"
