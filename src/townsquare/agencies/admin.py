"""The checks and writes behind administering the catalogue by hand: a timezone the tz database knows, an accent
colour white text stays readable on, a logo that is a small PNG or JPEG, an address no other agency has, a service
code nobody uses, a canned reply's placeholders.

Knows nothing of who asks (the use cases scope and audit); never commits. Each check answers the field it is
about, so a form can name every mistake at once.
"""

from __future__ import annotations

import io
import re
import string
import uuid
import zoneinfo
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.agencies.models import Agency, AgencyLogo, CannedResponse, ContactPoint, Service
from townsquare.errors import FieldError, invalid

PLACEHOLDERS = ("first_name", "case_reference")  # what the desk fills in a canned reply
MIN_CONTRAST = 4.5  # WCAG 2.2 AA for normal text: white text on the accent colour
LOGO_MAX_BYTES = 200_000
LOGO_MAX_SIDE = 1_000  # pixels, either way
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
TIMEZONES = frozenset(zoneinfo.available_timezones())


def _channel_value(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on `colour` ("#1d70b8" → 5.17)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel_value(r) + 0.7152 * _channel_value(g) + 0.0722 * _channel_value(b)
    return 1.05 / (luminance + 0.05)


def colour_problem(colour: str) -> FieldError | None:
    """Why an accent colour will not do (not #rrggbb, or white text on it too faint), else None."""
    if not COLOUR.match(colour):
        return FieldError("accent_colour", "Give the accent colour as # and six hexadecimal digits, like #1d70b8.")
    if contrast_with_white(colour) < MIN_CONTRAST:
        return FieldError(
            "accent_colour",
            "White text is too faint on that accent colour: choose a darker one (a contrast of at least 4.5 to 1).",
        )
    return None


def timezone_problem(name: str) -> FieldError | None:
    """Why a timezone will not do (not in the tz database), else None."""
    if name in TIMEZONES:
        return None
    return FieldError("timezone", "Give a timezone of the tz database, like America/Toronto.")


def unknown_placeholders(body: str) -> list[str]:
    """The `{names}` in a canned reply's body the desk cannot fill in; a broken brace counts as one."""
    try:
        named = [name for _text, name, _spec, _conv in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return ["{"]
    return sorted({name for name in named if name not in PLACEHOLDERS})


@dataclass(frozen=True)
class Logo:
    content_type: str
    width: int
    height: int
    data: bytes


def read_logo(data: bytes) -> Logo:
    """An uploaded logo, checked: a PNG or JPEG, at most LOGO_MAX_BYTES and LOGO_MAX_SIDE pixels each way."""
    if len(data) > LOGO_MAX_BYTES:
        raise invalid("The logo is too large.", FieldError("logo", "The logo is too large: at most 200 kB."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format or "", image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        kind, width, height = "", 0, 0
    if kind not in LOGO_TYPES:
        raise invalid("The logo is not a picture.", FieldError("logo", "The logo must be a PNG or JPEG picture."))
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise invalid("The logo is too big.", FieldError("logo", "The logo is too big: at most 1000 by 1000 pixels."))
    return Logo(LOGO_TYPES[kind], width, height, data)


async def put_logo(session: AsyncSession, *, agency_id: uuid.UUID, logo: Logo) -> None:
    """Make `logo` the agency's logo."""
    row = await session.get(AgencyLogo, agency_id)
    if row is None:
        session.add(
            AgencyLogo(
                agency_id=agency_id,
                content_type=logo.content_type,
                width=logo.width,
                height=logo.height,
                data=logo.data,
            )
        )
    else:
        row.content_type, row.width, row.height, row.data = logo.content_type, logo.width, logo.height, logo.data
    await session.flush()


async def logo_of(session: AsyncSession, *, agency_id: uuid.UUID) -> AgencyLogo | None:
    """The agency's logo, if it has one."""
    return await session.get(AgencyLogo, agency_id)


async def has_logo(session: AsyncSession, *, agency_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these agencies have a logo; one query, without reading the pictures."""
    if not agency_ids:
        return set()
    rows = await session.scalars(select(AgencyLogo.agency_id).where(AgencyLogo.agency_id.in_(agency_ids)))
    return set(rows)


async def address_holders(
    session: AsyncSession, *, points: list[tuple[str, str]], agency_id: uuid.UUID | None
) -> dict[tuple[str, str], str]:
    """Of these (channel, address) points, those another agency already has, with that agency's name."""
    if not points:
        return {}
    stmt = (
        select(ContactPoint.channel, ContactPoint.address, Agency.name)
        .join(Agency, Agency.id == ContactPoint.agency_id)
        .where(ContactPoint.address.in_({address for _channel, address in points}))
    )
    if agency_id is not None:
        stmt = stmt.where(ContactPoint.agency_id != agency_id)
    wanted = set(points)
    return {(c, a): str(n) for c, a, n in (await session.execute(stmt)).all() if (c, a) in wanted}


async def contact_points_of(session: AsyncSession, *, agency_id: uuid.UUID) -> list[tuple[str, str]]:
    """The agency's (channel, address) points, in order."""
    stmt = select(ContactPoint.channel, ContactPoint.address).where(ContactPoint.agency_id == agency_id)
    return sorted((str(c), str(a)) for c, a in (await session.execute(stmt)).all())


async def service_code_taken(session: AsyncSession, *, code: str) -> bool:
    """Whether a service (active or not) already has this code, case aside."""
    found = await session.scalar(select(Service.id).where(Service.code.ilike(code.replace("_", r"\_"), escape="\\")))
    return found is not None


async def canned_slug_taken(
    session: AsyncSession, *, agency_id: uuid.UUID, slug: str, language: str, other_than: uuid.UUID | None = None
) -> bool:
    """Whether the agency already has a canned reply with this slug in this language."""
    stmt = select(CannedResponse.id).where(
        CannedResponse.agency_id == agency_id, CannedResponse.slug == slug, CannedResponse.language == language
    )
    if other_than is not None:
        stmt = stmt.where(CannedResponse.id != other_than)
    return (await session.scalar(stmt)) is not None
