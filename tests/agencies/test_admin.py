"""The catalogue's checks for administering it by hand: timezones of the tz database, accent colours white text
stays readable on, logos that are small PNG or JPEG pictures, canned replies' placeholders, taken addresses and
service codes."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_agency, create_service
from townsquare.agencies import admin
from townsquare.agencies import service as catalogue
from townsquare.errors import Problem


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    """A picture of `kind` and `size`, as an upload would bring it."""
    out = io.BytesIO()
    Image.new("RGB", size, (29, 112, 184)).save(out, format=kind)
    return out.getvalue()


def test_white_text_needs_a_contrast_of_4_5_to_1_on_the_accent_colour() -> None:
    assert admin.contrast_with_white("#000000") == pytest.approx(21)
    assert admin.contrast_with_white("#ffffff") == pytest.approx(1)
    assert admin.colour_problem("#1d70b8") is None  # 5.17:1
    faint = admin.colour_problem("#ffdd00")
    assert faint is not None
    assert faint.field == "accent_colour"
    assert "too faint" in faint.message
    malformed = admin.colour_problem("blue")
    assert malformed is not None
    assert "six hexadecimal digits" in malformed.message


def test_a_timezone_must_be_one_of_the_tz_database() -> None:
    assert admin.timezone_problem("America/Toronto") is None
    wrong = admin.timezone_problem("Mars/Olympus_Mons")
    assert wrong is not None
    assert wrong.field == "timezone"


def test_only_the_placeholders_the_desk_fills_in_are_accepted() -> None:
    assert admin.unknown_placeholders("Hello {first_name}, about {case_reference}.") == []
    assert admin.unknown_placeholders("Hello {first_name} {last_name} {email}") == ["email", "last_name"]
    assert admin.unknown_placeholders("A broken { brace") == ["{"]


def test_a_logo_is_a_small_png_or_jpeg() -> None:
    logo = admin.read_logo(picture("PNG"))
    assert (logo.content_type, logo.width, logo.height) == ("image/png", 40, 20)
    assert admin.read_logo(picture("JPEG")).content_type == "image/jpeg"
    for data, words in (
        (picture("GIF"), "PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
        (picture("PNG", (1200, 10)), "1000 by 1000"),
        (b"\x89PNG" + b"0" * admin.LOGO_MAX_BYTES, "200 kB"),
    ):
        with pytest.raises(Problem) as refused:
            admin.read_logo(data)
        assert refused.value.status == 422
        assert [e.field for e in refused.value.errors] == ["logo"]
        assert words in refused.value.errors[0].message


async def test_an_address_another_agency_has_is_found_with_its_name(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works", name="Works", contact=("sms", "+15550001111"))
    parks = await create_agency(session, slug="parks", name="Parks")
    points = [("sms", "+15550001111"), ("email", "parks@city.example")]
    assert await admin.address_holders(session, points=points, agency_id=parks.id) == {("sms", "+15550001111"): "Works"}
    assert await admin.address_holders(session, points=points, agency_id=works.id) == {}


async def test_a_service_code_is_taken_whatever_its_case(session: AsyncSession) -> None:
    works = await create_agency(session)
    await create_service(session, agency=works, code="POTHOLE")
    assert await admin.service_code_taken(session, code="pothole")
    assert not await admin.service_code_taken(session, code="POT_HOLE")


async def test_a_deactivated_agency_takes_no_new_contact(session: AsyncSession) -> None:
    works = await create_agency(session, slug="works", name="Works", contact=("sms", "+15550001111"))
    parks = await create_agency(session, slug="parks", name="Parks")
    assert await catalogue.agency_for_address(session, channel="sms", address="+15550001111") is works
    works.active = False
    await session.flush()
    assert await catalogue.agency_for_address(session, channel="sms", address="+15550001111") is None
    assert await catalogue.default_agency(session) is parks
