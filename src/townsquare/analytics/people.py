"""Who made a touch, by band only: an age band from a register's date of birth, an area from the first three
characters of a postal code (the person's, else their case's), the language they use. Never the person, and only
where the data exists: a touch of someone no register names has no age band.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from townsquare.analytics.folding import FoldTouch
from townsquare.cases.models import Case
from townsquare.matching.models import SourceRecord

BANDS = ((18, "0-17"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"), (75, "65-74"))
OLDEST = "75+"


def age_band(birth: str | None, on: date) -> str | None:
    """The band of someone born on `birth` (YYYYMMDD, as registers are folded) on the day `on`."""
    if not birth or len(birth) != 8 or not birth.isdigit():
        return None
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 0 or age > 120:
        return None
    return next((name for below, name in BANDS if age < below), OLDEST)


def area_of(postcode: str | None) -> str | None:
    """The first three letters and digits of a postal code (a Canadian FSA, a UK outward code's start)."""
    folded = "".join(ch for ch in (postcode or "").upper() if ch.isalnum())
    return folded[:3] if len(folded) >= 3 else None


async def describe(session: AsyncSession, touches: Sequence[FoldTouch]) -> None:
    """Set each folded touch's age band and area from what the registers and its case say."""
    citizens = sorted({t.citizen_id for t in touches})
    births: dict[uuid.UUID, str] = {}
    postcodes: dict[uuid.UUID, str] = {}
    for start in range(0, len(citizens), 500):
        rows = await session.execute(
            select(SourceRecord.citizen_id, SourceRecord.birth_date, SourceRecord.postcode)
            .where(SourceRecord.citizen_id.in_(citizens[start : start + 500]))
            .order_by(SourceRecord.received_at)
        )
        for citizen_id, birth, postcode in rows:  # the newest record's values win
            if citizen_id is None:
                continue
            if birth:
                births[citizen_id] = birth
            if postcode:
                postcodes[citizen_id] = postcode
    cases = sorted({t.case_id for t in touches if t.case_id is not None})
    zipcodes: dict[uuid.UUID, str] = {}
    for start in range(0, len(cases), 500):
        found = await session.execute(select(Case.id, Case.zipcode).where(Case.id.in_(cases[start : start + 500])))
        zipcodes.update({case_id: zipcode for case_id, zipcode in found if zipcode})
    for touch in touches:
        if touch.day is not None:
            touch.age_band = age_band(births.get(touch.citizen_id), touch.day)
        own = postcodes.get(touch.citizen_id)
        touch.area = area_of(own or (zipcodes.get(touch.case_id) if touch.case_id else None))
